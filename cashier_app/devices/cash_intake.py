"""The money side of a kiosk: one bill acceptor, the journal, and the person's session.

What a person inserts counts only when the unit reports it stacked, and only after it is in
the journal: a bill in escrow is first written as ``stacking``, then the unit is told to stack
it; its STACKED answer is written as ``stacked`` and published (:class:`CashChanged`) — and
only then acknowledged to the unit (see :mod:`cashier_app.devices.ccnet_driver`). A power cut
or a killed process at any point leaves the bill in the journal in one of those two states,
and :meth:`CashIntake.start` resolves a ``stacking`` one from what the unit says at power-up.

Every event of the unit is published on the intake's hub as it arrives (an engineer's or a
log's view); what a screen needs is published after the journal has it: :class:`CashChanged`,
:class:`BillRefused`, :class:`AcceptorStatus`.

Which bills the unit may take follows the payment (:class:`CashRules`): never one that would
go over what is still owed for a fixed amount or an invoice, nor over the service's or the
agent's maximum. A bill in escrow that breaks a rule (the rules changed while it was being
inserted) is returned, not stacked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from cashier_app.events import EventHub
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import (
    EMPTY,
    RETURNED,
    SPENT,
    STACKED,
    STACKING,
    TEST,
    UNCONFIRMED,
    VOUCHER,
    CashBill,
    CashSession,
)
from cashier_app.util.failpoints import failpoint

from .acceptor import (
    AcceptorEvent,
    BillAcceptor,
    Denomination,
    Escrowed,
    LinkLost,
    LinkRestored,
    Rejected,
    Returned,
    Stacked,
    StateChanged,
)

log = logging.getLogger(__name__)
#: what a unit reports at start about a bill it was handling when this program stopped:
#: in the cassette (a power cut while stacking, or a STACKED never acknowledged) …
IN_CASSETTE = ("stacked", "stacking")
#: … or lost power with it on the way there: it reports it stacked after its RESET
CREDIT_RECOVERY = "power_up_bill_in_stacker"
#: … or still in its head, which the RESET at start gives back to the person
POWER_UP_CODES = ("power_up", "power_up_bill_in_validator", CREDIT_RECOVERY)
READY_CODES = ("idling", "unit_disabled")
#: the longest a unit takes from STACK to its stacked (or returned) answer (CCNET, p.41)
STACK_TIMEOUT = 30.0
GIVEN_BACK = ("power_up_bill_in_validator", "escrow", "accepting", "returning", "returned")


@dataclass(frozen=True)
class CashRules:
    """``owed``: the exact sum still to collect (a fixed amount, an invoice) or None (any
    sum); ``maximum``: the most the session may hold (service or agent limit) or None."""

    owed: Decimal | None = None
    maximum: Decimal | None = None

    def allows(self, bill: Decimal, total: Decimal) -> bool:
        if self.owed is not None and total + bill > self.owed:
            return False
        return self.maximum is None or total + bill <= self.maximum


@dataclass(frozen=True)
class CashChanged:
    """A session's money changed (a bill stacked): what a screen shows."""

    session_id: int
    total: Decimal
    bill: CashBill


@dataclass(frozen=True)
class BillRefused:
    """A bill was given back: not accepted now (``reason`` is Russian)."""

    session_id: int | None
    reason: str


@dataclass(frozen=True)
class AcceptorStatus:
    """The unit's state for the screens: ``fault`` — out of service."""

    text: str
    fault: bool
    link: bool


