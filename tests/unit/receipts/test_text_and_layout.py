from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cashier_app.receipts.document import Document, ReceiptSettings
from cashier_app.receipts.layout import COPY_MARK, layout
from cashier_app.receipts.test_page import printer_test_page
from cashier_app.receipts.text import encode, printable


def test_characters_outside_cp866_are_replaced_sensibly() -> None:
    assert printable("Оплата 100 ₽ — «Ромашка» „да“ … №5") == (
        'Оплата 100 руб. - "Ромашка" "да" ... №5')
    assert printable("Ёлка\u00a0ёж\u202fcafé\tﬁ") == "Ёлка ёж cafe fi"
    assert printable("日本") == "??"
    assert printable("a\x00\x1bb") == "ab"  # no control byte can reach the printer
    assert encode("Ёё№") == bytes([0xF0, 0xF1, 0xFC])


@given(st.text(max_size=200))
def test_any_text_encodes_to_cp866(text: str) -> None:
    assert encode(text).decode("cp866") == printable(text)


@given(st.lists(st.tuples(st.sampled_from(["title", "center", "text", "pair", "total",
                                           "rule", "rule2"]),
                          st.text(max_size=80), st.text(max_size=40)), max_size=12),
       st.sampled_from([32, 42, 48]))
def test_no_line_is_wider_than_the_paper(blocks: list[tuple[str, str, str]],
                                         columns: int) -> None:
    document = Document("payment", 1, [[kind, left, right] for kind, left, right in blocks])
    for line in layout(document, columns, copy=True):
        assert len(line.text) <= columns


def test_pair_value_goes_right_and_wraps_under_a_long_label() -> None:
    short = layout(Document("payment", 1, [["pair", "Сдача", "290,00"]]), 32)
    assert short[0].text == "Сдача" + " " * 21 + "290,00"
    long = layout(Document("payment", 1, [["pair", "Очень длинное название поля формы "
                                           "платежа", "9051234567"]]), 32)
    assert [line.text for line in long] == ["Очень длинное название поля", "формы платежа" +
                                            " " * 9 + "9051234567"]


def test_a_copy_says_so_at_both_ends() -> None:
    lines = layout(Document("payment", 1, [["text", "x"]]), 32, copy=True)
    assert COPY_MARK in lines[0].text and COPY_MARK in lines[-1].text


def test_test_page_shows_width_and_the_codepage_table() -> None:
    lines = layout(printer_test_page(ReceiptSettings(), profile="POS-5890", codepage=17, columns=32,
                             qr=True), 32)
    text = [line.text for line in lines]
    assert "12345678901234567890123456789012" in text  # the ruler: exactly the width
    assert any(line.startswith("80 АБВГДЕЖЗИЙКЛМНОП") for line in text)
    assert any(line.startswith("E0 рстуфхцчшщъыьэюя") for line in text)
    assert any(line.startswith("F0 Ёё") for line in text)
    assert "CP866, ESC t 17" in " ".join(text)
