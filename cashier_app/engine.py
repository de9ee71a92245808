"""The payment engine: brings every payment to a final state exactly once.

Rules it keeps (issue 3, seed 003):

* a payment is in the journal (state ``new``, its check body) before check is sent;
* the pay body, with its agentTransactionDate, is written together with the state ``paying``
  *before* the first pay is sent, and every attempt sends exactly those bytes;
* non-final codes and no answer keep it ``paying`` with the next attempt at a growing interval;
  a final code settles it; a 202 after a non-final answer does not;
* at start-up every ``paying`` payment is resumed before new work; payments abandoned before
  pay (the program stopped between check and pay) are cancelled — no money moved for them.

No Qt here: the window observes the engine through :attr:`PaymentEngine.listeners`.
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

from cashier_app.attempts import send_timed
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
from cashier_app.processing.models import PaymentAnswer
from cashier_app.processing.requests import (
    check_body,
    format_agent_date,
    pay_body,
)
from cashier_app.processing.retry import RetryPolicy
from cashier_app.processing.sbp import SbpClient

log = logging.getLogger(__name__)
Listener = Callable[[PaymentRecord], None]


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
        self._locks: dict[int, asyncio.Lock] = {}

    def _emit(self, record: PaymentRecord) -> PaymentRecord:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:  # a broken observer must not break a payment
                log.exception("payment listener failed")
        return record

    def _lock(self, agent_transaction_id: int) -> asyncio.Lock:
        return self._locks.setdefault(agent_transaction_id, asyncio.Lock())

    # --- check -------------------------------------------------------------------------
    async def check(self, entry: PaymentInput, *, attempts: int = 3) -> PaymentRecord:
        """Validate the form, journal a new payment, send check. Raises PaymentRefused for
        invalid input (nothing journaled, nothing sent)."""
        record = self.begin(entry)
        failpoint("before-check")
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
        return self._emit(record)

    async def recheck(self, agent_transaction_id: int, *, attempts: int = 3) -> PaymentRecord:
        """Send (again) the stored check body: same id, same bytes."""
        record = self._emit(self.journal.transition(agent_transaction_id, State.CHECKING))
        assert record.check_body is not None
        answer: PaymentAnswer | None = None
        problem = ""
        for number in range(1, attempts + 1):
            answer, problem = await self._send(record, "check", record.check_body)
            if answer is not None and classify(answer.result) is not Finality.NOT_FINAL:
                break
            if number < attempts:
                await asyncio.sleep(self.policy.delay(number))
        failpoint("after-check-answer")
        if self.journal.get(agent_transaction_id).state is State.CANCELLED:
            # the cashier gave up waiting (Esc) while the answer was on its way: it changes
            # nothing, no money moves for a check; the answer stays in the attempts
            log.info("check %s answered after it was cancelled", agent_transaction_id)
            return self._emit(self.journal.get(agent_transaction_id))
        if answer is not None and answer.ok:
            record = self.journal.transition(
                agent_transaction_id, State.CHECKED, result=0,
                result_message=answer.result_message, transaction_id=answer.transaction_id,
                check_answer=dict(answer.raw))
        else:
            record = self.journal.transition(
                agent_transaction_id, State.CHECK_FAILED,
                result=answer.result if answer else None,
                result_message=answer.cashier_message if answer else problem,
                check_answer=dict(answer.raw) if answer else None)
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
                agent_transaction_id, State.PAYING, pay_body=body, amount_to=money.amount_to,
                commission=money.commission, amount_from=money.amount_from,
                cash_given=money.cash_given, change=money.change, extras=plan.extras,
                extra_services=journal_lines(plan.lines),
                next_attempt_at=self.clock().isoformat(timespec="milliseconds"))
            self._emit(record)
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
        answer, problem = await self._send(record, "pay", record.pay_body)
        failpoint("after-pay-answer")
        tx_id = record.agent_transaction_id
        now = self.clock()
        if answer is not None:
            finality = answer.finality(after_non_final=record.seen_non_final)
            if finality is Finality.SUCCESS:
                return self._emit(self.journal.transition(
                    tx_id, State.PAID, result=0, result_message=answer.result_message,
                    transaction_id=answer.transaction_id or record.transaction_id,
                    pay_answer=dict(answer.raw), attempts=record.attempts + 1,
                    transaction_date=_iso(answer.transaction_date),
                    status_date=_iso(answer.status_date), next_attempt_at=None,
                    settled_at=now.isoformat(timespec="seconds")))
            if finality is Finality.FINAL_ERROR:
                return self._emit(self.journal.transition(
                    tx_id, State.FAILED, result=answer.result,
                    result_message=answer.cashier_message, pay_answer=dict(answer.raw),
                    attempts=record.attempts + 1, next_attempt_at=None,
                    settled_at=now.isoformat(timespec="seconds")))
            non_final_answer = classify(answer.result) is Finality.NOT_FINAL
            message = answer.cashier_message
            result: int | None = answer.result
        else:
            non_final_answer = False
            message = problem
            result = record.result
        attempts = record.attempts + 1
        next_at = now + timedelta(seconds=self.policy.delay(attempts))
        return self._emit(self.journal.update(
            tx_id, result=result, result_message=message, attempts=attempts,
            seen_non_final=int(record.seen_non_final or non_final_answer),
            next_attempt_at=next_at.isoformat(timespec="milliseconds")))

    async def _send(self, record: PaymentRecord, method: str, body: bytes
                    ) -> tuple[PaymentAnswer | None, str]:
        sent = await send_timed(self.client.check(body) if method == "check"
                                else self.client.pay(body), self.clock, body)
        self.journal.add_attempt(sent.attempt(record.agent_transaction_id, method))
        if sent.answer is None:
            log.warning("%s %s: %s", method, record.agent_transaction_id, sent.message)
        return sent.answer, sent.message

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

    def _unsettled(self) -> list[PaymentRecord]:
        """Pays «в обработке», and QR codes when this desk can ask about them."""
        return self.journal.unsettled() if self.sbp is not None else self.journal.pending()

    def abandon_unpaid(self) -> list[PaymentRecord]:
        """At start-up: payments interrupted before pay moved no money; cancel them.
        A payment whose check failed keeps its state and the reason (code 5, say)."""
        interrupted = (State.NEW, State.CHECKING, State.CHECKED)
        return [self.cancel(record.agent_transaction_id,
                            "Прерван до оплаты: деньги не списаны, проведите платёж заново")
                for record in self.journal.in_state(*interrupted)]

    async def recover(self, *, wait: float, concurrency: int = 8) -> list[PaymentRecord]:
        """Start-up: cancel abandoned unpaid payments, then settle every ``paying`` one for up
        to ``wait`` seconds: a first attempt for each right away (oldest first, at most
        ``concurrency`` requests in flight), then repeats at their scheduled times. QR codes
        left waiting are looked up the same way (see :meth:`interrupt_qr`)."""
        self.abandon_unpaid()
        if self.sbp is not None:
            self.interrupt_qr()
        pending = self._unsettled()
        if not pending:
            return []
        deadline = time.monotonic() + wait
        gate = asyncio.Semaphore(concurrency)

        async def resume(agent_transaction_id: int) -> PaymentRecord:
            # the first attempt goes out now, not at the payment's old schedule
            async with gate:
                await self.advance(agent_transaction_id)
            return await self.settle(agent_transaction_id, gate=gate,
                                     wait=max(0.0, deadline - time.monotonic()))

        return list(await asyncio.gather(*(resume(r.agent_transaction_id) for r in pending)))

    async def run_scheduler(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Inside the running program: attempt each pending payment when it is due.

        It must not die: an unexpected error in one attempt is logged and the loop goes on
        (the payment stays «в обработке» and is tried again)."""
        while not stop.is_set():
            soonest = idle
            try:
                for record in self._unsettled():
                    if stop.is_set():
                        break
                    if self._seconds_until(record) <= 0:
                        record = await self.advance(record.agent_transaction_id)
                    if record.state in UNSETTLED:
                        soonest = min(soonest, self._seconds_until(record))
            except Exception:
                log.exception("payment scheduler: an attempt failed unexpectedly")
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(soonest, 0.01))
            except TimeoutError:
                pass


UNSETTLED = (State.PAYING, State.QR_WAITING)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None
