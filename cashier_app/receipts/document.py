"""Receipt documents: what a receipt says, independent of paper width.

A document is plain JSON-able data — a kind, a number and a list of blocks (a title, a pair of
label and value, a rule, a QR code…) — so that it is stored in the journal as printed and a
reprint prints the stored document again. The documents themselves are built next door:
:mod:`.payment_receipt` (a payment's receipt), :mod:`.shift_report` (X and Z) and
:mod:`.test_page`; this module holds what they share — the blocks, the point's details at the
top and the bottom, and the words for money and time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cashier_app.core.money import format_amount
from cashier_app.core.text import moment
from cashier_app.errors import UserFacingError

TITLE = "title"  # centred, bold, double height
CENTER = "center"  # centred
TEXT = "text"  # left, wrapped
PAIR = "pair"  # label on the left, value on the right
TOTAL = "total"  # a bold pair
RULE = "rule"  # ------
RULE2 = "rule2"  # ======
QR = "qr"  # a QR code of the text
BLANK = "blank"

Block = list[str]


class ReceiptError(UserFacingError, ValueError):
    """No receipt for this payment (e.g. it was never paid); ``str()`` is Russian."""


@dataclass(frozen=True)
class ReceiptSettings:
    """The point's details printed on every receipt (settings ``receipt.*``)."""

    agent_name: str = ""
    agent_inn: str = ""
    agent_address: str = ""
    point_address: str = ""
    support_phone: str = ""
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    qr_template: str = ""  # e.g. "https://example.ru/check?id={transaction_id}"; "" = no QR
    terminal: str = ""  # a self-service terminal's number: its receipts say so ("" = a desk)


@dataclass
class Document:
    kind: str  # payment | x | z | test
    number: int | None
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, *texts: object) -> None:
        self.blocks.append([kind, *(str(text) for text in texts)])

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "number": self.number, "blocks": self.blocks}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Document:
        return cls(str(data["kind"]), data.get("number"),
                   [[str(part) for part in block] for block in data["blocks"]])


def money(amount: Decimal | None) -> str:
    return format_amount(amount) if amount is not None else "-"


def difference_word(difference: Decimal) -> str:
    """A cash count's difference (counted − expected) in a word; empty when there is none."""
    return "недостача" if difference < 0 else "излишек" if difference > 0 else ""


def when(iso: str | None) -> str:
    """``2026-11-23T14:05:07.123`` → ``23.11.2026 14:05`` (the people's form of
    :func:`cashier_app.core.text.moment`; ``-`` for none, as receipts print it)."""
    return moment(iso) if iso else "-"


def add_heading(doc: Document, settings: ReceiptSettings) -> None:
    for line in settings.header:
        doc.add(CENTER, line)
    if settings.agent_name:
        doc.add(CENTER, settings.agent_name)
    if settings.agent_inn:
        doc.add(CENTER, f"ИНН {settings.agent_inn}")
    if settings.agent_address:
        doc.add(CENTER, settings.agent_address)
    if settings.point_address:
        doc.add(TEXT, f"Пункт приёма: {settings.point_address}")
    doc.add(RULE2)


def add_closing(doc: Document, settings: ReceiptSettings) -> None:
    if settings.support_phone:
        doc.add(CENTER, f"Поддержка: {settings.support_phone}")
    for line in settings.footer:
        doc.add(CENTER, line)


