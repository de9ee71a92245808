"""Shifts with a cash count: what the drawer should hold by the journal, what was counted, the
difference; a closed shift's totals are fixed in its row. No Qt.

The drawer at the close should hold the float counted at the open plus the cash of every
payment accepted in the shift (``paying`` or ``paid``, paid in cash); a QR СБП payment puts
nothing there, a failed payment's cash went back to the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cashier_app.core.cashiers import Role
from cashier_app.core.money import AmountError, kopecks
from cashier_app.core.text import money
from cashier_app.journal import CashCount, Journal, Shift, ShiftError
from cashier_app.receipts.document import difference_word
from cashier_app.receipts.shift_report import ShiftTotals, shift_totals

#: Notes and coins of the rouble a drawer holds, largest first.
DENOMINATIONS: tuple[Decimal, ...] = tuple(Decimal(v) for v in (
    "5000", "2000", "1000", "500", "200", "100", "50", "10", "5", "2", "1", "0.50", "0.10"))


def denominations_total(counts: Mapping[str, int]) -> Decimal:
    """The sum of a count by face value (``{"5000": 3, "0.50": 4}`` → 15002.00)."""
    total = Decimal("0.00")
    for face, pieces in counts.items():
        if pieces < 0:
            raise AmountError(f"Отрицательное количество купюр {money(Decimal(face))}")
        total += Decimal(face) * pieces
    return total


NO_DIFFERENCE = "Сходится: расхождения нет"
#: How each outcome of a count is shown (the style sheet's ``kind``): nothing missing is
#: good news, a shortage is an error, a surplus a warning (money to account for).
KINDS = {"": "ok", "недостача": "error", "излишек": "warn"}


def difference_text(difference: Decimal) -> str:
    """The count's outcome in words, for the cashier and the supervisor."""
    word = difference_word(difference)
    if not word:
        return NO_DIFFERENCE
    return f"{word.capitalize()}: {money(abs(difference))}"


def difference_kind(difference: Decimal) -> str:
    """``ok`` for no difference, ``error`` for a shortage, ``warn`` for a surplus."""
    return KINDS[difference_word(difference)]


def current_totals(journal: Journal, shift: Shift) -> ShiftTotals:
    return shift_totals(journal.shift_payments(shift.id), journal.shift_refunds(shift))


def expected_cash(journal: Journal, shift: Shift) -> Decimal:
    """The float plus the shift's cash as the journal has it now."""
    return shift.opening_cash + current_totals(journal, shift).cash_expected


def totals_json(totals: ShiftTotals, opening_cash: Decimal) -> dict[str, Any]:
    """The totals fixed at the close, with the float."""
    return {**totals.as_json(), "opening_cash": format(opening_cash, "f")}


def open_shift(journal: Journal, cashier: str, opening_cash: Decimal = Decimal("0.00")
               ) -> Shift:
    if opening_cash < 0:
        raise ShiftError("Размен не может быть отрицательным")
    kopecks(opening_cash)  # refuses fractions of a kopeck
    return journal.open_shift(cashier, opening_cash=opening_cash)


def close_shift(journal: Journal, shift_id: int, *, actor: str, role: Role,
                counted: Decimal | None, denominations: Mapping[str, int] | None = None
                ) -> Shift:
    """Close with the count (``counted`` None: closed without counting, which the audit
    says). The expected cash and the totals are computed in the closing transaction, so no
    payment of the shift can slip between them and the close."""
    with journal.transaction():
        shift = journal.shift(shift_id)
        if shift.closed_at is not None:
            raise ShiftError(f"Смена №{shift_id} уже закрыта")
        totals = current_totals(journal, shift)
        expected = shift.opening_cash + totals.cash_expected
        count = None
        if counted is not None:
            if counted < 0:
                raise ShiftError("Пересчитанная сумма не может быть отрицательной")
            kopecks(counted)
            count = CashCount(expected, counted,
                              {k: int(v) for k, v in denominations.items() if v}
                              if denominations else None)
        closed = journal.close_shift(shift_id, closed_by=actor, count=count,
                                     totals=totals_json(totals, shift.opening_cash))
        journal.audit(actor, str(role), "shift_close", f"смена {shift_id}", {
            "cashier": shift.cashier, "expected": format(expected, "f"),
            "counted": format(counted, "f") if counted is not None else None,
            "difference": format(count.difference, "f") if count else None})
    return closed
