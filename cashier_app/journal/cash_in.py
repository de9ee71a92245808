"""Cash from the bill validator: sessions and every banknote in them, sealed in the chain.

A bill's life in the journal: ``stacking`` (written before the unit is told to stack it) →
``stacked`` (written when the unit reports it in the cassette, before anything counts it) —
or ``returned`` (the unit gave it back), or ``unconfirmed`` (the unit lost power while
stacking and could not say where the bill went: the supervisor decides, nothing is assumed).
Only ``stacked`` bills are money: a session's total, a payment's amountFrom, a voucher, the
cassette's count.

A session ends ``spent`` (its cash became a payment), ``voucher`` (nothing was paid — the
person walked away, the payment was refused — and the cash is owed back: a voucher code),
``empty`` (no bill was stacked), or ``test`` (an engineer's test cash, counted for collection
but never a payment). A voucher ends ``paid_out`` (the supervisor gave the cash back) or
``spent`` at the terminal (``spent_by``: the payment it became). Two vouchers hold no bills of
their own, only a ``credit``: the change of a terminal payment (purpose ``change``: a fixed sum
paid with a larger last bill) and the cash of a payment the center refused finally after it
was sent (purpose ``refund``, written in the transaction that records the failure). The
bills stay with the session they were inserted in: the cassette's count is never touched.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cashier_app.core.money import kopecks
from cashier_app.core.text import moment
from cashier_app.errors import UserFacingError

from .base import Table
from .seal import now_text

STACKING, STACKED, RETURNED, UNCONFIRMED = "stacking", "stacked", "returned", "unconfirmed"
OPEN, SPENT, VOUCHER, TEST, PAID_OUT = "open", "spent", "voucher", "test", "paid_out"
EMPTY = "empty"
PURPOSES = ("payment", "test")
CHANGE, REFUND = "change", "refund"  # vouchers without bills of their own (``credit``)


@dataclass(frozen=True)
class CashBill:
    id: int
    session_id: int
    at: str
    bill_type: int
    amount: Decimal
    currency: str
    state: str
    source: str
    confirmed_at: str | None
    collection: int | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CashBill:
        return cls(row["id"], row["session_id"], row["at"], row["bill_type"],
                   Decimal(row["amount"]), row["currency"], row["state"], row["source"],
                   row["confirmed_at"], row["collection"])


@dataclass(frozen=True)
class CashSession:
    id: int
    opened_at: str
    purpose: str
    state: str
    device: str | None
    agent_transaction_id: int | None
    voucher: str | None
    closed_at: str | None
    bills: tuple[CashBill, ...] = ()
    paid_out_at: str | None = None
    paid_out_by: str | None = None
    spent_by: int | None = None  # a voucher spent at the terminal: the payment it became
    credit: Decimal | None = None  # a change or refund voucher's sum (it has no bills)

    @property
    def total(self) -> Decimal:
        """The money of this session: its stacked bills (or a change or refund voucher's
        credit), to the kopeck."""
        return sum((bill.amount for bill in self.bills if bill.state == STACKED),
                   self.credit if self.credit is not None else Decimal("0.00"))

    @property
    def unresolved(self) -> tuple[CashBill, ...]:
        return tuple(bill for bill in self.bills if bill.state in (STACKING, UNCONFIRMED))


@dataclass(frozen=True)
class Collection:
    """One encashment: what the cassette held, by denomination, when it was taken out."""

    id: int
    at: str
    actor: str
    device: str | None
    bills: int
    total: Decimal
    by_denomination: dict[Decimal, int]
    unconfirmed: int  # bills whose stacking the unit never confirmed (see UNCONFIRMED)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Collection:
        counts = json.loads(row["by_denomination"])
        return cls(row["id"], row["at"], row["actor"], row["device"], row["bills"],
                   Decimal(row["total"]), {Decimal(k): int(v) for k, v in counts.items()},
                   row["unconfirmed"])


class CashInError(RuntimeError):
    pass


class VoucherNotPayable(CashInError, UserFacingError):
    """The voucher's money was already given, or the code is not a voucher's; ``str()`` is
    Russian, the same words at the supervisor's window and on the command line."""


