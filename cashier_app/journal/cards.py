"""Card payments' refunds and the point's directory of people with saved cards.

A refund is money going back to a person's card: it is a row of its own (``card_refunds``),
written — with its exact request and what the payment will have left after it — before the
request is sent, and sealed in the chain like a payment. Its ``state``: ``sending`` (written,
its answer not yet known), ``done``, ``refused`` (the gateway's final no), ``unknown`` (no
answer, and the gateway's status has not settled it yet). The payment's ``card_remaining``
follows the refunds that are done, in the same transaction.

``card_users`` keeps, by phone (the gateway's login), the user token the gateway gave: a
returning customer's saved cards are found without asking them to register again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from cashier_app.core.money import kopecks

from .base import Table
from .records import Shift
from .seal import now_text, seal

SENDING, DONE, REFUSED, UNKNOWN = "sending", "done", "refused", "unknown"


@dataclass(frozen=True)
class CardRefund:
    id: int
    agent_transaction_id: int
    at: str
    actor: str
    note: str
    amount: Decimal
    remaining_before: Decimal
    remaining_after: Decimal
    body: bytes
    state: str
    message: str | None
    answer: str | None
    settled_at: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CardRefund:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        for name in ("amount", "remaining_before", "remaining_after"):
            values[name] = Decimal(values[name])
        return cls(**values)


@dataclass(frozen=True)
class CardUserEntry:
    login: str
    user_token: str
    email: str | None
    name: str | None
    state: str | None
    seen_at: str


class CardsTable(Table):
    # --- refunds ---------------------------------------------------------------------------
    def add_refund(self, agent_transaction_id: int, *, actor: str, note: str, amount: Decimal,
                   remaining_before: Decimal, remaining_after: Decimal, body: bytes
                   ) -> CardRefund:
        with self._write():
            self.db.execute(
                "insert into card_refunds (agent_transaction_id, at, actor, note, amount, "
                "amount_kop, remaining_before, remaining_after, body, state) values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [agent_transaction_id, now_text(), actor, note, format(amount, "f"),
                 kopecks(amount), format(remaining_before, "f"), format(remaining_after, "f"),
                 body, SENDING])
            number = self.db.execute("select last_insert_rowid()").fetchone()[0]
            seal(self.db, "card_refunds", number)
        return self.card_refund(number)

    def settle_refund(self, refund_id: int, state: str, *, message: str = "",
                      answer: str | None = None) -> CardRefund:
        """The refund's outcome; ``done`` also lowers the payment's remaining sum, in the
        same transaction. A refund already done or refused is not written again."""
        with self._write():
            row = self.db.execute("select state, agent_transaction_id, remaining_after from "
                                  "card_refunds where id = ?", [refund_id]).fetchone()
            if row is None:
                raise KeyError(f"card refund {refund_id} is not in the journal")
            if row[0] in (DONE, REFUSED):
                return self.card_refund(refund_id)
            self.db.execute("update card_refunds set state = ?, message = ?, answer = ?, "
                            "settled_at = ? where id = ?",
                            [state, message, answer,
                             now_text() if state in (DONE, REFUSED) else None, refund_id])
            seal(self.db, "card_refunds", refund_id)
            if state == DONE:
                remaining = Decimal(row[2])
                self.db.execute("update payments set card_remaining = ?, card_remaining_kop = "
                                "?, updated_at = ? where agent_transaction_id = ?",
                                [format(remaining, "f"), kopecks(remaining), now_text(), row[1]])
                seal(self.db, "payments", row[1])
        return self.card_refund(refund_id)

    def card_refund(self, refund_id: int) -> CardRefund:
        rows = list(self.db.query("select * from card_refunds where id = ?", [refund_id]))
        return CardRefund.from_row(rows[0])

    def card_refunds(self, agent_transaction_id: int) -> list[CardRefund]:
        rows = self.db.query("select * from card_refunds where agent_transaction_id = ? "
                             "order by id", [agent_transaction_id])
        return [CardRefund.from_row(row) for row in rows]

    def shift_refunds(self, shift: Shift) -> list[CardRefund]:
        """Refunds confirmed done while ``shift`` was open (to now, if it still is): what
        its X and Z reports say went back to cards."""
        rows = self.db.query(
            "select * from card_refunds where state = ? and settled_at >= ? "
            "and (? is null or settled_at <= ?) order by id",
            [DONE, shift.opened_at, shift.closed_at, shift.closed_at])
        return [CardRefund.from_row(row) for row in rows]

    # --- people with saved cards -----------------------------------------------------------
    def remember_card_user(self, login: str, user_token: str, *, email: str | None = None,
                           name: str | None = None, state: str | None = None
                           ) -> CardUserEntry:
        with self._write():
            self.db.execute(
                "insert into card_users (login, user_token, email, name, state, seen_at) "
                "values (?, ?, ?, ?, ?, ?) on conflict (login) do update set "
                "user_token = excluded.user_token, email = coalesce(excluded.email, email), "
                "name = coalesce(excluded.name, name), state = coalesce(excluded.state, "
                "state), seen_at = excluded.seen_at",
                [login, user_token, email, name, state, now_text()])
        entry = self.card_user(login)
        assert entry is not None
        return entry

    def card_user(self, login: str) -> CardUserEntry | None:
        rows = list(self.db.query("select * from card_users where login = ?", [login]))
        if not rows:
            return None
        values: dict[str, Any] = {f.name: rows[0].get(f.name) for f in fields(CardUserEntry)}
        return CardUserEntry(**values)
