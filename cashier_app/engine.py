"""The payment engine: brings every payment to a final state exactly once.

Rules it keeps (issue 3, seed 003):

* a payment is in the journal (state ``new``, its check body) before check is sent;
* the pay body, with its agentTransactionDate, is written together with the state ``paying``
  *before* the first pay is sent, and every attempt sends exactly those bytes;
* non-final codes and no answer keep it ``paying`` with the next attempt at a growing interval;
  a final code settles it; a 202 after a non-final answer does not;
* at start-up every ``paying`` payment is resumed before new work; payments abandoned before
  pay (the program stopped between check and pay) are cancelled — no money moved for them;
* an answer is believed only when it is about this payment (its agentTransactionId, an
  integer result, a transactionId for a success); anything else is no answer;
* several programs may share one journal: each works the payments it owns, and takes over or
  cancels another's only when that program is provably gone (:mod:`cashier_app.journal.leases`);
  every write says which state it expects, so a payment another program settled meanwhile is
  never overwritten.

No Qt here: the window observes the engine through :attr:`PaymentEngine.listeners` (each
payment as it changes) and :attr:`PaymentEngine.request_listeners` (each request's outcome).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from cashier_app.attempts import Sent, send_timed
from cashier_app.core.result_codes import Finality, classify
from cashier_app.core.schemes import (
    CommissionRule,
    LineChoice,
    Money,
    PaidLine,
    PaymentRefused,
    choice_contract,
    commission_for,
    complex_lines,
    settle_cash,
    simple_amount,
)
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.engine_qr import QrPayments, journal_lines, wire_lines
from cashier_app.failpoints import failpoint
from cashier_app.journal import IdAllocator, Journal, PaymentRecord
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.models import PaymentAnswer, foreign_answer_problem
from cashier_app.processing.requests import (
    check_body,
    format_agent_date,
    pay_body,
)
from cashier_app.processing.retry import RetryPolicy
from cashier_app.processing.sbp import SbpClient

log = logging.getLogger(__name__)
Listener = Callable[[PaymentRecord], None]
RequestListener = Callable[[Sent[Any]], None]


@dataclass(frozen=True)
class PaymentInput:
    """What the cashier entered for one payment."""

    service: ServiceDefinition
    values: Mapping[str, str]
    cashier: str = ""
    shift_id: int | None = None
    identity_card: str | None = None
    full_name: str | None = None


@dataclass(frozen=True)
class PayPlan:
    """A validated pay: the amounts and the scheme's part of the body."""

    money: Money
    extras: dict[str, str] = field(default_factory=dict)
    lines: tuple[PaidLine, ...] = ()


