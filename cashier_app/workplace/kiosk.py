"""The self-service terminal without Qt: one person's payment from the form to the receipt
(:class:`KioskSale`), whether the terminal may take money at all (:class:`KioskHealth`), and
when a screen left alone goes back home (:class:`IdleWatch`). The kiosk's screens
(:mod:`cashier_app.ui.kiosk`) show what these decide.

A person at a terminal has nobody to ask: everything refused is refused before money goes in
(the form's regexps, the check, the service's limits, the confirmation), and once a banknote is
in, the sale ends only in a payment or a voucher (:mod:`.cash_payment`).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cashier_app.core.limits import AmountLimits, limits_from
from cashier_app.core.schemes import (
    CommissionRule,
    LineChoice,
    PaymentRefused,
    choice_contract,
    commission_rule,
)
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.engine import PaymentEngine, PaymentInput
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cash_in import CashSession

from .cash_payment import CashPayment, Due

log = logging.getLogger(__name__)
NO_CHANGE = "Сдача не выдаётся"
PENDING_TEXT = "Платёж принят и будет проведён"


def commission_text(rules: Sequence[CommissionRule], service_id: str) -> str:
    """The commission for this service in a person's words («1,5 %, не меньше 10,00 ₽» or
    «нет»)."""
    rule = commission_rule(rules, service_id)
    if rule is None or not (rule.percent or rule.minimum or rule.fixed):
        return "нет"
    parts = []
    if rule.percent:
        percent = format(rule.percent.normalize(), "f").replace(".", ",")
        parts.append(f"{percent} %")
        if rule.minimum:
            parts.append(f"не меньше {money(rule.minimum)}")
    elif rule.minimum:
        parts.append(money(rule.minimum))
    if rule.fixed:
        parts.append(f"плюс {money(rule.fixed)}" if parts else money(rule.fixed))
    return ", ".join(parts)


class Outcome(enum.Enum):
    PAID = "paid"
    PENDING = "pending"  # «платёж принят и будет проведён»: the cash is the payment's
    FAILED = "failed"    # refused finally: the cash is a voucher


@dataclass(frozen=True)
class Summary:
    """The confirmation screen: everything the person agrees to before any money."""

    service: str
    fields: tuple[tuple[str, str], ...]
    amount: Decimal | None  # to credit; None: what the inserted cash covers
    commission: str
    limits: str
    note: str = NO_CHANGE


@dataclass
class KioskSale:
    """One person's payment at the terminal, screen by screen."""

    engine: PaymentEngine
    cash: CashPayment
    terminal: str  # the journal's «cashier» of a kiosk payment: «Терминал N»
    service: ServiceDefinition | None = None
    values: dict[str, str] = field(default_factory=dict)
    record: PaymentRecord | None = None
    amount: Decimal | None = None
    contract_id: str | None = None
    lines: tuple[LineChoice, ...] = ()
    #: how long the screen waits for the center's final word before it says «принят»
    pay_wait: float = 20.0

    # --- the form and the check ---------------------------------------------------------------
    def choose(self, service: ServiceDefinition) -> None:
        self.service, self.values, self.record = service, {}, None
        self.amount, self.contract_id, self.lines = None, None, ()

    async def check(self, values: Mapping[str, str]) -> PaymentRecord:
        """Journal and send the check (PaymentRefused for a form the service refuses — the
        screen shows which field). A check that fails is the person's to correct."""
        assert self.service is not None
        self.values = dict(values)
        record = self.engine.begin(PaymentInput(self.service, self.values,
                                                cashier=self.terminal))
        self.record = await self.engine.recheck(record.agent_transaction_id)
        if self.record.state is State.CHECKED and self.service.fixed_payment:
            self.amount = self.record.check.fixed_amount
        return self.record

    @property
    def limits(self) -> AmountLimits:
        assert self.service is not None
        answer = self.record.check_answer if self.record is not None else None
        return self.service.limits.narrowed(limits_from(answer)[0])

    def set_contract(self, contract_id: str) -> None:
        """One of the contracts the check answered (PaymentRefused otherwise)."""
        assert self.record is not None
        offered = [c.contract_id for c in self.record.check.contracts or ()]
        self.contract_id = choice_contract(contract_id, offered)

    def set_lines(self, lines: Sequence[LineChoice]) -> Decimal:
        """The invoice lines the person pays (PaymentRefused: a line out of its limits, a
        meter reading below the last); returns their sum — the amount to insert exactly."""
        assert self.record is not None
        plan = self.engine.plan(self.record, lines=lines)
        self.lines, self.amount = tuple(lines), plan.money.amount_to
        return self.amount

    def set_amount(self, amount: Decimal | None) -> None:
        """A sum the person typed (for QR, where no cash counts it); None: what they insert."""
        if amount is not None:
            problem = self.limits.problem(amount)
            if problem:
                raise PaymentRefused(problem)
        self.amount = amount

    def summary(self) -> Summary:
        assert self.service is not None and self.record is not None
        titles = {spec.name: spec.label for spec in self.service.inputs}
        fields = tuple((titles.get(name, name), value) for name, value in self.values.items()
                       if value)
        return Summary(self.service.name, fields, self.amount,
                       commission_text(self.engine.commission, self.service.service_id),
                       self.limits.describe())

    # --- cash ------------------------------------------------------------------------------------
    async def start_cash(self) -> Due:
        assert self.record is not None and self.service is not None
        fixed = self.amount if (self.service.fixed_payment or self.lines) else None
        return await self.cash.begin(self.record, self.service, amount=fixed,
                                     lines=self.lines, contract_id=self.contract_id)

    async def pay_cash(self, *, wait: float | None = None) -> PaymentRecord:
        """Pay the cash inserted and wait a little for the final answer (the scheduler goes
        on with it after that: the person is told «принят и будет проведён»)."""
        record = await self.cash.pay()
        self.record = await self.engine.scheduler.settle(
            record.agent_transaction_id, wait=self.pay_wait if wait is None else wait,
            record=record)
        return self.record

    async def give_back(self, reason: str) -> CashSession | None:
        """The person gave up or went away: the cash (if any) becomes a voucher."""
        voucher = await self.cash.give_back(reason)
        self.record = None
        return voucher

    def cancel(self, reason: str = "Отменён на терминале") -> None:
        """Back home before any money: a check is closed, nothing else happens."""
        record = self.record
        if record is not None and self.engine.journal.get(
                record.agent_transaction_id).state in (State.NEW, State.CHECKED):
            self.engine.cancel(record.agent_transaction_id, reason)
        self.record = None

    # --- QR СБП ---------------------------------------------------------------------------------
    async def start_qr(self) -> PaymentRecord:
        assert self.record is not None and self.service is not None
        if self.amount is None:
            raise PaymentRefused("Укажите сумму к зачислению")
        plan = self.engine.plan(self.record, amount=self.amount, contract_id=self.contract_id,
                                lines=self.lines, fixed_payment=self.service.fixed_payment)
        self.record = await self.engine.start_qr(self.record.agent_transaction_id, plan.money,
                                                 plan.extras, plan.lines)
        return self.record

    # --- card -----------------------------------------------------------------------------------
    async def start_card(self, *, user_token: str | None = None,
                         card_token: str | None = None) -> PaymentRecord:
        """The gateway payment for exactly the confirmed sum (a terminal gives no change, and
        a card pays what it is asked): by link, or with a saved card (both tokens)."""
        assert self.record is not None and self.service is not None
        if self.amount is None:
            raise PaymentRefused("Укажите сумму к зачислению")
        plan = self.engine.plan(self.record, amount=self.amount, contract_id=self.contract_id,
                                lines=self.lines, fixed_payment=self.service.fixed_payment)
        self.record = await self.engine.start_card(
            self.record.agent_transaction_id, plan.money, plan.extras, plan.lines,
            user_token=user_token, card_token=card_token)
        return self.record

    async def renew(self) -> PaymentRecord:
        """The same sale as a new payment — another card after a decline, cash after a card:
        a gateway payment is never started twice, so the form (with the contract, the lines
        and the sum chosen) is checked again under a new number."""
        assert self.service is not None
        return await self.check(self.values)

    @property
    def checked(self) -> bool:
        """The sale's payment may still be started (it is checked, nothing began)."""
        return self.record is not None and self.engine.journal.get(
            self.record.agent_transaction_id).state is State.CHECKED

    @staticmethod
    def outcome(record: PaymentRecord) -> Outcome:
        if record.state is State.PAID:
            return Outcome.PAID
        if record.state in (State.FAILED, State.CANCELLED, State.CHECK_FAILED):
            return Outcome.FAILED
        return Outcome.PENDING

    def scheme(self) -> Scheme:
        assert self.service is not None
        return self.service.scheme


