"""The payment engine: brings every payment to a final state exactly once, whatever the way
the person pays — cash at the desk (:mod:`.methods.cash`), a QR СБП code
(:mod:`.methods.qr`) — over one journal, one attempt recorder, one retry policy and one lock
per payment.

What every payment shares lives here:

* it is in the journal (state ``new``, its check body) before check is sent; the check is
  sent again with the same bytes; an answer is believed only when it is about this payment
  (its agentTransactionId, an integer result, a transactionId for a success) — anything
  else is no answer;
* :meth:`PaymentEngine.quote` computes the amounts (commission, change): the window asks, it
  never computes; :meth:`PaymentEngine.plan` checks the scheme's choices against the stored
  check answer;
* a payment in progress is advanced by the method it was started with
  (``payment_method`` in the journal); the :class:`~.scheduler.Scheduler` decides when.

No Qt here. What happens is published on :attr:`PaymentEngine.events` (:mod:`.events`):
listeners run after the engine's step, never inside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from cashier_app.card_api.client import CardClient
from cashier_app.core.answers import PaymentAnswer, foreign_answer_problem
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
    credit_for_inserted,
    inserted_for,
    settle_cash,
    simple_amount,
)
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money as money_text
from cashier_app.events import EventHub
from cashier_app.journal import IdAllocator, Journal, PaymentRecord
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.requests import check_body, format_agent_date
from cashier_app.processing.retry import RetryPolicy
from cashier_app.processing.sbp import SbpClient
from cashier_app.util.failpoints import failpoint
from cashier_app.wallet_api.client import WalletClient

from .attempts import Sent, send_timed
from .events import PaymentChanged, RequestAnswered
from .methods.card import CardPay, CardSettings
from .methods.cash import CashPay
from .methods.qr import QrPay
from .methods.wallet import WalletPay, WalletTiming
from .scheduler import Scheduler

log = logging.getLogger(__name__)


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


class Method(Protocol):
    """One way of paying: it leaves a started payment in its ``waiting`` states until the
    center's final word, and takes it one step further when asked."""

    name: str  # the journal's payment_method
    waiting: tuple[State, ...]  # the states it leaves a payment in until the final word

    async def advance(self, agent_transaction_id: int) -> PaymentRecord: ...

    def interrupt(self) -> list[PaymentRecord]: ...