class PaymentEngine(QrPayments):
    def __init__(self, journal: Journal, client: ProcessingClient, policy: RetryPolicy,
                 ids: IdAllocator, *, commission: Sequence[CommissionRule] = (),
                 clock: Callable[[], datetime] = datetime.now,
                 sbp: SbpClient | None = None) -> None:
        self.journal = journal
        self.client = client
        self.policy = policy
        self.ids = ids
        self.commission = list(commission)
        self.clock = clock
        self.sbp = sbp  # QR СБП (engine_qr.QrPayments); None: this desk takes cash only
        self.listeners: list[Listener] = []
        #: told of every check, pay and QR request as it comes back (answered, no answer…):
        #: the window's connection indicator follows them; they only look
        self.request_listeners: list[RequestListener] = []
        self._locks: dict[int, asyncio.Lock] = {}
        # the journal's lease says who owns what; None (unit tests): one program, and the
        # owner of every payment found at start-up counts as gone
        self.lease = journal.lease

    def _emit(self, record: PaymentRecord) -> PaymentRecord:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:  # a broken observer must not break a payment
                log.exception("payment listener failed")
        return record

    def _observe(self, sent: Sent[Any]) -> None:
        for listener in list(self.request_listeners):
            try:
                listener(sent)
            except Exception:  # a broken observer must not break a payment
                log.exception("request listener failed")

    def _lock(self, agent_transaction_id: int) -> asyncio.Lock:
        return self._locks.setdefault(agent_transaction_id, asyncio.Lock())

    # --- check -------------------------------------------------------------------------
    async def check(self, entry: PaymentInput, *, attempts: int = 3) -> PaymentRecord:
        """Validate the form, journal a new payment, send check. Raises PaymentRefused for
        invalid input (nothing journaled, nothing sent)."""
        record = self.begin(entry)
        return await self.recheck(record.agent_transaction_id, attempts=attempts)

    def begin(self, entry: PaymentInput) -> PaymentRecord:
        """Validate the form and journal a new payment (state ``new``) with its check body;
        nothing is sent. The window keeps the id so a cancelled check can be closed."""
        form = entry.service.form()
        verdict = form.check(entry.values)
        if not verdict.ok:
            raise PaymentRefused("; ".join(verdict.errors().values()))
        account, extras = form.request_fields(entry.values)
        tx_id = self.ids.allocate()
        date = format_agent_date(self.clock())
        body = check_body(service_id=entry.service.service_id, account=account,
                          agent_transaction_id=tx_id, agent_transaction_date=date,
                          extras=extras or None, identity_card=entry.identity_card,
                          full_name=entry.full_name)
        record = self.journal.create(
            agent_transaction_id=tx_id, service_id=entry.service.service_id,
            service_name=entry.service.name, scheme=entry.service.scheme.value,
            account=account, extras=extras, identity_card=entry.identity_card,
            full_name=entry.full_name, agent_transaction_date=date, check_body=body,
            cashier=entry.cashier, shift_id=entry.shift_id,
            field_titles={"inputs": {f.name: f.label for f in entry.service.inputs},
                          "displays": {f.name: f.label for f in entry.service.displays}})
        failpoint("before-check")
        return self._emit(record)

    async def recheck(self, agent_transaction_id: int, *, attempts: int = 3) -> PaymentRecord:
        """Send (again) the stored check body: same id, same bytes."""
        record = self._emit(self.journal.transition(agent_transaction_id, State.CHECKING))
        assert record.check_body is not None
        sent: Sent[PaymentAnswer] | None = None
        for number in range(1, attempts + 1):
            if sent is not None:  # the previous one, not final: kept on its own
                self.journal.add_attempt(sent.attempt(agent_transaction_id, "check"))
            sent = await self._send(record, "check", record.check_body)
            if sent.answer is not None and classify(sent.answer.result) is not Finality.NOT_FINAL:
                break
            if number < attempts:
                await asyncio.sleep(self.policy.delay(number))
        assert sent is not None
        failpoint("after-check-answer")
        answer, attempt = sent.answer, sent.attempt(agent_transaction_id, "check")
        if answer is not None and answer.ok:
            target, values = State.CHECKED, dict(
                result=0, result_message=answer.result_message,
                transaction_id=answer.transaction_id, check_answer=dict(answer.raw))
        else:
            target, values = State.CHECK_FAILED, dict(
                result=answer.result if answer else None,
                result_message=answer.cashier_message if answer else sent.message,
                check_answer=dict(answer.raw) if answer else None)
        record = self.journal.transition(agent_transaction_id, target, expect=State.CHECKING,
                                         attempt=attempt, **values)
        if record.state is State.CANCELLED:
            # the cashier gave up waiting (Esc) while the answer was on its way: it changes
            # nothing, no money moves for a check; the answer stays in the attempts
            log.info("check %s answered after it was cancelled", agent_transaction_id)
        failpoint("after-check")
        return self._emit(record)

    def cancel(self, agent_transaction_id: int, reason: str = "Отменён кассиром") -> PaymentRecord:
        record = self.journal.transition(agent_transaction_id, State.CANCELLED,
                                         result_message=reason,
                                         settled_at=self.clock().isoformat(timespec="seconds"))
        return self._emit(record)

    # --- plan --------------------------------------------------------------------------
    def plan(self, record: PaymentRecord, *, amount: Decimal | None = None,
             contract_id: str | None = None, lines: Sequence[LineChoice] = (),
             cash_given: Decimal | None = None, fixed_payment: bool = False) -> PayPlan:
        """Validate the scheme's choices against the stored check answer (PaymentRefused)."""
        if record.state is not State.CHECKED:
            raise PaymentRefused("Сначала проверьте платёж")
        answer = PaymentAnswer.parse(record.check_answer or {"result": 0})
        extras: dict[str, str] = dict(record.extras)
        paid: tuple[PaidLine, ...] = ()
        scheme = Scheme(record.scheme)
        if scheme is Scheme.CHOICE:
            contracts = answer.contracts or ()
            chosen = choice_contract(contract_id, [c.contract_id for c in contracts])
            extras["contractId"] = chosen
            if amount is None:
                contract = next(c for c in contracts if c.contract_id == chosen)
                amount = contract.contract_sum
            amount_to = simple_amount(amount, fixed_payment=False, fixed_amount=None)
        elif scheme is Scheme.COMPLEX:
            invoice = [line for doc in answer.invoices or () for line in doc.lines]
            chosen_lines, amount_to = complex_lines(invoice, lines)
            if amount is not None and amount != amount_to:
                raise PaymentRefused(f"Сумма {amount} не равна сумме по услугам {amount_to}")
            paid = tuple(chosen_lines)
        else:
            amount_to = simple_amount(amount, fixed_payment=fixed_payment,
                                      fixed_amount=answer.fixed_amount)
        commission = commission_for(self.commission, record.service_id, amount_to)
        return PayPlan(settle_cash(amount_to, commission, cash_given), extras, paid)

    # --- pay ---------------------------------------------------------------------------
    async def pay(self, agent_transaction_id: int, plan: PayPlan) -> PaymentRecord:
        """Journal the exact pay body with state ``paying``, then make the first attempt."""
        async with self._lock(agent_transaction_id):
            record = self.journal.get(agent_transaction_id)
            if record.state is not State.CHECKED:
                # a double click, a second Enter: the first one already started paying
                if record.state in (State.PAYING, State.PAID, State.FAILED):
                    return record
                raise PaymentRefused("Сначала проверьте платёж")
            money = plan.money
            body = pay_body(
                service_id=record.service_id, account=record.account,
                agent_transaction_id=agent_transaction_id,
                agent_transaction_date=record.agent_transaction_date,
                amount_to=money.amount_to, amount_from=money.amount_from,
                extras=plan.extras or None,
                extra_services=wire_lines(plan.lines),
                identity_card=record.identity_card, full_name=record.full_name)
            record = self.journal.transition(
                agent_transaction_id, State.PAYING, expect=State.CHECKED,
                pay_body=body, amount_to=money.amount_to,
                commission=money.commission, amount_from=money.amount_from,
                cash_given=money.cash_given, change=money.change, extras=plan.extras,
                extra_services=journal_lines(plan.lines),
                next_attempt_at=self.clock().isoformat(timespec="milliseconds"))
            self._emit(record)
            if record.state is not State.PAYING:  # settled elsewhere meanwhile: send nothing
                return record
            failpoint("before-pay")
            return await self._attempt_locked(record)

    async def advance(self, agent_transaction_id: int) -> PaymentRecord:
        """The next step for an unsettled payment: a pay attempt, or a QR code's poll."""
        record = self.journal.get(agent_transaction_id)
        if record.state is State.QR_WAITING:
            return await self.poll_qr(agent_transaction_id)
        return await self.attempt(agent_transaction_id)

    async def attempt(self, agent_transaction_id: int) -> PaymentRecord:
        """One more attempt for a ``paying`` payment (no-op for any other state)."""
        async with self._lock(agent_transaction_id):
            record = self.journal.get(agent_transaction_id)
            if record.state is not State.PAYING:
                return record
            return await self._attempt_locked(record)

    async def _attempt_locked(self, record: PaymentRecord) -> PaymentRecord:
        assert record.pay_body is not None
        sent = await self._send(record, "pay", record.pay_body)
        failpoint("after-pay-answer")
        tx_id = record.agent_transaction_id
        now = self.clock()
        answer = sent.answer
        attempt = sent.attempt(tx_id, "pay")
        if answer is not None:
            finality = answer.finality(after_non_final=record.seen_non_final)
            if finality is Finality.SUCCESS:
                return self._emit(self.journal.transition(
                    tx_id, State.PAID, expect=State.PAYING, attempt=attempt, result=0,
                    result_message=answer.result_message,
                    transaction_id=answer.transaction_id or record.transaction_id,
                    pay_answer=dict(answer.raw), attempts=record.attempts + 1,
                    transaction_date=_iso(answer.transaction_date),
                    status_date=_iso(answer.status_date), next_attempt_at=None,
                    settled_at=now.isoformat(timespec="seconds")))
            if finality is Finality.FINAL_ERROR:
                return self._emit(self.journal.transition(
                    tx_id, State.FAILED, expect=State.PAYING, attempt=attempt,
                    result=answer.result, result_message=answer.cashier_message,
                    pay_answer=dict(answer.raw), attempts=record.attempts + 1,
                    next_attempt_at=None, settled_at=now.isoformat(timespec="seconds")))
            non_final_answer = classify(answer.result) is Finality.NOT_FINAL
            message = answer.cashier_message
            result: int | None = answer.result
        else:
            non_final_answer = False
            message = sent.message
            result = record.result
        attempts = record.attempts + 1
        next_at = now + timedelta(seconds=self.policy.delay(attempts))
        return self._emit(self.journal.update(
            tx_id, expect=State.PAYING, attempt=attempt, result=result,
            result_message=message, attempts=attempts,
            seen_non_final=int(record.seen_non_final or non_final_answer),
            next_attempt_at=next_at.isoformat(timespec="milliseconds")))

    async def _send(self, record: PaymentRecord, method: str, body: bytes
                    ) -> Sent[PaymentAnswer]:
        """One check or pay, timed. An answer that is not about this payment counts as no
        answer (its text stays in the attempt for the supervisor)."""
        tx_id = record.agent_transaction_id
        sent = await send_timed(self.client.check(body) if method == "check"
                                else self.client.pay(body), self.clock, body)
        if sent.answer is not None:
            problem = foreign_answer_problem(sent.answer, tx_id)
            if problem:
                log.error("%s %s: %s: %r", method, tx_id, problem, dict(sent.answer.raw))
                sent = sent.disbelieved(problem)
        if sent.answer is None:
            log.warning("%s %s: %s", method, tx_id, sent.message)
        self._observe(sent)
        return sent

    # --- settlement --------------------------------------------------------------------
    async def settle(self, agent_transaction_id: int, *, wait: float,
                     gate: asyncio.Semaphore | None = None) -> PaymentRecord:
        """Attempt at the scheduled times until final or ``wait`` seconds have passed
        (each attempt inside ``gate`` when one is given)."""
        deadline = time.monotonic() + wait
        record = self.journal.get(agent_transaction_id)
        while record.state in UNSETTLED:
            delay = self._seconds_until(record)
            if time.monotonic() + delay > deadline:
                break
            await asyncio.sleep(delay)
            async with gate or contextlib.nullcontext():
                record = await self.advance(agent_transaction_id)
        return record

    def _seconds_until(self, record: PaymentRecord) -> float:
        if not record.next_attempt_at:
            return 0.0
        due = datetime.fromisoformat(record.next_attempt_at)
        return max(0.0, (due - self.clock()).total_seconds())

    def _alive(self, owner: str | None) -> bool:
        """Is the program that owns a payment running (this one included)?"""
        return self.lease.alive(owner) if self.lease is not None else False

    def _workable(self, record: PaymentRecord) -> PaymentRecord | None:
        """The payment, if this program should work it now: its own, or one whose owner is
        gone — taken over first (compare-and-set: of two programs, one gets it)."""
        if record.owner == self.journal.owner:
            return record
        if self._alive(record.owner):
            return None
        claimed = self.journal.claim(record.agent_transaction_id, record.owner)
        if claimed is not None:
            log.info("payment %s taken over from %s", record.agent_transaction_id,
                     record.owner)
        return claimed

    def _unsettled(self) -> list[PaymentRecord]:
        """Pays «в обработке», and QR codes when this desk can ask about them — those this
        program works (see :meth:`_workable`)."""
        records = self.journal.unsettled() if self.sbp is not None else self.journal.pending()
        return [mine for record in records if (mine := self._workable(record)) is not None]

    def abandon_unpaid(self) -> list[PaymentRecord]:
        """At start-up: payments interrupted before pay moved no money; cancel them — but only
        those whose program is gone (another window or command may be checking one right
        now). A payment whose check failed keeps its state and the reason (code 5, say)."""
        interrupted = (State.NEW, State.CHECKING, State.CHECKED)
        cancelled = []
        for record in self.journal.in_state(*interrupted):
            if self._alive(record.owner):
                continue
            record = self.journal.transition(
                record.agent_transaction_id, State.CANCELLED, expect=interrupted,
                result_message="Прерван до оплаты: деньги не списаны, проведите платёж заново",
                settled_at=self.clock().isoformat(timespec="seconds"))
            cancelled.append(self._emit(record))
        return cancelled

    async def recover(self, *, wait: float, concurrency: int = 8) -> list[PaymentRecord]:
        """Start-up: cancel abandoned unpaid payments, then settle every ``paying`` one for up
        to ``wait`` seconds: a first attempt for each right away (oldest first, at most
        ``concurrency`` requests in flight), then repeats at their scheduled times. QR codes
        left waiting are looked up the same way (see :meth:`interrupt_qr`). One payment that
        fails unexpectedly is logged and left as it is; the others go on."""
        self.abandon_unpaid()
        if self.sbp is not None:
            self.interrupt_qr()
        pending = self._unsettled()
        if not pending:
            return []
        deadline = time.monotonic() + wait
        gate = asyncio.Semaphore(concurrency)

        async def resume(record: PaymentRecord) -> PaymentRecord:
            tx_id = record.agent_transaction_id
            try:
                # the first attempt goes out now, not at the payment's old schedule
                async with gate:
                    record = await self.advance(tx_id)
                return await self.settle(tx_id, gate=gate,
                                         wait=max(0.0, deadline - time.monotonic()))
            except Exception:
                log.exception("recovery of payment %s failed; it stays as it is", tx_id)
                return record

        return list(await asyncio.gather(*(resume(r) for r in pending)))

    async def run_scheduler(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Inside the running program: attempt each pending payment when it is due.

        It must not die: an unexpected error in one attempt (or in reading the journal) is
        logged and the loop goes on — the payment stays «в обработке» and is tried again,
        and the other payments are not held up by it."""
        while not stop.is_set():
            soonest = idle
            try:
                due = self._unsettled()
            except Exception:
                log.exception("payment scheduler: the journal could not be read")
                due = []
            for record in due:
                if stop.is_set():
                    break
                try:
                    if self._seconds_until(record) <= 0:
                        record = await self.advance(record.agent_transaction_id)
                    if record.state in UNSETTLED:
                        soonest = min(soonest, self._seconds_until(record))
                except Exception:
                    log.exception("payment scheduler: payment %s failed unexpectedly",
                                  record.agent_transaction_id)
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(soonest, 0.01))
            except TimeoutError:
                pass


UNSETTLED = (State.PAYING, State.QR_WAITING)



def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None
