"""One payment at the desk, from the service chosen to its outcome — without a widget.

:class:`PaymentFlow` drives the payment through the engine: the form's values begin and check
it, the amounts on screen are judged here and quoted by the engine (the flow never computes a
commission), a plan is paid in cash, by a QR code (:mod:`.panel_qr`) or by card (a link or a
saved card, :mod:`.panel_card`), a pay that gets no
final answer leaves the desk free for the next person while the engine goes on, and every
change of the payment (the bridge's signal) is followed. Which payment is on the desk and its
:class:`~cashier_app.workplace.session.Step` are kept in the desk's session, so the window
and the supervisor can tell whether the cashier is working with it.

The flow reads what the cashier typed through ``entered`` (an :class:`Entered`, plain data)
and says what happens through Qt signals; :class:`.panel.PaymentPanel` shows it. Nothing here
is a widget, so the flow is tested alone (tests/gui/test_payment_flow.py).

Longer than most modules here (about 470 lines) because it is every step of one payment
in one place — check, amounts, pay, outcome, receipt, leaving — so no rule of the payment
is split across files; the QR СБП and card steps are apart (:mod:`.panel_qr`,
:mod:`.panel_card`), and so are the words said about a payment (:mod:`.payment_banner`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, Signal

from cashier_app.core.answers import PaymentAnswer
from cashier_app.core.limits import AmountLimits, limits_from
from cashier_app.core.money import AmountError, parse_user_amount
from cashier_app.core.result_codes import ACCOUNT_CODES, AMOUNT_CODES
from cashier_app.core.schemes import LineChoice, Money, PaymentRefused, check_amount
from cashier_app.core.services import ACCOUNT, Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine, PaymentInput, PayPlan
from cashier_app.journal import PaymentRecord
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.service import AUTO_PRINT_STATES, PrintOutcome, ReceiptService
from cashier_app.workplace.session import Session, Step

from .panel_card import CardPhone, CardSteps, card_banner, card_payable
from .panel_qr import QrSteps
from .payment_banner import Banner, outcome_banner, qr_payable

__all__ = ["Entered", "PaymentFlow", "Step"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entered:
    """The amounts as the cashier has them on screen: read by the panel, judged here."""

    amount: str = ""  # «К зачислению» as typed
    cash: str = ""  # «Внесено наличными» as typed ("": no change)
    #: an invoice's total, or None and why there is none; None here: not an invoice
    invoice: tuple[Decimal | None, str] | None = None
    lines: tuple[LineChoice, ...] = ()  # the invoice's lines as chosen (with a total only)
    contract_id: str | None = None  # the contract chosen


class PaymentFlow(QObject):
    step_changed = Signal(object)  # Step: what the panel shows now
    said = Signal(str, str)  # the step's status line: text ("": nothing to say), kind
    opened = Signal(object)  # ServiceDefinition: its form; None: choose a service
    checked = Signal(object)  # PaymentRecord: the check said yes — show what it returned
    check_refused = Signal(str, str)  # the form field a final refusal is about, the message
    refused = Signal(str)  # F9/F8/F7 refused before anything was sent: why
    #: a QR code or a card payment could not be made (no link, link busy, no serviceCode): why
    qr_refused = Signal(str)
    followed = Signal(object)  # PaymentRecord: the payment on screen as it now is
    finished = Signal(object)  # PaymentRecord: its outcome is on screen
    printed = Signal(bool, str)  # the receipt on screen: printed?, why nothing printed
    #: the QR or card payment on screen changed (PaymentRecord), or there is none any more
    #: (None): the customer display follows
    qr_changed = Signal(object)
    #: the cashier left a QR code that can still be paid (PaymentRecord): the window watches
    qr_left = Signal(object)
    reset_requested = Signal()  # cleared for the next person: the window goes to the search

    def __init__(self, engine: PaymentEngine, session: Session, *,
                 entered: Callable[[], Entered] = Entered,
                 receipts: ReceiptService | None = None,
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 card_phone: CardPhone | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.session = session
        self.receipts = receipts
        self._entered = entered
        self.service: ServiceDefinition | None = None
        self.answer: PaymentAnswer | None = None
        self.limits = AmountLimits()
        self.tasks: set[asyncio.Task[None]] = set()
        self._check_task: asyncio.Task[PaymentRecord] | None = None
        #: a pay (cash or QR) is being sent: a second F9, Enter or click does nothing
        self.pay_in_flight = False
        #: the printer works on the receipt on screen (a second F6 prints nothing)
        self.printing = False
        self.clock: Callable[[], datetime] = datetime.now
        self.qr = QrSteps(self, bank)
        self.card = CardSteps(self, card_phone)
        #: the person pays on their phone by card (Step.QR shows the card screen, not СБП)
        self.via_card = False
        #: what the last check was sent with: a new link after a declined one checks it again
        self.checked_with: PaymentInput | None = None

    # --- the desk's state (kept in the session) ---------------------------------------------
    @property
    def step(self) -> Step:
        return self.session.step

    @property
    def record(self) -> PaymentRecord | None:
        """The payment on the desk, as last read from the journal."""
        return self.session.payment

    @record.setter
    def record(self, record: PaymentRecord | None) -> None:
        self.session.payment = record

    @property
    def takes_qr(self) -> bool:
        return self.engine.sbp is not None

    @property
    def takes_card(self) -> bool:
        return self.engine.card is not None

    def set_step(self, step: Step) -> None:
        self.session.step = step
        if step is not Step.QR:
            self.qr.disarm()
            self.card.disarm()
            self.via_card = False
        if step in (Step.EMPTY, Step.FORM):
            self.limits = AmountLimits()
        self.step_changed.emit(step)

    def say(self, text: str, kind: str = "info") -> None:
        self.said.emit(text, kind)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("payment panel task failed", exc_info=error)
            self.say(self.tr("Внутренняя ошибка: платёж сохранён в журнале, проверьте его в "
                             "списке «Сегодня». Подробности в логе."), "error")

    # --- opening a service --------------------------------------------------------------
    def open(self, service: ServiceDefinition) -> None:
        """The form for ``service``; a checked-but-unpaid payment on the desk is cancelled."""
        self.drop_unpaid()
        self.service = service
        self.record = None
        self.answer = None
        self.opened.emit(service)
        self.set_step(Step.FORM)

    def form_edited(self) -> None:
        """Data changed after check: that check no longer stands; back to the form."""
        if self.step is Step.CHECKED and self.record is not None:
            self.drop_unpaid("Данные изменены после проверки")
            self.set_step(Step.FORM)
            self.say(self.tr("Данные изменены: проверьте платёж снова"), "info")

    # --- check --------------------------------------------------------------------------
    async def check(self, values: dict[str, str], *, identity_card: str | None = None,
                    full_name: str | None = None) -> None:
        """Journal the payment with the form's ``values`` and send check (in the
        background: Esc abandons the wait). Refused at once when no payment may be taken."""
        if self.step is not Step.FORM or self.service is None:
            return
        blocked = self.session.payment_blocker()
        if blocked:
            self.say(blocked, "error")
            return
        cashier, shift_id = self.session.who()
        entry = PaymentInput(self.service, values, cashier=cashier, shift_id=shift_id,
                             identity_card=identity_card, full_name=full_name)
        try:
            record = self.engine.begin(entry)
        except PaymentRefused as error:
            self.say(str(error), "error")
            return
        self.record = record
        self.checked_with = entry
        self.set_step(Step.CHECKING)
        self.say(self.tr("Проверяем в процессинге…  Esc — отменить"), "busy")
        # the request is not cancelled under way (that would leave the connection in an
        # unknown state); Esc abandons the wait, and the late answer is ignored
        self._check_task = asyncio.ensure_future(
            self.engine.recheck(record.agent_transaction_id))
        try:
            record = await self._check_task
        finally:
            self._check_task = None
        if self.record is None or self.record.agent_transaction_id != (
                record.agent_transaction_id) or record.state is State.CANCELLED:
            return  # abandoned by the cashier while it was on its way
        self.record = record
        if record.state is State.CHECKED:
            self.accept_check(record)
        else:
            self._check_failed(record)

    def _check_failed(self, record: PaymentRecord) -> None:
        self.set_step(Step.FORM)
        message = record.result_message or self.tr("Процессинг не ответил")
        if record.result is None:
            self.say(self.tr("Нет ответа процессинга: {0}. Проверьте связь и нажмите "
                             "«Проверить» ещё раз.").format(message), "error")
            return
        self.say(self.tr("Платёж не принят: {0}").format(message), "error")
        inputs = self.service.inputs if self.service else ()
        if record.result in ACCOUNT_CODES and inputs:
            field = ACCOUNT if any(s.name == ACCOUNT for s in inputs) else inputs[0].name
            self.check_refused.emit(field, message)

    @property
    def amount_editable(self) -> bool:
        """The cashier types the amount (a simple scheme without a fixed sum, a contract's
        sum may be changed); an invoice's total and a fixed sum are not typed."""
        if self.service is None:
            return False
        scheme = self.service.scheme
        return scheme is Scheme.CHOICE or (scheme is Scheme.SIMPLE
                                           and not self.service.fixed_payment)

    @property
    def fixed_amount(self) -> Decimal | None:
        """The sum the center fixed for a simple payment (None: not fixed, or not said)."""
        service = self.service
        if service is None or self.answer is None or not (
                service.scheme is Scheme.SIMPLE and service.fixed_payment):
            return None
        return self.answer.fixed_amount

    def accept_check(self, record: PaymentRecord) -> None:
        """The check said yes (here, or again after a declined card): the amounts next."""
        assert self.service is not None
        self.answer = record.check
        # the limits known before anything is paid: the service's and this account's
        answer_limits, problems = limits_from(record.check_answer)
        for problem in problems:
            log.warning("service %s: check answer: %s", self.service.service_id, problem)
        self.limits = self.service.limits.narrowed(answer_limits) if (
            self.amount_editable) else AmountLimits()
        self.set_step(Step.CHECKED)
        self.say("")
        self.checked.emit(record)

    # --- money --------------------------------------------------------------------------
    def amount_to(self) -> tuple[Decimal | None, str]:
        """The amount to credit as it stands on screen, or None and why there is none."""
        if self.service is None:
            return None, ""
        entered = self._entered()
        if entered.invoice is not None:
            return entered.invoice
        text = entered.amount.strip()
        if not text:
            return None, self.tr("Укажите сумму к зачислению")
        try:
            amount = check_amount(parse_user_amount(text), "Сумма к зачислению")
        except (AmountError, PaymentRefused) as error:
            return None, str(error)
        problem = self.limits.problem(amount)
        return (None, problem) if problem else (amount, "")

    def charges(self, amount_to: Decimal) -> Money:
        """The commission and the total to take for ``amount_to``, by the engine."""
        assert self.service is not None
        return self.engine.quote(self.service.service_id, amount_to)

    def quote(self, *, cash: bool = True) -> tuple[Money | None, str]:
        """The amounts as they stand on screen, by the engine, or None and what is wrong;
        ``cash=False``: paid by QR, whatever the cash field says."""
        amount_to, problem = self.amount_to()
        if amount_to is None or self.service is None:
            return None, problem
        text = self._entered().cash.strip() if cash else ""
        try:
            given = parse_user_amount(text) if text else None
            return self.engine.quote(self.service.service_id, amount_to, given), ""
        except (AmountError, PaymentRefused) as error:
            return None, str(error)

    def plan(self, *, cash: bool = True) -> PayPlan:
        """The engine's validated plan for what is on screen (PaymentRefused if not payable);
        ``cash=False``: paid by QR, whatever the cash field says."""
        assert self.record is not None and self.service is not None
        money, problem = self.quote(cash=cash)
        if money is None:
            raise PaymentRefused(problem)
        entered = self._entered()
        if entered.invoice is not None:
            return self.engine.plan(self.record, lines=entered.lines,
                                    cash_given=money.cash_given)
        fixed = self.service.fixed_payment and self.service.scheme is Scheme.SIMPLE
        return self.engine.plan(self.record, amount=None if fixed else money.amount_to,
                                contract_id=entered.contract_id, cash_given=money.cash_given,
                                fixed_payment=fixed)

    def plan_problem(self, *, cash: bool, card: bool = False) -> str:
        """Why pressing F9 (``cash``), F8 or F7 (``card``) would be refused right now, "" if
        it would run."""
        if self.step is not Step.CHECKED or self.pay_in_flight or self.record is None:
            return self.tr("Платёж уже отправлен") if self.pay_in_flight else self.tr(
                "Сначала проверьте платёж")
        if cash is False and not card and not self.takes_qr:
            return self.tr("Оплата по QR СБП не подключена")
        blocked = self.session.payment_blocker()
        if blocked:
            return blocked
        try:
            self.plan(cash=cash)
        except PaymentRefused as error:
            return str(error)
        return ""

    def ready_plan(self, *, cash: bool) -> PayPlan | None:
        """The plan to pay now, or None (and why, said): not the right step, a pay already
        under way, payments blocked, or the amounts not payable."""
        if self.step is not Step.CHECKED or self.pay_in_flight or self.record is None:
            return None
        blocked = self.session.payment_blocker()
        if blocked:
            self.say(blocked, "error")
            return None
        try:
            return self.plan(cash=cash)
        except PaymentRefused as error:
            self.refused.emit(str(error))
            return None

    # --- pay ----------------------------------------------------------------------------
    def start_pay(self) -> None:
        """F9, Enter in «Внесено»: refused on the spot, with the reason; a payable one is
        paid in the background."""
        if self.qr.armed:
            self.qr.keep_waiting()
            return
        if self.card.armed:
            self.card.keep_waiting()
            return
        if self.card.on_screen:  # after a declined or expired link: another way of paying
            self.spawn(self.card.other_way())
            return
        if self.step is Step.CHECKED and self.ready_plan(cash=True) is not None:
            self.spawn(self.pay())

    async def pay(self) -> None:
        # the guard is set before the first await: a double click or a second Enter that
        # arrives while this runs finds it set and does nothing
        plan = self.ready_plan(cash=True)
        if plan is None or self.record is None:
            return
        self.pay_in_flight = True
        record = self.record
        try:
            self.set_step(Step.PAYING)
            self.say(self.tr("Платёж отправлен, ждём ответа процессинга…"), "busy")
            record = await self.engine.pay(record.agent_transaction_id, plan)
        finally:
            self.pay_in_flight = False
        if self.record is not None and self.record.agent_transaction_id == (
                record.agent_transaction_id):
            self.show_outcome(record, auto_print=True)

    def show_outcome(self, record: PaymentRecord, *, auto_print: bool = False) -> None:
        """The payment's outcome; ``auto_print``: right after pay, print its receipt (paid or
        «в обработке») when the settings say so."""
        self.set_step(Step.DONE)
        self.say("")
        self.follow(record)
        if (auto_print and self.receipts is not None and self.receipts.auto_print
                and record.state in AUTO_PRINT_STATES):
            self.spawn(self.print_receipt(record.agent_transaction_id))
        self.finished.emit(record)

    def follow(self, record: PaymentRecord) -> None:
        """The payment on screen changed (its state, its receipt, for a QR code the clock):
        everything said about it is said anew from this record, so no banner outlives the
        state it was about."""
        self.record = record
        self.followed.emit(record)
        if self.step is Step.QR and self.qr.armed and not qr_payable(record, self.clock()):
            self.qr.disarm()
        if self.card.armed and not card_payable(record, self.clock()):
            self.card.disarm()

    def banner(self) -> Banner | None:
        """What the outcome banner says of the payment on screen (None: no outcome yet)."""
        if self.step is not Step.DONE or self.record is None:
            return None
        if self.record.by_card:
            return card_banner(self.record)
        return outcome_banner(self.record)

    def amount_refusal(self) -> str:
        """The center's refusal of the amount, for the amount field ("" for any other)."""
        record = self.record
        if record is None or record.state is not State.FAILED or (
                record.result not in AMOUNT_CODES):
            return ""
        return record.result_message or ""

    def engine_changed(self, record: PaymentRecord) -> None:
        """The engine wrote a payment (the bridge's signal): the one on screen is followed."""
        if self.record is None or record.agent_transaction_id != (
                self.record.agent_transaction_id):
            return
        if self.card.on_screen:
            self.card.update(record)
        elif self.step is Step.QR:
            self.qr.update(record)
        elif self.step is Step.DONE:
            self.follow(record)

    # --- receipt ------------------------------------------------------------------------
    def receipt_changed(self, outcome: PrintOutcome) -> None:
        """A print ended (here, from the receipt on screen, from «Сегодня»)."""
        record = self.record
        if (record is not None and self.step is Step.DONE
                and outcome.receipt.agent_transaction_id == record.agent_transaction_id):
            self.follow(self.engine.journal.get(record.agent_transaction_id))

    async def print_receipt(self, agent_transaction_id: int) -> None:
        """Print the payment's receipt; one at a time (a second F6 while printing: one
        receipt). The print runs off the event loop and never changes the payment."""
        if self.receipts is None or self.printing:
            return
        self.printing = True
        shown = self.record
        if shown is not None and shown.agent_transaction_id == agent_transaction_id:
            self.follow(shown)
        try:
            outcome = await self.receipts.print_payment(agent_transaction_id)
            printed, error = outcome.printed, ""
        except ReceiptError as refused:
            printed, error = False, str(refused)
        finally:
            self.printing = False
        if self.record is None or self.record.agent_transaction_id != agent_transaction_id:
            return  # the cashier moved on; the window tells them (see MainWindow)
        self.follow(self.engine.journal.get(agent_transaction_id))
        self.printed.emit(printed, error)

    # --- leaving ------------------------------------------------------------------------
    def escape(self) -> None:
        """Esc: cancel a running check; otherwise clear for the next person (a pay on its
        way goes on in the engine)."""
        if self.card.on_screen:
            self.card.escape()
            return
        if self.step is Step.QR:
            self.qr.escape()
            return
        if self.step is Step.CHECKING and self.record is not None:
            self.engine.cancel(self.record.agent_transaction_id, "Проверка отменена кассиром")
            self.record = None
            self.set_step(Step.FORM)
            self.say(self.tr("Проверка отменена. Данные можно исправить и проверить снова."),
                     "info")
            return
        self.reset()

    def reset(self) -> None:
        """Clear the desk for the next person; the window puts the cursor in the search."""
        self.clear()
        self.reset_requested.emit()

    def clear(self) -> None:
        """Back to «choose a service» (after log-out, say)."""
        self.drop_unpaid()
        self.service = None
        self.record = None
        self.answer = None
        self.opened.emit(None)
        self.set_step(Step.EMPTY)

    def drop_unpaid(self, reason: str = "Отменён кассиром до оплаты") -> None:
        """A payment checked but not paid moved no money: cancel its journal row."""
        record = self.record
        if record is None:
            return
        current = self.engine.journal.get(record.agent_transaction_id)
        if current.state in (State.NEW, State.CHECKED):
            self.engine.cancel(record.agent_transaction_id, reason)
        elif current.state is State.QR_WAITING and current.by_card:
            # a link on screen is cancelled and watched to its end; a saved card's payment
            # waiting for the supervisor's decision is left to them
            if not current.cancel_requested_at and not current.needs_decision:
                self.spawn(self.card.leave(current.agent_transaction_id))
        elif current.state is State.QR_WAITING and not current.cancel_requested_at:
            # leaving a code on screen (log-out, say): it is cancelled and watched to its end
            self.spawn(self.qr.leave(current.agent_transaction_id))
        if self.step is Step.QR:
            self.qr_changed.emit(None)
        self.record = None