class PaymentEngine:
    def __init__(self, journal: Journal, client: ProcessingClient, policy: RetryPolicy,
                 ids: IdAllocator, *, commission: Sequence[CommissionRule] = (),
                 clock: Callable[[], datetime] = datetime.now,
                 sbp: SbpClient | None = None, events: EventHub | None = None) -> None:
        self.journal = journal
        self.client = client
        self.policy = policy
        self.ids = ids
        self.commission = list(commission)
        self.clock = clock
        self.events = events if events is not None else EventHub()
        self._locks: dict[int, asyncio.Lock] = {}
        self.cash = CashPay(self)
        self.qr: QrPay | None = None
        self.wallet: WalletPay | None = None
        self.card: CardPay | None = None
        self.methods: dict[str, Method] = {self.cash.name: self.cash}
        self.sbp = sbp
        self.scheduler = Scheduler(self)

    @property
    def sbp(self) -> SbpClient | None:
        """The QR СБП adapter; None: this desk takes cash only."""
        return self.qr.sbp if self.qr is not None else None

    @sbp.setter
    def sbp(self, sbp: SbpClient | None) -> None:
        self.qr = QrPay(self, sbp) if sbp is not None else None
        self._gather_methods()

    def use_wallet(self, client: WalletClient | None, timing: WalletTiming | None = None
                   ) -> None:
        """Take e-wallet operations through ``client`` (None: this point has no wallet)."""
        self.wallet = WalletPay(self, client, timing) if client is not None else None
        self._gather_methods()

    def use_card(self, client: CardClient | None, settings: CardSettings | None = None
                 ) -> None:
        """Take card payments through the gateway ``client`` (None: no cards here)."""
        self.card = CardPay(self, client, settings) if client is not None else None
        self._gather_methods()

    def _card(self) -> CardPay:
        if self.card is None:
            raise PaymentRefused("Оплата картой на этой кассе не настроена")
        return self.card

    async def start_card(self, agent_transaction_id: int, money: Money,
                         extras: dict[str, str] | None = None,
                         lines: tuple[PaidLine, ...] = (), **how: Any) -> PaymentRecord:
        """Card by link (or ``card_token``/``user_token``: a saved card); see
        :mod:`.methods.card`."""
        return await self._card().start(agent_transaction_id, money, extras, lines, **how)

    async def cancel_card(self, agent_transaction_id: int,
                          reason: str = "Отменён кассиром") -> PaymentRecord:
        return await self._card().cancel(agent_transaction_id, reason)

    def _gather_methods(self) -> None:
        self.methods = {self.cash.name: self.cash}
        for method in (self.qr, self.wallet, self.card):
            if method is not None:
                self.methods[method.name] = method

    # --- shared by the methods -----------------------------------------------------------
    def emit(self, record: PaymentRecord) -> PaymentRecord:
        """Tell the listeners the payment's new state (delivered after this step)."""
        self.events.publish(PaymentChanged(record))
        return record

    def observe(self, sent: Sent[Any]) -> None:
        """Tell the listeners a request came back (the connection indicator follows it)."""
        self.events.publish(RequestAnswered(sent))

    def lock(self, agent_transaction_id: int) -> asyncio.Lock:
        """One payment, one step at a time within this program."""
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
        return self.emit(record)

    async def recheck(self, agent_transaction_id: int, *, attempts: int = 3) -> PaymentRecord:
        """Send (again) the stored check body: same id, same bytes."""
        record = self.emit(self.journal.transition(agent_transaction_id, State.CHECKING))
        assert record.check_body is not None
        sent: Sent[PaymentAnswer] | None = None
        for number in range(1, attempts + 1):
            if sent is not None:  # the previous one, not final: kept on its own
                self.journal.add_attempt(sent.attempt(agent_transaction_id, "check"))
            sent = await self.send(record, "check", record.check_body)
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
        return self.emit(record)

    def cancel(self, agent_transaction_id: int, reason: str = "Отменён кассиром") -> PaymentRecord:
        record = self.journal.transition(agent_transaction_id, State.CANCELLED,
                                         result_message=reason,
                                         settled_at=self.clock().isoformat(timespec="seconds"))
        return self.emit(record)

    # --- plan --------------------------------------------------------------------------
    def plan(self, record: PaymentRecord, *, amount: Decimal | None = None,
             contract_id: str | None = None, lines: Sequence[LineChoice] = (),
             cash_given: Decimal | None = None, fixed_payment: bool = False,
             inserted: Decimal | None = None) -> PayPlan:
        """Validate the scheme's choices against the stored check answer (PaymentRefused).

        ``inserted``: cash taken by a terminal, which gives no change in cash — with no
        ``amount`` for a free-amount service (or a contract), what it covers is credited; for
        a fixed amount or invoice lines it must cover what they cost, and the rest is change
        (the terminal gives it as a voucher)."""
        if inserted is not None and amount is None and not fixed_payment and Scheme(
                record.scheme) in (Scheme.SIMPLE, Scheme.CHOICE):
            money = credit_for_inserted(self.commission, record.service_id, inserted)
            amount, cash_given = money.amount_to, None
            planned = self.plan(record, amount=amount, contract_id=contract_id)
            if planned.money.amount_from != inserted:  # a rounding kopeck: it is commission
                planned = replace(planned, money=money)
            return planned
        if inserted is not None:  # a fixed sum: what is above it is change (a voucher)
            planned = self.plan(record, amount=amount, contract_id=contract_id, lines=lines,
                                fixed_payment=fixed_payment)
            if planned.money.amount_from > inserted:
                raise PaymentRefused(f"Внесено {money_text(inserted)}, а к оплате "
                                     f"{money_text(planned.money.amount_from)}")
            money = settle_cash(planned.money.amount_to, planned.money.commission, inserted)
            return replace(planned, money=money)
        if record.state is not State.CHECKED:
            raise PaymentRefused("Сначала проверьте платёж")
        answer = record.check
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

    def quote(self, service_id: str, amount_to: Decimal, cash_given: Decimal | None = None
              ) -> Money:
        """The amounts for ``amount_to`` credited: the commission by this desk's rules, what
        the person pays, the change from ``cash_given`` (PaymentRefused when it is short)."""
        return settle_cash(amount_to, commission_for(self.commission, service_id, amount_to),
                           cash_given)

    # --- pay ---------------------------------------------------------------------------
    async def pay(self, agent_transaction_id: int, plan: PayPlan,
                  funds: Sequence[int] = ()) -> PaymentRecord:
        """Pay in cash: the pay body journaled with ``paying``, then the first attempt.
        ``funds``: the bill validator's cash sessions and vouchers that are the cash (spent
        in the same commit; their sum must be the plan's cash)."""
        return await self.cash.start(agent_transaction_id, plan, funds)

    def quote_inserted(self, service_id: str, inserted: Decimal) -> Money:
        """What ``inserted`` cash at a terminal credits (no change: see
        :func:`~cashier_app.core.schemes.credit_for_inserted`)."""
        return credit_for_inserted(self.commission, service_id, inserted)

    def inserted_for(self, service_id: str, amount_to: Decimal) -> Decimal:
        """The cash a terminal must take for ``amount_to`` credited."""
        return inserted_for(self.commission, service_id, amount_to)

    async def advance(self, agent_transaction_id: int, *, method: str | None = None
                      ) -> PaymentRecord:
        """The next step for an unsettled payment, by the method it was started with
        (``method``: the caller has just read it; the method reads the payment again under
        its lock anyway)."""
        if method is None:
            method = self.journal.get(agent_transaction_id).payment_method
        works = self.methods.get(method)
        if works is None:  # a QR payment on a desk where QR was switched off since
            log.warning("payment %s: method %s is not enabled here", agent_transaction_id,
                        method)
            return self.journal.get(agent_transaction_id)
        return await works.advance(agent_transaction_id)

    async def attempt(self, agent_transaction_id: int) -> PaymentRecord:
        """One more pay attempt for a cash payment «в обработке»."""
        return await self.cash.advance(agent_transaction_id)

    # --- QR СБП (see .methods.qr) ---------------------------------------------------------
    def _qr(self) -> QrPay:
        if self.qr is None:
            raise PaymentRefused("Оплата по QR СБП на этой кассе не настроена")
        return self.qr

    async def start_qr(self, agent_transaction_id: int, money: Money,
                       extras: dict[str, str] | None = None,
                       lines: tuple[PaidLine, ...] = ()) -> PaymentRecord:
        return await self._qr().start(agent_transaction_id, money, extras, lines)

    async def renew_qr(self, agent_transaction_id: int) -> PaymentRecord:
        return await self._qr().renew(agent_transaction_id)

    async def poll_qr(self, agent_transaction_id: int) -> PaymentRecord:
        return await self._qr().advance(agent_transaction_id)

    async def cancel_qr(self, agent_transaction_id: int,
                        reason: str = "Отменён кассиром") -> PaymentRecord:
        return await self._qr().cancel(agent_transaction_id, reason)

    # --- the one place check and pay are sent ----------------------------------------------
    async def send(self, record: PaymentRecord, method: str, body: bytes
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
        self.observe(sent)
        return sent
