"""Text for people: what came from outside made safe to show (:func:`printable`, kept in
:mod:`cashier_app.util.printable` so that logging can use it too), and one way of writing
amounts, numbers and dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from cashier_app.util.printable import printable

from .money import format_amount

__all__ = ["day", "moment", "money", "number", "printable"]


# --- how numbers, amounts and dates are written for people --------------------------------
# One form everywhere a person reads (the windows, messages, receipts, the CLI's plain text):
# amounts «4 000,00» (grouped, decimal comma; with «₽» where the unit is not already said),
# dates «01.12.2026», moments «01.12.2026 14:05», counts and meter readings grouped the same
# way. Wire formats (``4000.00``, ISO dates) stay in the journal, the JSON output and the raw
# request/answer the supervisor reads.


def money(amount: Decimal | None, *, rub: bool = True) -> str:
    """``Decimal("4000")`` → ``4 000,00 ₽`` (``rub=False``: without the sign); ``—`` for
    none."""
    if amount is None:
        return "—"
    text = format_amount(amount)
    return f"{text} ₽" if rub else text


def plural(count: int, one: str, few: str, many: str) -> str:
    """The Russian word for ``count`` things: 1 купюра, 3 купюры, 5 купюр, 11 купюр, 21 купюра."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def number(value: Decimal | int) -> str:
    """A count or a meter reading as written for people: ``4920``, ``12 345``, ``4 870,5``
    (grouped like amounts, decimal comma, no trailing zeros invented)."""
    exact = Decimal(value)
    sign = "-" if exact < 0 else ""
    whole, _, fraction = format(abs(exact), "f").partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    grouped = " ".join(groups) if len(groups) > 1 else (groups[0] if groups else "0")
    return f"{sign}{grouped}" + (f",{fraction}" if fraction else "")


def day(value: date | str | None) -> str:
    """A day: ``01.12.2026``; ``—`` for none; text that is not a date comes back as it is."""
    parsed = _parsed(value)
    if parsed is None:
        return "—" if not value else str(value)
    return parsed.strftime("%d.%m.%Y")


def moment(value: datetime | str | None, *, seconds: bool = False) -> str:
    """A moment: ``01.12.2026 14:05`` (``seconds``: ``14:05:07``); ``—`` for none."""
    parsed = _parsed(value)
    if parsed is None:
        return "—" if not value else str(value)
    if not isinstance(parsed, datetime):
        return parsed.strftime("%d.%m.%Y")
    return parsed.strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")


def _parsed(value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
