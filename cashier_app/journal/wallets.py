"""The point's directory of e-wallets: every wallet it opened or looked up, by walletId and
phone, with what the wallet service last said of it (number, identification, status,
balance). The cashier finds a returning person's wallet by phone here — the service itself
has no search. Not money: the operations that move money are payments (method ``wallet``),
sealed in the chain; this table is a convenience and is not sealed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from .base import Table
from .records import PaymentRecord
from .seal import now_text


@dataclass(frozen=True)
class WalletEntry:
    wallet_id: str
    phone: str
    number: str | None
    identification: str | None  # ELEMENTARY | PERSONALIZED | IDENTIFIED
    status: str | None  # ACTIVE | CLOSED
    balance: Decimal | None  # as last seen (info)
    opened_at: str | None  # set when this point opened it
    opened_by: str | None
    seen_at: str
    closed_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> WalletEntry:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        if values["balance"] is not None:
            values["balance"] = Decimal(values["balance"])
        return cls(**values)


class WalletsTable(Table):
    def remember_wallet(self, wallet_id: str, *, phone: str | None = None,
                        **seen: Any) -> WalletEntry:
        """Add or refresh a wallet: ``seen`` are the columns just learnt (number,
        identification, status, balance, opened_at, opened_by, closed_at); None leaves a
        column as it was."""
        changes = {name: (format(value, "f") if isinstance(value, Decimal) else value)
                   for name, value in seen.items() if value is not None}
        now = now_text()
        with self._write():
            row = self.db.execute("select phone from wallets where wallet_id = ?",
                                  [wallet_id]).fetchone()
            if row is None:
                self.db.table("wallets").insert({"wallet_id": wallet_id, "phone": phone or "",
                                                 "seen_at": now, **changes})
            else:
                if phone:
                    changes["phone"] = phone
                self.db.table("wallets").update(wallet_id, {**changes, "seen_at": now})
        return self.wallet(wallet_id)  # type: ignore[return-value]

    def wallet(self, wallet_id: str) -> WalletEntry | None:
        rows = list(self.db.query("select * from wallets where wallet_id = ?", [wallet_id]))
        return WalletEntry.from_row(rows[0]) if rows else None

    def wallets_by_phone(self, phone: str) -> list[WalletEntry]:
        """This phone's wallets, open ones first, the newest first."""
        rows = self.db.query(
            "select * from wallets where phone = ? order by closed_at is not null, "
            "coalesce(opened_at, seen_at) desc", [phone])
        return [WalletEntry.from_row(row) for row in rows]

    def recent_wallets(self, limit: int = 50) -> list[WalletEntry]:
        rows = self.db.query("select * from wallets order by seen_at desc limit ?", [limit])
        return [WalletEntry.from_row(row) for row in rows]

    def wallet_operations(self, wallet_id: str, limit: int = 200) -> list[PaymentRecord]:
        """This point's money operations on a wallet, the newest first."""
        rows = self.db.query(
            "select * from payments where wallet_id = ? order by created_at desc, "
            "agent_transaction_id desc limit ?", [wallet_id, limit])
        return [PaymentRecord.from_row(row) for row in rows]

    def wallet_matches(self, wallet_id: str) -> set[str]:
        """The report entries already taken as proof by this wallet's operations."""
        rows = self.db.execute("select wallet_match from payments where wallet_id = ? and "
                               "wallet_match is not null", [wallet_id]).fetchall()
        return {row[0] for row in rows}
