"""Golden receipts: the exact ESC/POS bytes for each scheme and paper width, read back as a
printer would read them. ``UPDATE_GOLDEN=1`` rewrites the files after a deliberate change;
look at the .txt diff before committing it."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from cashier_app.core.states import State
from cashier_app.journal import Journal
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.escpos_render import FEED_BEFORE_CUT, render
from cashier_app.receipts.layout import as_text, layout
from cashier_app.receipts.payment_receipt import payment_receipt
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService, gets_receipt, receipt_refusal
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import SETTINGS, golden_path, make_payment

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CASES = [("simple", State.PAID), ("displays", State.PAID), ("choice", State.PAID),
         ("complex", State.PAID), ("simple", State.PAYING)]


def check_golden(name: str, data: bytes, text: str) -> None:
    binary, readable = golden_path(f"{name}.bin"), golden_path(f"{name}.txt")
    if UPDATE:
        binary.write_bytes(data)
        readable.write_text(text, encoding="utf-8")
    assert readable.read_text(encoding="utf-8") == text
    assert binary.read_bytes() == data


@pytest.mark.parametrize("columns", [32, 48])
@pytest.mark.parametrize(("case", "state"), CASES)
def test_payment_receipt_bytes(tmp_path: Path, case: str, state: State, columns: int) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    record = make_payment(journal, case, state=state)
    lines = layout(payment_receipt(record, SETTINGS, 42), columns)
    data = render(lines, profile="default", codepage=17)
    name = f"{case}-{state}-{columns}"
    check_golden(name, data, as_text(lines))

    printed = decode(data)
    assert printed.codepage == 17 and printed.cuts == 1
    # the paper says what the preview says, line for line (the feed before the cut aside)
    assert printed.text().rstrip("\n") == as_text(lines).rstrip("\n")
    assert all(len(line.text) <= columns for line in printed.lines)
    text = printed.text()
    assert "ЧЕК № 42" in text and "ПРИЁМ ПЛАТЕЖА" in text
    assert 'ООО "Платёжный агент"' in text and "ИНН 7701234567" in text
    assert "Иванова Анна" in text and "23.11.2026 14:05" in text
    assert "1000001" in text  # agentTransactionId
    assert "+7 (800) 555-35-35" in text
    title = next(line for line in printed.lines if "ЧЕК №" in line.text)
    assert title.bold and title.big
    if state is State.PAYING:
        assert "ПЛАТЁЖ В ОБРАБОТКЕ" in text and "ещё нет" in text
        assert not any(line.qr for line in printed.lines)  # no transactionId to link to
    else:
        assert "ПЛАТЁЖ ПРОВЕДЁН" in text
        assert any(line.qr and line.qr.startswith("https://check.example.ru/?id=")
                   for line in printed.lines)


@pytest.mark.parametrize("columns", [32, 48])
def test_qr_sbp_receipt_bytes(tmp_path: Path, columns: int) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    record = make_payment(journal, "simple", state=State.PAID, method="sbp")
    lines = layout(payment_receipt(record, SETTINGS, 43), columns)
    data = render(lines, profile="default", codepage=17)
    check_golden(f"simple-sbp-paid-{columns}", data, as_text(lines))
    text = decode(data).text()
    assert "Способ оплаты" in text and "QR СБП" in text and "ПЛАТЁЖ ПРОВЕДЁН" in text
    assert "Наличными" not in text and "Сдача" not in text  # no cash changed hands
    cash = decode(render(layout(payment_receipt(
        make_payment(journal, "simple", 1000002), SETTINGS, 44), columns))).text()
    assert "наличными" in cash and "Сдача" in cash


@pytest.mark.parametrize("state", [State.QR_WAITING, State.FAILED])
def test_no_receipt_for_a_qr_code_that_was_not_paid(tmp_path: Path, state: State) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    record = make_payment(journal, "simple", state=state, method="sbp")
    assert not gets_receipt(record)
    with pytest.raises(ReceiptError, match="оплаченного QR-кода"):
        payment_receipt(record, SETTINGS, 45)


def test_a_refused_payment_gets_no_receipt_and_uses_no_number(tmp_path: Path) -> None:
    """«ИТОГО ПРИНЯТО» is for money the point kept: the cash of a refused payment goes back
    to the person, so there is no receipt for it — and no receipt number is used up."""
    journal = Journal(tmp_path / "j.sqlite3")
    paid = make_payment(journal, "simple", 1000001)
    refused = make_payment(journal, "choice", 1000002, state=State.FAILED)
    pending = make_payment(journal, "simple", 1000003, state=State.PAYING)
    assert gets_receipt(paid) and gets_receipt(pending) and not gets_receipt(refused)
    assert receipt_refusal(paid) is None
    assert receipt_refusal(refused) == ("Платёж не проведён: чек не печатается — принятые "
                                        "деньги (2 020,00 ₽) возвращают клиенту")
    with pytest.raises(ReceiptError, match="не проведён"):
        payment_receipt(refused, SETTINGS, 46)
    service = ReceiptService(journal, SETTINGS, PrinterConfig(kind="none"))
    first = service.payment_document(1000001)
    with pytest.raises(ReceiptError, match="возвращают клиенту"):
        service.payment_document(1000002)
    assert service.payment_document(1000003).number == first.number + 1  # none was used
    for never_paid in (State.CHECKED, State.CHECK_FAILED, State.CANCELLED):
        assert receipt_refusal(replace(paid, state=never_paid)) == (
            "Чек печатается только для принятого платежа (проведён или в обработке): по этому "
            "платежу деньги не принимались")
    service.close()
    journal.close()


def test_a_payment_refused_after_its_pending_receipt_gets_no_second_one(
        tmp_path: Path) -> None:
    """The «в обработке» receipt was printed; the payment is then refused: nothing new is
    made (the person gets the money back instead)."""
    journal = Journal(tmp_path / "j.sqlite3")
    make_payment(journal, "simple", 1000001, state=State.PAYING)
    service = ReceiptService(journal, SETTINGS, PrinterConfig(kind="none"))
    stored = service.payment_document(1000001)
    journal.transition(1000001, State.FAILED, result=7, result_message="Платёж запрещён")
    with pytest.raises(ReceiptError, match="не проведён"):
        service.payment_document(1000001)
    assert journal.latest_receipt(1000001) == stored
    service.close()
    journal.close()


def test_each_scheme_prints_what_the_person_needs(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    texts = {case: decode(render(layout(payment_receipt(
        make_payment(journal, case, 1000001 + n), SETTINGS, n), 42))).text()
        for n, case in enumerate(["simple", "displays", "choice", "complex"])}
    assert "Номер телефона" in texts["simple"] and "9051234567" in texts["simple"]
    displays = texts["displays"]
    assert "E-mail для чека" in displays and "petrov@example.ru" in displays
    assert "Абонент" in displays and "Test fio" in displays
    assert "Набережная 134 кв 5" in displays
    choice = texts["choice"]
    assert "Договор: Петров" in choice and "2/00-Ф от 16.02.2020" in choice
    complex_ = texts["complex"]
    assert "Счёт № 2020020003535444 от 01.02.2020" in complex_
    assert "Иванов Иван Иванович" in complex_ and "микрорайон 2, дом 42" in complex_
    assert "Электроэнергия" in complex_ and "4 870,00 -> 4 950" in complex_  # as people write
    assert "Отопление" in complex_ and "925,20" in complex_
    assert "ТО газа" not in complex_  # an excluded line is not on the receipt
    for text in texts.values():
        assert "₽" not in text and "«" not in text and "—" not in text


def test_a_profile_without_native_qr_gets_the_code_as_an_image(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    lines = layout(payment_receipt(make_payment(journal, "simple"), SETTINGS, 7), 32)
    printed = decode(render(lines, profile="POS-5890", codepage=17))
    assert printed.images == 1 and printed.cuts == 0  # POS-5890 has no cutter
    paper = [line.text for line in printed.lines if line.qr is None]
    assert paper[:-FEED_BEFORE_CUT] == [line.text for line in lines if line.qr is None]
    assert paper[-FEED_BEFORE_CUT:] == [""] * FEED_BEFORE_CUT


def test_codepage_slot_from_settings_is_the_one_sent(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    lines = layout(payment_receipt(make_payment(journal, "simple"), SETTINGS, 7), 32)
    assert decode(render(lines, profile="default", codepage=59)).codepage == 59