class KioskHealth:
    """Why the terminal cannot take money now (Russian), or None: the validator in a fault or
    off the line, the printer without paper (unless receipts may go on screen), the
    processing center unreachable for ``offline_after`` seconds. Payments already taken keep
    settling in the background meanwhile."""

    def __init__(self, *, offline_after: float, paper_out: str = "refuse",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.offline_after = offline_after
        self.paper_out = paper_out
        self.clock = clock
        self.acceptor_problem: str | None = None
        self.printer_problem: str | None = None
        self._unreachable_since: float | None = None

    def acceptor(self, problem: str | None) -> None:
        self.acceptor_problem = problem

    def printer(self, problem: str | None) -> None:
        self.printer_problem = problem

    def processing(self, reachable: bool) -> None:
        if reachable:
            self._unreachable_since = None
        elif self._unreachable_since is None:
            self._unreachable_since = self.clock()

    @property
    def offline(self) -> bool:
        return self._unreachable_since is not None and (
            self.clock() - self._unreachable_since >= self.offline_after)

    @property
    def receipts_on_screen(self) -> bool:
        """The printer cannot print and the terminal goes on: the receipt is on screen."""
        return self.printer_problem is not None and self.paper_out == "screen"

    def reason(self) -> str | None:
        if self.acceptor_problem:
            return f"Купюроприёмник: {self.acceptor_problem}"
        if self.printer_problem and self.paper_out == "refuse":
            return f"Принтер чеков: {self.printer_problem}"
        if self.offline:
            return "Нет связи с процессингом"
        return None


class Idle(enum.Enum):
    ACTIVE = "active"
    ASKING = "asking"    # «Вы ещё здесь?» with a countdown
    EXPIRED = "expired"  # the countdown ran out: home (or, with cash, a voucher)


class IdleWatch:
    """A screen left alone: after ``idle`` seconds without a touch (``cash_idle`` once cash
    is in — and a bill counts as a touch), «Вы ещё здесь?» for ``countdown`` seconds, then
    expired. Pure time arithmetic: the window's timer asks it."""

    def __init__(self, *, idle: float, countdown: float, cash_idle: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle, self.countdown, self.cash_idle = idle, countdown, cash_idle
        self.clock = clock
        self._last = clock()

    def touched(self) -> None:
        self._last = self.clock()

    @property
    def quiet(self) -> float:
        """Seconds since the last touch."""
        return self.clock() - self._last

    def phase(self, *, with_cash: bool) -> tuple[Idle, float]:
        """The phase now and the seconds left in it."""
        quiet = self.quiet
        limit = self.cash_idle if with_cash else self.idle
        if quiet < limit:
            return Idle.ACTIVE, limit - quiet
        if quiet < limit + self.countdown:
            return Idle.ASKING, limit + self.countdown - quiet
        return Idle.EXPIRED, 0.0
