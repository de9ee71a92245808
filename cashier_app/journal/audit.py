"""The audit of people's actions (supervisor, PIN, commands) and the agent balance as
fetched — both sealed in the chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .base import Table
from .records import (
    AuditEntry,
    day_bounds,
    to_json,
)
from .seal import now_text, seal


class AuditTable(Table):
    # --- audit of supervisor actions ---------------------------------------------------
    def audit(self, actor: str, role: str, action: str, target: str = "",
              details: dict[str, Any] | None = None) -> AuditEntry:
        """Write one supervisor action (void attempt, reprint, settings change, shift close,
        …) with who did it; sealed in the chain like a payment."""
        with self._write():
            self.db.table("audit").insert({"at": now_text(), "actor": actor, "role": role,
                                           "action": action, "target": target,
                                           "details": to_json(details or {})})
            number = self.db.execute("select last_insert_rowid()").fetchone()[0]
            seal(self.db, "audit", number)
        return AuditEntry.from_row(self.db.table("audit").get(number))

    def audit_entries(self, first: date, last: date) -> list[AuditEntry]:
        rows = self.db.query("select * from audit where at >= ? and at < ? order by id desc",
                             day_bounds(first, last))
        return [AuditEntry.from_row(row) for row in rows]

    # --- agent balance as fetched --------------------------------------------------------
    def log_balance(self, balance: Decimal, overdraft: Decimal | None,
                    notification: Decimal | None, currency: str = "") -> None:
        """Keep a fetched agent balance when it differs from the last one kept."""
        values = {"balance": format(balance, "f"),
                  "overdraft": format(overdraft, "f") if overdraft is not None else None,
                  "notification": (format(notification, "f") if notification is not None
                                   else None), "currency": currency}
        with self._write():
            last = list(self.db.query("select balance, overdraft, notification, currency "
                                      "from balance_log order by id desc limit 1"))
            if last and last[0] == values:
                return
            self.db.table("balance_log").insert({"at": now_text(), **values})
            seal(self.db, "balance_log",
                 self.db.execute("select last_insert_rowid()").fetchone()[0])

    def balance_history(self, day: date) -> list[tuple[str, Decimal]]:
        """The balances fetched on ``day`` (time, balance), oldest first, with the last one
        from before the day first (the day's opening figure) when there is one."""
        bounds = day_bounds(day, day)
        before = list(self.db.query("select at, balance from balance_log where at < ? "
                                    "order by id desc limit 1", bounds[:1]))
        rows = before + list(self.db.query(
            "select at, balance from balance_log where at >= ? and at < ? order by id",
            bounds))
        return [(row["at"], Decimal(row["balance"])) for row in rows]
