"""Payments, their attempts and the desk's cash-register link: create, state changes with
compare-and-set (``expect``), the owner's take-over, the lists the engine works from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlite_utils.db import NotFoundError

from cashier_app.core.states import State, ensure_transition

from .base import Table
from .records import (
    Attempt,
    PaymentRecord,
    expected,
    to_columns,
)
from .seal import now_text


class PaymentsTable(Table):
    # --- payments ------------------------------------------------------------------
    def create(self, *, state: State = State.NEW, **values: Any) -> PaymentRecord:
        """A new payment, ``new`` — or ``checked`` for an operation that has nothing to check
        with the processing center (an e-wallet operation: its own service checks it)."""
        if state not in (State.NEW, State.CHECKED):
            raise ValueError(f"a payment cannot be created {state}")
        now = now_text()
        row = to_columns({"extras": {}, **values})
        row.update(state=str(state), created_at=now, updated_at=now, owner=self.owner)
        with self._write():
            written = self.sealer.insert("payments", row)
        return PaymentRecord.from_row(written)

    def get(self, agent_transaction_id: int) -> PaymentRecord:
        row = self.sealer.row("payments", agent_transaction_id)
        if row is None:
            raise NotFoundError(f"payment {agent_transaction_id} is not in the journal")
        return PaymentRecord.from_row(row)

    def transition(self, agent_transaction_id: int, target: State, *,
                   expect: State | tuple[State, ...] | None = None,
                   attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        """Move a payment to ``target`` (checked against the state machine) with new values,
        in one transaction, together with the ``attempt`` that led there (one fsync, and no
        outcome without its attempt or attempt without its outcome).

        ``expect``: write only if the payment is still in that state (another program may have
        settled it meanwhile); otherwise the attempt alone is kept and the payment is returned
        as it is."""
        with self._write():
            if attempt is not None:
                self._add_attempt(attempt)
            current = self._current(agent_transaction_id)
            state = State(current["state"])
            if not expected(state, expect):
                return PaymentRecord.from_row(current)
            if state is not target:
                ensure_transition(state, target)
            written = self._update(current, state=str(target), **values)
        return PaymentRecord.from_row(written)

    def update(self, agent_transaction_id: int, *,
               expect: State | tuple[State, ...] | None = None,
               attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        """New values without a change of state (same ``expect`` and ``attempt`` as
        :meth:`transition`)."""
        with self._write():
            if attempt is not None:
                self._add_attempt(attempt)
            current = self._current(agent_transaction_id)
            if not expected(State(current["state"]), expect):
                return PaymentRecord.from_row(current)
            written = self._update(current, **values)
        return PaymentRecord.from_row(written)

    def claim(self, agent_transaction_id: int, previous: str | None) -> PaymentRecord | None:
        """Take over a payment whose owner ``previous`` is gone: compare-and-set, so of two
        programs that both found it orphaned only one gets it. None: somebody else did."""
        claimed = self.claim_many([(agent_transaction_id, previous)])
        return claimed[0] if claimed else None

    def claim_many(self, orphans: Sequence[tuple[int, str | None]]) -> list[PaymentRecord]:
        """:meth:`claim` for several payments in one transaction — a program starting after
        a crash takes over the pending payments it left with one fsync, not one each. Those
        another program got first are left out."""
        claimed = []
        with self._write():
            for agent_transaction_id, previous in orphans:
                current = self._current(agent_transaction_id)
                if current.get("owner") == previous:
                    written = self._update(current, owner=self.owner)
                    claimed.append(PaymentRecord.from_row(written))
        return claimed

    def _current(self, agent_transaction_id: int) -> dict[str, Any]:
        """The row as it is now, read under the write lock."""
        row = self.sealer.row("payments", agent_transaction_id)
        if row is None:
            raise NotFoundError(f"payment {agent_transaction_id} is not in the journal")
        return row

    def _update(self, current: dict[str, Any], **values: Any) -> dict[str, Any]:
        changes = to_columns(values)
        changes["updated_at"] = now_text()
        return self.sealer.update("payments", current, changes)

    def in_state(self, *states: State) -> list[PaymentRecord]:
        marks = ",".join("?" for _ in states)
        rows = self.db.query(
            f"select * from payments where state in ({marks}) "
            "order by coalesce(next_attempt_at, created_at), agent_transaction_id",
            [str(s) for s in states])
        return [PaymentRecord.from_row(row) for row in rows]

    def pending(self) -> list[PaymentRecord]:
        return self.in_state(State.PAYING)

    def unsettled(self) -> list[PaymentRecord]:
        """Everything the engine still has to bring to an end: pays «в обработке» and QR
        codes that may still be paid."""
        return self.in_state(State.PAYING, State.QR_WAITING)

    def count_pending(self) -> int:
        """How many payments are «в обработке» or wait for a QR payment, without loading
        them (UI status bar)."""
        return sum(self.count_pending_by_state().values())

    def count_pending_by_state(self) -> dict[State, int]:
        """Payments «в обработке» (``paying``) and QR codes still waiting for the person's
        bank (``qr_waiting``), counted apart: the status bar names them apart."""
        counts = {State.PAYING: 0, State.QR_WAITING: 0}
        for state, count in self.db.execute(
                "select state, count(*) from payments where state in (?, ?) group by state",
                [str(State.PAYING), str(State.QR_WAITING)]):
            counts[State(state)] = int(count)
        return counts

    # --- the desk's cash-register link (QR СБП) ------------------------------------
    def cash_link(self) -> tuple[str, str] | None:
        rows = list(self.db.query("select qr_id, payload from cash_link "
                                  "order by registered_at desc limit 1"))
        return (rows[0]["qr_id"], rows[0]["payload"]) if rows else None

    def save_cash_link(self, qr_id: str, payload: str) -> None:
        with self._write():
            self.db.table("cash_link").insert({"qr_id": qr_id, "payload": payload,
                                               "registered_at": now_text()}, replace=True)

    def service_usage(self) -> dict[str, int]:
        """How many payments each service has had at this point (any outcome)."""
        rows = self.db.execute("select service_id, count(*) from payments group by service_id")
        return {service_id: int(count) for service_id, count in rows.fetchall()}

    def max_id(self) -> int:
        value = self.db.execute("select max(agent_transaction_id) from payments").fetchone()[0]
        return int(value or 0)

    # --- attempts ------------------------------------------------------------------
    def add_attempt(self, attempt: Attempt) -> None:
        with self._write():
            self._add_attempt(attempt)

    def _add_attempt(self, attempt: Attempt) -> None:
        self.sealer.insert("attempts", attempt.__dict__)

    def attempts(self, agent_transaction_id: int) -> list[Attempt]:
        known = {f.name for f in fields(Attempt)}
        rows = self.db.table("attempts").rows_where("agent_transaction_id = ?",
                                              [agent_transaction_id], order_by="id")
        return [Attempt(**{k: v for k, v in row.items() if k in known}) for row in rows]
