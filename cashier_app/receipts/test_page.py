"""The printer's test page: the engineer who installs the point sees the width and the code page."""

from __future__ import annotations

from .document import (
    CENTER,
    PAIR,
    QR,
    RULE,
    TEXT,
    TITLE,
    Document,
    ReceiptSettings,
    add_closing,
)

PANGRAM = "Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЁ ёё № 1234567890"


def printer_test_page(settings: ReceiptSettings, *, profile: str, codepage: int, columns: int,
              qr: bool) -> Document:
    """A page that shows the printer's width and its CP866 table: the engineer sees at once
    whether the code page slot and the column count are right."""
    doc = Document("test", None)
    doc.add(TITLE, "ПРОБНАЯ СТРАНИЦА")
    doc.add(PAIR, "Профиль", profile)
    doc.add(PAIR, "Кириллица", f"CP866, ESC t {codepage}")
    doc.add(PAIR, "Ширина, символов", columns)
    doc.add("ruler")
    doc.add(TEXT, PANGRAM)
    doc.add(TEXT, "Замены: «кавычки» — тире, 100 ₽")
    doc.add(RULE)
    doc.add(CENTER, "Таблица CP866, 0x80-0xFF")
    doc.add("cptable")
    doc.add(RULE)
    if qr:
        doc.add(QR, "Касса: пробная печать QR")
    add_closing(doc, settings)
    return doc
