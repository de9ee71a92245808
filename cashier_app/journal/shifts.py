"""Shifts: one open at a time per drawer, closed with the cash count and the totals fixed
in the closing transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .base import Table
from .records import (
    CashCount,
    PaymentRecord,
    Shift,
    ShiftError,
    day_bounds,
    to_json,
)
from .seal import now_text, seal


class ShiftsTable(Table):
    # --- shifts --------------------------------------------------------------------
    def open_shift_now(self) -> Shift | None:
        """The point's open shift (one cash drawer: at most one shift is open)."""
        rows = list(self.db.query(
            "select * from shifts where closed_at is null order by id desc limit 1"))
        return Shift.from_row(rows[0]) if rows else None

    def open_shift(self, cashier: str, *, opening_cash: Decimal = Decimal("0.00"),
                   opened_by: str | None = None) -> Shift:
        """Open the point's shift for ``cashier`` with ``opening_cash`` in the drawer (the
        float counted at the open)."""
        with self._write():
            current = self.open_shift_now()
            if current is not None:
                if current.cashier == cashier:
                    return current
                raise ShiftError(f"Открыта смена кассира {current.cashier} с "
                                 f"{current.opened_at[:16].replace('T', ' ')}: сначала "
                                 "закройте её")
            self.db.table("shifts").insert({
                "cashier": cashier, "opened_at": now_text(), "opened_by": opened_by or cashier,
                "opening_cash": format(opening_cash, "f")})
            row_id = self.db.execute("select last_insert_rowid()").fetchone()[0]
            seal(self.db, "shifts", row_id)
        return self.shift(row_id)

    def close_shift(self, shift_id: int, *, closed_by: str | None = None,
                    count: CashCount | None = None,
                    totals: dict[str, Any] | None = None) -> Shift:
        """Close the shift, with the cash count and the totals to fix in it (the caller
        computes them in the same transaction). Closing a closed shift changes nothing."""
        with self._write():
            row = self.db.table("shifts").get(shift_id)
            if row["closed_at"] is None:
                values: dict[str, Any] = {"closed_at": now_text(),
                                          "closed_by": closed_by or row["cashier"]}
                if totals is not None:
                    values["totals"] = to_json(totals)
                if count is not None:
                    values.update(expected_cash=format(count.expected, "f"),
                                  counted_cash=format(count.counted, "f"),
                                  cash_difference=format(count.difference, "f"),
                                  denominations=to_json(count.denominations)
                                  if count.denominations else None)
                self.db.table("shifts").update(shift_id, values)
                seal(self.db, "shifts", shift_id)
        return self.shift(shift_id)

    def shift(self, shift_id: int) -> Shift:
        return Shift.from_row(self.db.table("shifts").get(shift_id))

    def shifts(self, first: date, last: date) -> list[Shift]:
        """Shifts opened from ``first`` to ``last`` (days, inclusive), newest first."""
        rows = self.db.query("select * from shifts where opened_at >= ? and opened_at < ? "
                             "order by id desc", day_bounds(first, last))
        return [Shift.from_row(row) for row in rows]

    def shift_payments(self, shift_id: int) -> list[PaymentRecord]:
        rows = self.db.query("select * from payments where shift_id = ? "
                             "order by created_at, agent_transaction_id", [shift_id])
        return [PaymentRecord.from_row(row) for row in rows]