class CashIntake:
    def __init__(self, journal: Journal, acceptor: BillAcceptor, *,
                 events: EventHub | None = None) -> None:
        self.journal = journal
        self.acceptor = acceptor
        self.events = events or EventHub()
        self.session: CashSession | None = None
        self.rules = CashRules()
        self._pending: CashBill | None = None  # written as stacking, STACK sent
        self._tasks: set[asyncio.Task[None]] = set()
        self._fault: str | None = None  # the unit's fault state now, if any
        self._power_up: str | None = None  # a power-up seen, the unit not ready yet
        self._claimed: set[int] = set()  # interrupted sessions of this unit, taken over

    @property
    def device(self) -> str | None:
        identity = self.acceptor.identity
        return f"{identity.part_number} {identity.serial_number}" if identity else None

    # --- start and recovery -----------------------------------------------------------------
    async def start(self) -> list[CashSession]:
        """Start the unit (every bill disabled) and settle what an interruption left: a bill
        the journal has as ``stacking`` is stacked if the unit reports a bill in its stacker
        at power-up, returned if it reports one in the validator (a RESET gives it back),
        otherwise unconfirmed — for the supervisor, never guessed. Only this unit's sessions
        whose program is gone are taken over; another running program's are left alone.
        Returns the sessions taken over, with their money (the kiosk finishes their payment
        or gives a voucher)."""
        await self.acceptor.start(self._on_event)
        found = self.acceptor.found_at_start
        claimed = self.journal.claim_cash_sessions(self.device)
        self._claimed = {session.id for session in claimed}
        stacking = [bill for session in claimed for bill in session.bills
                    if bill.state == STACKING]
        if found == CREDIT_RECOVERY and stacking:
            # the unit lost power with a bill on its way: it reports it after its RESET (see
            # _credit), or, ready without doing so, leaves it unconfirmed (_after_power_up)
            self._pending, self._power_up = stacking.pop(), CREDIT_RECOVERY
        for bill in stacking:
            if found in IN_CASSETTE:
                state, found = STACKED, None  # the unit finished stacking it: this one
            elif found in GIVEN_BACK:
                state, found = RETURNED, None
            else:
                state = UNCONFIRMED
            self._resolved(bill, state)
        return [self.journal.cash_session(session_id) for session_id in sorted(self._claimed)]

    # --- a person's session -----------------------------------------------------------------
    async def begin(self, purpose: str = "payment", rules: CashRules | None = None,
                    *, resume: CashSession | None = None) -> CashSession:
        """Open a session (or go on with one left open) and enable the bills the rules allow."""
        self.session = resume or self.journal.open_cash_session(purpose, self.device)
        await self.set_rules(rules or CashRules())
        return self.session

    async def set_rules(self, rules: CashRules) -> None:
        self.rules = rules
        await self._update_mask()

    def allowed(self) -> list[Denomination]:
        """The bills the unit takes now (what the screen lists as accepted)."""
        if self.session is None:
            return []
        total = self.session.total
        return [bill for bill in self.acceptor.bill_table
                if self.rules.allows(bill.amount, total)]

    async def hold(self) -> CashSession:
        """Stop taking bills and wait for the unit's word on one already sent to the
        cassette (CCNET: stacked or returned within 30 s of STACK): then the session's sum
        is final — what a payment or a voucher is made of. The session stays open."""
        if self.session is None:
            raise RuntimeError("no cash session")
        await self.acceptor.enable(())
        deadline = asyncio.get_running_loop().time() + STACK_TIMEOUT
        while self._pending is not None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return self.session

    def release(self) -> None:
        """The session was ended elsewhere (spent by a payment in its pay transaction)."""
        self.session = None
        self.rules = CashRules()

    async def finish(self, state: str, *, agent_transaction_id: int | None = None
                     ) -> CashSession:
        """End the session: ``spent`` by payment ``agent_transaction_id``, ``voucher``,
        ``empty`` or ``test``; the unit takes nothing more."""
        if state not in (SPENT, VOUCHER, TEST, EMPTY):
            raise ValueError(state)
        session = await self.hold()
        closed = self.journal.close_cash_session(session.id, state,
                                                 agent_transaction_id=agent_transaction_id)
        self.release()
        return closed

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _update_mask(self) -> None:
        await self.acceptor.enable({bill.bill_type for bill in self.allowed()})

    # --- what the unit says -------------------------------------------------------------------
    async def _on_event(self, event: AcceptorEvent) -> None:
        self.events.publish(event)  # what the unit said, as it said it (an engineer's view)
        if isinstance(event, Escrowed):
            await self._escrowed(event.bill)
        elif isinstance(event, Stacked) and event.at_power_up:
            self._credit(event.bill)
            self._later(self._update_mask())
        elif isinstance(event, Stacked):
            self._stacked(event.bill)  # raises: the driver does not ACK, the unit repeats
            # the driver waits for this listener before its ACK, holding the line: the new
            # mask goes out after it (a bill inserted meanwhile still stops in escrow, where
            # the rules are checked again)
            self._later(self._update_mask())
        elif isinstance(event, Returned):
            if self._pending is not None:
                self.journal.bill_resolved(self._pending.id, RETURNED)
                self._pending = None
            self.events.publish(BillRefused(self.session.id if self.session else None,
                                            "Купюра возвращена"))
        elif isinstance(event, Rejected):
            self.events.publish(BillRefused(self.session.id if self.session else None,
                                            f"Купюра не принята: {event.reason}"))
        elif isinstance(event, StateChanged):
            self._record_fault(event)
            self._after_power_up(event.code)
            self.events.publish(AcceptorStatus(event.text, event.fault, True))
        elif isinstance(event, LinkLost):
            self.events.publish(AcceptorStatus(event.text, True, False))
        elif isinstance(event, LinkRestored):
            self.events.publish(AcceptorStatus("Купюроприёмник на связи", False, True))
            await self._update_mask()

    def _after_power_up(self, code: str) -> None:
        """Power lost and back while a bill was on its way: a unit that reports it stacked
        after its RESET has been heard by :meth:`_credit` by now; once the unit is ready
        without having done so, the bill is returned (it was still in the head) or
        unconfirmed (the supervisor counts the cassette) — never silently dropped."""
        if code in POWER_UP_CODES:
            self._power_up = code
            return
        if self._power_up is None or code not in READY_CODES:
            return
        power_up, self._power_up = self._power_up, None
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        self._resolved(pending, RETURNED if power_up in GIVEN_BACK else UNCONFIRMED)

    def _record_fault(self, event: StateChanged) -> None:
        """A cassette full or taken out, a jam, a failure — and its end — go to the audit:
        the collector's and the technician's visits are in the books too."""
        if event.fault:
            self.journal.audit("купюроприёмник", "device", event.code, self.device or "",
                               {"text": event.text})
        elif self._fault is not None:
            self.journal.audit("купюроприёмник", "device", "fault_cleared", self.device or "",
                               {"was": self._fault})
        self._fault = event.code if event.fault else None

    def _credit(self, bill: Denomination) -> None:
        """A bill the unit put in the cassette while power was cut: the one this program had
        sent to stacking (the oldest unresolved of that type), or — if the journal has none —
        a bill of its own in a session of its own, for a voucher: money in the cassette is
        never left out of the books."""
        mine = self._claimed | ({self.session.id} if self.session is not None else set())
        waiting = [b for b in self.journal.unconfirmed_bills()
                   if b.bill_type == bill.bill_type and b.session_id in mine]
        if waiting:
            self._resolved(waiting[0], STACKED)
            if self._pending is not None and self._pending.id == waiting[0].id:
                self._pending = None
            return
        session = self.journal.open_cash_session("payment", self.device)
        row = self.journal.bill_stacking(session.id, bill.bill_type, bill.amount, bill.currency)
        self._resolved(row, STACKED)
        log.warning("bill %s %s reported stacked at power-up with no journal row: kept in "
                    "session %s", bill.amount, bill.currency, session.id)

    def _resolved(self, bill: CashBill, state: str) -> None:
        resolved = self.journal.bill_resolved(bill.id, state, source="power_up")
        log.warning("bill %s (%s %s) interrupted while stacking: %s", bill.id, bill.amount,
                    bill.currency, state)
        if state == STACKED:
            session = self.journal.cash_session(bill.session_id)
            if self.session is not None and self.session.id == session.id:
                self.session = session
            self.events.publish(CashChanged(session.id, session.total, resolved))

    async def _escrowed(self, bill: Denomination) -> None:
        session = self.session
        if session is None or not self.rules.allows(bill.amount, session.total):
            log.info("bill %s %s returned: not allowed now", bill.amount, bill.currency)
            await self.acceptor.return_bill()
            self.events.publish(BillRefused(session.id if session else None,
                                            "Эта купюра сейчас не принимается"))
            return
        self._pending = self.journal.bill_stacking(session.id, bill.bill_type, bill.amount,
                                                   bill.currency)
        failpoint("cash.after_stacking_row")
        await self.acceptor.stack()

    def _stacked(self, bill: Denomination) -> None:
        pending = self._pending
        if pending is None or pending.bill_type != bill.bill_type or self.session is None:
            # the driver only reports a bill we sent to the cassette; this is a broken promise
            raise RuntimeError(f"stacked {bill} without its journal row")
        failpoint("cash.after_stacked_answer")  # the unit said stacked; nothing written yet
        written = self.journal.bill_resolved(pending.id, STACKED)
        failpoint("cash.after_stacked_commit")  # written, not yet acknowledged to the unit
        self._pending = None
        # the session as the journal now has it, without reading it back: this intake is
        # the only writer of its open session
        kept = tuple(bill for bill in self.session.bills if bill.id != written.id)
        self.session = replace(self.session, bills=(*kept, written))  # the newest bill last
        log.info("bill stacked: %s %s, session %s total %s", bill.amount, bill.currency,
                 self.session.id, self.session.total)
        self.events.publish(CashChanged(self.session.id, self.session.total, written))