class CashInTable(Table):
    def open_cash_session(self, purpose: str, device: str | None = None) -> CashSession:
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        with self._write():
            row = self.sealer.insert("cash_sessions", {
                "opened_at": now_text(), "purpose": purpose, "state": OPEN,
                "device": device, "owner": self.owner})
        return self.cash_session(row["id"])

    def cash_session(self, session_id: int) -> CashSession:
        row = self.sealer.row("cash_sessions", session_id)
        if row is None:
            raise CashInError(f"cash session {session_id} is not in the journal")
        bills = tuple(CashBill.from_row(bill) for bill in self.db.query(
            "select * from cash_in where session_id = ? order by id", [session_id]))
        return CashSession(row["id"], row["opened_at"], row["purpose"], row["state"],
                           row["device"], row["agent_transaction_id"], row["voucher"],
                           row["closed_at"], bills, row["paid_out_at"], row["paid_out_by"],
                           row["spent_by"],
                           Decimal(row["credit"]) if row["credit"] is not None else None)

    def open_cash_sessions(self) -> list[CashSession]:
        """Sessions not ended, of any program."""
        return [self.cash_session(row["id"]) for row in self.db.query(
            "select id from cash_sessions where state = ? order by id", [OPEN])]

    def claim_cash_sessions(self, device: str | None) -> list[CashSession]:
        """The open sessions of this unit (``device``; a session with none too) whose program
        is gone (killed, a power cut), taken over by this one in one transaction —
        compare-and-set on the owner, so of two programs starting together only one gets
        each — with this program's own. Another running program's session, or another
        unit's, is never touched: its bills are in another cassette or still on their way."""
        alive = self.lease.alive if self.lease is not None else (lambda owner: False)
        claimed = []
        with self._write():
            for row in list(self.db.query(
                    "select * from cash_sessions where state = ? order by id", [OPEN])):
                if row["owner"] != self.owner and alive(row["owner"]):
                    continue
                if row["device"] is not None and row["device"] != device:
                    continue
                if row["owner"] != self.owner:
                    self.sealer.update("cash_sessions", row, {"owner": self.owner})
                claimed.append(row["id"])
        return [self.cash_session(session_id) for session_id in claimed]

    def bill_stacking(self, session_id: int, bill_type: int, amount: Decimal,
                      currency: str) -> CashBill:
        """A bill about to be sent to the cassette (before STACK goes to the unit)."""
        with self._write():
            self._open_session_row(session_id)
            row = self.sealer.insert("cash_in", {
                "session_id": session_id, "at": now_text(), "bill_type": bill_type,
                "amount": format(amount, "f"), "amount_kop": kopecks(amount),
                "currency": currency, "state": STACKING, "source": "poll"})
        return CashBill.from_row(row)

    def bill_resolved(self, bill_id: int, state: str, *, source: str = "poll") -> CashBill:
        """The unit's word on a bill sent to stacking: stacked, returned, or unconfirmed
        (compare-and-set from ``stacking``: a bill is resolved once)."""
        if state not in (STACKED, RETURNED, UNCONFIRMED):
            raise ValueError(state)
        with self._write():
            current = self.sealer.row("cash_in", bill_id)
            if current is None:
                raise CashInError(f"bill {bill_id} is not in the journal")
            if current["state"] == STACKING or (current["state"] == UNCONFIRMED
                                                and state != UNCONFIRMED):
                current = self.sealer.update("cash_in", current, {
                    "state": state, "source": source, "confirmed_at": now_text()})
        return CashBill.from_row(current)

    def close_cash_session(self, session_id: int, state: str, *,
                           agent_transaction_id: int | None = None) -> CashSession:
        """End a session: ``spent`` by a payment, ``voucher`` (a code is issued; only for
        money), ``empty`` (only without money) or ``test``. A session with a bill still
        being stacked cannot end at all: its sum is not known yet (a voucher without that
        bill would short the person)."""
        if state not in (SPENT, VOUCHER, TEST, EMPTY):
            raise ValueError(state)
        with self._write():
            current = self._open_session_row(session_id)
            total = self._stacked_kopecks(session_id)
            if state == VOUCHER and not total:
                raise CashInError("a voucher for no money")
            if state == EMPTY and total:
                raise CashInError(f"cash session {session_id} holds money: not empty")
            changes: dict[str, Any] = {"state": state, "closed_at": now_text(),
                                       "agent_transaction_id": agent_transaction_id}
            if state == VOUCHER:
                changes["voucher"] = voucher_code()
            self.sealer.update("cash_sessions", current, changes)
        return self.cash_session(session_id)

    def spend_cash(self, session_ids: Sequence[int], agent_transaction_id: int, *,
                   change: Decimal = Decimal("0.00")) -> Decimal:
        """The cash of these sessions becomes payment ``agent_transaction_id``: an open
        session ends ``spent``, a voucher is spent (once: compare-and-set); ``change`` (the
        part above the payment's amountFrom) becomes a voucher of its own. Returns their
        whole sum — amountFrom plus change, as the journal has it. Call inside the
        transaction that journals the pay: the money and the payment change hands in one
        commit."""
        total = 0
        with self._write():
            device = None
            for session_id in session_ids:
                row = self.sealer.row("cash_sessions", session_id)
                if row is not None and row["state"] == OPEN:
                    kopecks_in = self._stacked_kopecks(session_id)
                    self.sealer.update("cash_sessions", row, {
                        "state": SPENT, "closed_at": now_text(),
                        "agent_transaction_id": agent_transaction_id})
                    device = row["device"]
                elif row is not None and row["state"] == VOUCHER:
                    kopecks_in = self._stacked_kopecks(session_id) + (row["credit_kop"] or 0)
                    self.sealer.update("cash_sessions", row, {
                        "state": SPENT, "spent_by": agent_transaction_id})
                else:
                    raise VoucherNotPayable(_not_payable(row))
                total += kopecks_in
            if change > 0:
                self._credit_voucher(CHANGE, change, agent_transaction_id, device)
        return (Decimal(total) / 100).quantize(Decimal("0.01"))

    def give_back_cash(self, agent_transaction_id: int, amount: Decimal | None
                       ) -> CashSession | None:
        """Payment ``agent_transaction_id`` failed finally: if validator cash (or a voucher)
        paid it, its ``amount`` (the amountFrom) is owed back — as a refund voucher. Call
        inside the transaction that records the failure. None for a desk payment."""
        with self._write():
            funded = self.db.execute(
                "select device from cash_sessions where state = ? and purpose = ? and "
                "(agent_transaction_id = ? or spent_by = ?) order by id limit 1",
                [SPENT, "payment", agent_transaction_id, agent_transaction_id]).fetchone()
            spent_voucher = self.db.execute(
                "select count(*) from cash_sessions where spent_by = ?",
                [agent_transaction_id]).fetchone()[0]
            if (funded is None and not spent_voucher) or not amount:
                return None
            row = self._credit_voucher(REFUND, amount, agent_transaction_id,
                                       funded[0] if funded else None)
        return self.cash_session(row["id"])

    def _credit_voucher(self, purpose: str, amount: Decimal, agent_transaction_id: int,
                        device: str | None) -> dict[str, Any]:
        now = now_text()
        return self.sealer.insert("cash_sessions", {
            "opened_at": now, "purpose": purpose, "state": VOUCHER, "device": device,
            "owner": self.owner, "agent_transaction_id": agent_transaction_id,
            "voucher": voucher_code(), "closed_at": now, "credit": format(amount, "f"),
            "credit_kop": kopecks(amount)})

    def cash_of_payment(self, agent_transaction_id: int) -> list[CashSession]:
        """The sessions and vouchers whose cash became this payment (none: a desk payment)."""
        return [self.cash_session(row["id"]) for row in self.db.query(
            "select id from cash_sessions where agent_transaction_id = ? or spent_by = ? "
            "order by id", [agent_transaction_id, agent_transaction_id])]

    def voucher(self, code: str) -> CashSession | None:
        """The session a voucher code was issued for (the code as printed, with or without
        its dashes and spaces), or None."""
        digits = "".join(ch for ch in code if ch.isdigit())
        if len(digits) != 12:
            return None
        wanted = f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
        row = self.db.execute("select id from cash_sessions where voucher = ?",
                              [wanted]).fetchone()
        return self.cash_session(row[0]) if row else None

    def spendable_voucher(self, code: str) -> CashSession:
        """The voucher of ``code`` while it can still be spent or paid out; VoucherNotPayable
        (Russian: no such code, already spent, already paid out) otherwise."""
        session = self.voucher(code)
        if session is None or session.state != VOUCHER:
            row = self.sealer.row("cash_sessions", session.id) if session else None
            raise VoucherNotPayable(_not_payable(row))
        return session

    def unpaid_vouchers(self) -> list[CashSession]:
        """Vouchers issued and not yet paid out (nor spent), oldest first."""
        return [self.cash_session(row["id"]) for row in self.db.query(
            "select id from cash_sessions where state = ? order by id", [VOUCHER])]

    def vouchers_paid_out(self, since: str | None) -> list[CashSession]:
        """Vouchers the supervisor paid out in cash after ``since`` (None: ever), oldest
        first: cash that left the point's till, for the collection report."""
        return [self.cash_session(row["id"]) for row in self.db.query(
            "select id from cash_sessions where state = ? and paid_out_at > ? "
            "order by paid_out_at", [PAID_OUT, since or ""])]

    def pay_out_voucher(self, session_id: int, actor: str) -> CashSession:
        """The supervisor gives the voucher's sum back in cash: once (compare-and-set from
        ``voucher``), with who and when; CashInError for a voucher already paid or spent."""
        with self._write():
            current = self.sealer.row("cash_sessions", session_id)
            if current is None or current["state"] != VOUCHER:
                raise VoucherNotPayable(_not_payable(current))
            self.sealer.update("cash_sessions", current, {
                "state": PAID_OUT, "paid_out_at": now_text(), "paid_out_by": actor})
        return self.cash_session(session_id)

    def cassette(self) -> Counter[Decimal]:
        """Bills in the cassette since the last collection, by denomination (stacked, and
        unconfirmed ones apart: see :meth:`unconfirmed_bills`)."""
        return Counter({Decimal(amount): count for amount, count in self.db.execute(
            "select amount, count(*) from cash_in where collection is null and state = ? "
            "group by amount", [STACKED])})

    def collect(self, actor: str, device: str | None = None) -> Collection:
        """The encashment: every stacked bill in the cassette is counted into one
        collection (and marked with it, sealed), and the cassette's count starts anew.
        Unconfirmed bills stay for the supervisor's decision; their number is noted."""
        with self._write():
            rows = list(self.db.query(
                "select * from cash_in where collection is null and state = ? order by id",
                [STACKED]))
            counts = Counter(Decimal(row["amount"]) for row in rows)
            total = sum((amount * count for amount, count in counts.items()), Decimal("0.00"))
            unconfirmed = self.db.execute(
                "select count(*) from cash_in where collection is null and state in (?, ?)",
                [STACKING, UNCONFIRMED]).fetchone()[0]
            written = self.sealer.insert("collections", {
                "at": now_text(), "actor": actor, "device": device, "bills": len(rows),
                "total": format(total, "f"), "total_kop": kopecks(total),
                "by_denomination": json.dumps({format(k, "f"): v for k, v in
                                               sorted(counts.items())}),
                "unconfirmed": unconfirmed})
            for row in rows:
                self.sealer.update("cash_in", row, {"collection": written["id"]})
        return Collection.from_row(written)

    def collections(self, limit: int = 50) -> list[Collection]:
        return [Collection.from_row(row) for row in self.db.query(
            "select * from collections order by id desc limit ?", [limit])]

    def unconfirmed_bills(self) -> list[CashBill]:
        return [CashBill.from_row(row) for row in self.db.query(
            "select * from cash_in where state in (?, ?) order by id", [STACKING, UNCONFIRMED])]

    def _stacked_kopecks(self, session_id: int) -> int:
        """A session's money in kopecks; CashInError while a bill is still being stacked."""
        stacking, total = self.db.execute(
            "select count(*) filter (where state = ?), coalesce(sum(amount_kop) filter "
            "(where state = ?), 0) from cash_in where session_id = ?",
            [STACKING, STACKED, session_id]).fetchone()
        if stacking:
            raise CashInError("a bill of this session is still being stacked")
        return int(total)

    def _open_session_row(self, session_id: int) -> dict[str, Any]:
        current = self.sealer.row("cash_sessions", session_id)
        if current is None or current["state"] != OPEN:
            raise CashInError(f"cash session {session_id} is not open")
        return current


def _not_payable(row: dict[str, Any] | None) -> str:
    if row is not None and row["state"] == PAID_OUT:
        return (f"По ваучеру {row['voucher']} деньги уже выданы: {moment(row['paid_out_at'])}, "
                f"{row['paid_out_by']}")
    if row is not None and row["voucher"] and row["spent_by"] is not None:
        return f"Ваучер {row['voucher']} уже использован: платёж {row['spent_by']}"
    if row is not None and row["voucher"]:
        return f"Ваучер {row['voucher']} не подлежит выдаче"
    return "Такого ваучера нет"


def voucher_code() -> str:
    """Twelve digits in three groups: read aloud, typed at the terminal or by the supervisor."""
    digits = f"{secrets.randbelow(10**12):012d}"
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
