"""One payment from the service form to its outcome: fill, check, choose, count the cash, pay.

The panel holds no payment state of its own beyond *which* journal row it shows: every step
goes through :class:`~cashier_app.engine.PaymentEngine`, which journals before it sends. A pay
that gets no final answer leaves the panel free for the next person; the engine goes on in the
background and the window reports the outcome. Whatever the panel says about the payment is
derived from that row each time it changes (:mod:`.payment_banner`), never left over from an
earlier state.

Layout: the title and the step's status on top, the form and the check's result in the
middle (which scrolls if a long invoice needs it), the amounts, the outcome and the buttons
fixed at the bottom — so «Оплатить», «QR» and «Следующий платёж» are on screen at 1366×768.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.answers import Contract, PaymentAnswer
from cashier_app.core.limits import AmountLimits, limits_from
from cashier_app.core.money import AmountError, format_amount, parse_user_amount
from cashier_app.core.result_codes import ACCOUNT_CODES, AMOUNT_CODES
from cashier_app.core.schemes import (
    Money,
    PaymentRefused,
    check_amount,
    commission_for,
    settle_cash,
)
from cashier_app.core.services import ACCOUNT, Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine, PaymentInput, PayPlan
from cashier_app.journal import PaymentRecord
from cashier_app.receipts.service import AUTO_PRINT_STATES, PrintOutcome, ReceiptService
from cashier_app.ui.bridge import EngineBridge

from .check_views import ContractsView, DisplaysView, InvoiceView
from .form import ServiceForm
from .money_box import MoneyBox
from .panel_qr import QrFlow
from .payment_banner import outcome_banner, qr_payable
from .payment_step import Step
from .qr_view import QrPaymentView
from .receipt_line import ReceiptLine

__all__ = ["PaymentPanel", "Step"]
log = logging.getLogger(__name__)


class _EnterFilter(QObject):
    """Enter on a table goes on to the next step instead of editing a cell."""

    def __init__(self, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (  # type: ignore[attr-defined]
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._action()
            return True
        return False


class PaymentPanel(QWidget):
    #: A payment this panel sent reached a state worth telling the window about.
    outcome = Signal(object)
    step_changed = Signal(str)
    reset_requested = Signal()
    #: the QR payment on screen changed (PaymentRecord), or there is none any more (None)
    qr_changed = Signal(object)
    #: the cashier left a QR code that can still be paid (PaymentRecord): the window watches
    qr_left = Signal(object)

    def __init__(self, engine: PaymentEngine, *, who: Callable[[], tuple[str, int | None]],
                 gate: Callable[[], str | None] = lambda: None, identity_fields: bool = False,
                 receipts: ReceiptService | None = None,
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 bridge: EngineBridge | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if bridge is None:  # alone (tests): its own view of the engine's and printer's news
            hubs = [engine.events] + ([receipts.events] if receipts is not None else [])
            bridge = EngineBridge(*hubs, parent=self)
        self.engine = engine
        self._who = who
        self._gate = gate
        self._identity_fields = identity_fields
        self.step = Step.EMPTY
        self.service: ServiceDefinition | None = None
        self.record: PaymentRecord | None = None
        self.answer: PaymentAnswer | None = None
        self.form: ServiceForm | None = None
        self.result_view: QWidget | None = None
        self.limits = AmountLimits()
        self.tasks: set[asyncio.Task[None]] = set()
        self._check_task: asyncio.Task[PaymentRecord] | None = None
        self.pay_in_flight = False
        self.receipts = receipts
        self.clock: Callable[[], datetime] = datetime.now

        self.title = QLabel(self.tr("Выберите услугу в каталоге слева или найдите её (Ctrl+F)"))
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.form_box = QGroupBox(self.tr("Данные платежа"))
        self.form_layout = QVBoxLayout(self.form_box)
        self.form_layout.setContentsMargins(8, 4, 8, 4)
        self.check_button = QPushButton(self.tr("Проверить  ⏎"))
        self.check_button.setObjectName("checkButton")
        self.check_button.clicked.connect(self.start_check)
        self.cancel_button = QPushButton(self.tr("Отменить  Esc"))
        self.cancel_button.clicked.connect(self.escape)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.form_layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy indicator
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.status = QLabel("")
        self.status.setObjectName("stepStatus")
        self.status.setWordWrap(True)
        self.status.hide()

        self.result_box = QGroupBox(self.tr("Результат проверки"))
        self.result_layout = QVBoxLayout(self.result_box)
        self.result_layout.setContentsMargins(8, 4, 8, 4)

        self.money_box = MoneyBox()
        self.amount_edit = self.money_box.amount_edit
        self.amount_message = self.money_box.amount_message
        self.commission_label = self.money_box.commission_label
        self.from_label = self.money_box.from_label
        self.cash_edit = self.money_box.cash_edit
        self.change_label = self.money_box.change_label
        self.money_message = self.money_box.money_message
        self.amount_edit.textChanged.connect(self.recount)
        self.amount_edit.returnPressed.connect(self._to_cash)
        self.cash_edit.textChanged.connect(self.recount)
        self.cash_edit.returnPressed.connect(self.start_pay)
        self.pay_button = QPushButton(self.tr("Оплатить наличными  F9"))
        self.pay_button.setObjectName("payButton")
        self.pay_button.clicked.connect(self.start_pay)
        self.qr_button = QPushButton(self.tr("Оплата по QR СБП  F8"))
        self.qr_button.setObjectName("qrButton")  # style.qss: greyed when disabled
        self.qr_button.clicked.connect(self.start_qr)

        self.qr_view = QrPaymentView(demo=bank is not None)
        self.qr = QrFlow(self, bank)
        self.qr_view.cancel_requested.connect(self.escape)
        self.qr_view.confirm_cancel.connect(self.qr.confirm)
        self.qr_view.keep_waiting.connect(self.qr.keep_waiting)
        self.qr_view.renew_requested.connect(self.start_qr)
        self.qr_view.demo_pay_requested.connect(self.qr.demo_bank_pay)
        self.qr_view.expired.connect(self.qr.expired_on_screen)
        bridge.payment_changed.connect(self._engine_changed)
        bridge.receipt_printed.connect(self._receipt_changed)

        self.banner = QLabel("")
        self.banner.setObjectName("outcomeBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        self.next_button = QPushButton(self.tr("Следующий платёж  Esc"))
        self.next_button.clicked.connect(self.escape)
        self.receipt_line = ReceiptLine(receipts)
        self.receipt_box = self.receipt_line
        self.receipt_status = self.receipt_line.status
        self.print_button = self.receipt_line.print_button
        self.print_button.clicked.connect(self.start_print_receipt)
        self.preview_button = self.receipt_line.preview_button
        self.preview_button.clicked.connect(self.preview_receipt)
        self.action_row = QWidget()
        action_row = QHBoxLayout(self.action_row)
        action_row.setContentsMargins(0, 0, 0, 0)
        action_row.addWidget(self.pay_button)
        action_row.addWidget(self.qr_button)
        action_row.addStretch(1)
        action_row.addWidget(self.next_button)

        for box in (self.form_box, self.result_box):  # extra height goes below, not inside
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 4, 0)
        column.addWidget(self.form_box)
        column.addWidget(self.result_box)
        column.addWidget(self.qr_view, 1)
        column.addStretch(0)
        self.middle = QScrollArea()
        self.middle.setWidgetResizable(True)
        self.middle.setWidget(content)
        self.middle.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        outer.addWidget(self.title)
        outer.addWidget(self.progress)
        outer.addWidget(self.status)
        outer.addWidget(self.middle, 1)
        outer.addWidget(self.money_box)
        outer.addWidget(self.banner)
        outer.addWidget(self.receipt_box)
        outer.addWidget(self.action_row)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.pay_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F9), self, self.start_pay,
                                      context=context)
        self.escape_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.escape,
                                         context=context)
        self.print_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F6), self,
                                        self.start_print_receipt, context=context)
        self.preview_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F7), self,
                                          self.preview_receipt, context=context)
        self.qr_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F8), self, self.start_qr,
                                     context=context)
        self.show_step(Step.EMPTY)

    # --- opening a service --------------------------------------------------------------
    def open_service(self, service: ServiceDefinition, prefill: dict[str, str] | None = None
                     ) -> None:
        """Show the form for ``service``; a checked-but-unpaid payment on screen is cancelled."""
        self._drop_unpaid()
        self.service = service
        self.record = None
        self.answer = None
        self.title.setText(f"{service.name}  ·  {service.group or '—'}  ·  {service.service_id}")
        if self.form is not None:
            self.form.deleteLater()
        self.form = ServiceForm(service, identity_fields=self._identity_fields)
        self.form.submitted.connect(self.start_check)
        self.form.edited.connect(self._form_edited)
        self.form_layout.insertWidget(0, self.form)
        for name, value in (prefill or {}).items():
            self.form.set_value(name, value)
        self._clear_result()
        self.show_step(Step.FORM)
        self.form.focus_first()

    def _clear_result(self) -> None:
        if self.result_view is not None:
            self.result_view.deleteLater()
            self.result_view = None
        self.money_box.clear()
        self.limits = AmountLimits()
        self.banner.hide()

    @property
    def takes_qr(self) -> bool:
        return self.engine.sbp is not None

    def show_step(self, step: Step) -> None:
        self.step = step
        if step is not Step.QR:
            self.qr.disarm()
        has_form = step not in (Step.EMPTY, Step.QR)
        self.form_box.setVisible(has_form)
        if self.form is not None:
            self.form.set_locked(step not in (Step.FORM, Step.CHECKED))
        self.check_button.setVisible(step in (Step.FORM, Step.CHECKING))
        self.check_button.setEnabled(step is Step.FORM)
        self.cancel_button.setVisible(step in (Step.FORM, Step.CHECKING))
        self.progress.setVisible(step in (Step.CHECKING, Step.PAYING))
        with_money = step in (Step.CHECKED, Step.PAYING, Step.DONE)
        self.result_box.setVisible(with_money and self.result_view is not None)
        self.money_box.setVisible(with_money)
        for widget in (self.amount_edit, self.cash_edit):
            widget.setEnabled(step is Step.CHECKED)
        self.action_row.setVisible(with_money)
        self.pay_button.setVisible(step in (Step.CHECKED, Step.PAYING))
        self.qr_button.setVisible(self.takes_qr and step in (Step.CHECKED, Step.PAYING))
        self.money_box.setTitle(self.tr("Оплата: наличными или по QR СБП") if self.takes_qr
                                else self.tr("Оплата наличными"))
        self.qr_view.setVisible(step is Step.QR)
        if step is not Step.QR:
            self.qr_view.stop()
        self.next_button.setVisible(step in (Step.PAYING, Step.DONE))
        if step is not Step.DONE:
            self.banner.hide()
            self.receipt_box.hide()
        if step in (Step.EMPTY, Step.FORM):
            self.set_status("")
        self._update_buttons()
        self.step_changed.emit(step.value)

    def set_status(self, text: str, kind: str = "info") -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("payment panel task failed", exc_info=error)
            self.set_status(self.tr("Внутренняя ошибка: платёж сохранён в журнале, проверьте "
                                     "его в списке «Сегодня». Подробности в логе."), "error")

    # --- check --------------------------------------------------------------------------
    def start_check(self) -> None:
        """Enter on the last field or «Проверить»: the form is judged at once, on the spot;
        only a valid one goes to the processing center (in the background)."""
        if self.step is not Step.FORM or self.form is None:
            return
        if not self.form.validate():
            self.set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        self.spawn(self.check())

    async def check(self) -> None:
        if self.step is not Step.FORM or self.form is None or self.service is None:
            return
        if not self.form.validate():
            self.set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        blocked = self._gate()
        if blocked:
            self.set_status(blocked, "error")
            return
        cashier, shift_id = self._who()
        identity_card, full_name = self.form.identity_values()
        entry = PaymentInput(self.service, self.form.values(), cashier=cashier,
                             shift_id=shift_id, identity_card=identity_card,
                             full_name=full_name)
        try:
            record = self.engine.begin(entry)
        except PaymentRefused as error:
            self.set_status(str(error), "error")
            return
        self.record = record
        self.show_step(Step.CHECKING)
        self.set_status(self.tr("Проверяем в процессинге…  Esc — отменить"), "busy")
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
            self._show_checked(record)
        else:
            self._show_check_failed(record)

    def _show_check_failed(self, record: PaymentRecord) -> None:
        self.show_step(Step.FORM)
        message = record.result_message or self.tr("Процессинг не ответил")
        if record.result is None:
            self.set_status(self.tr("Нет ответа процессинга: {0}. Проверьте связь и нажмите "
                                     "«Проверить» ещё раз.").format(message), "error")
            return
        self.set_status(self.tr("Платёж не принят: {0}").format(message), "error")
        inputs = self.service.inputs if self.service else ()
        if record.result in ACCOUNT_CODES and self.form is not None and inputs:
            field = ACCOUNT if any(s.name == ACCOUNT for s in inputs) else inputs[0].name
            self.form.set_error(field, message)

    def _show_checked(self, record: PaymentRecord) -> None:
        assert self.service is not None
        self.answer = record.check
        scheme = self.service.scheme
        view: QWidget
        checked = self.tr("проверено, сверьте данные с клиентом")
        if scheme is Scheme.CHOICE:
            view = ContractsView(self.answer.contracts or ())
            view.chosen.connect(self._contract_chosen)
            view.table.installEventFilter(_EnterFilter(self._to_amount, view))
            self.result_box.setTitle(self.tr("Договоры клиента — {0}").format(checked))
        elif scheme is Scheme.COMPLEX:
            view = InvoiceView(self.answer)
            view.changed.connect(self.recount)
            self.result_box.setTitle(self.tr("Квитанция — {0}").format(checked))
        else:
            view = DisplaysView(self.service, self.answer)
            self.result_box.setTitle(self.tr("Проверено: сверьте данные с клиентом"))
        self.result_view = view
        self.result_layout.addWidget(view)
        fixed = scheme is Scheme.SIMPLE and self.service.fixed_payment
        editable = scheme is Scheme.CHOICE or (scheme is Scheme.SIMPLE and not fixed)
        self.amount_edit.setReadOnly(not editable)
        if fixed:
            amount = self.answer.fixed_amount
            self.amount_edit.setText(format_amount(amount) if amount is not None else "")
        # the limits known before anything is paid: the service's and this account's
        answer_limits, problems = limits_from(record.check_answer)
        for problem in problems:
            log.warning("service %s: check answer: %s", self.service.service_id, problem)
        self.limits = self.service.limits.narrowed(answer_limits) if editable else (
            AmountLimits())
        self.money_box.set_limits(self.limits.describe())
        self.show_step(Step.CHECKED)
        self.set_status("")
        if isinstance(view, ContractsView):
            view.chosen.emit(view.current())
            view.table.setFocus()
        elif isinstance(view, InvoiceView):
            view.table.setFocus()
        elif editable:
            self.amount_edit.setFocus()
        else:
            self.cash_edit.setFocus()
        self.recount()

    def _contract_chosen(self, contract: Contract | None) -> None:
        if contract is not None and contract.contract_sum is not None:
            self.amount_edit.setText(format_amount(contract.contract_sum))
        self.recount()

    def _to_amount(self) -> None:
        self.amount_edit.setFocus()
        self.amount_edit.selectAll()

    def _to_cash(self) -> None:
        self.cash_edit.setFocus()
        self.cash_edit.selectAll()

    def _form_edited(self) -> None:
        """Data changed after check: that check no longer stands; back to the form."""
        if self.step is Step.CHECKED and self.record is not None:
            self._drop_unpaid("Данные изменены после проверки")
            self._clear_result()
            self.show_step(Step.FORM)
            self.set_status(self.tr("Данные изменены: проверьте платёж снова"), "info")

    # --- money --------------------------------------------------------------------------
    def _amount_to(self) -> tuple[Decimal | None, str]:
        """The amount to credit as it stands, or None and why there is none."""
        if self.service is None:
            return None, ""
        if isinstance(self.result_view, InvoiceView):
            return self.result_view.total()
        text = self.amount_edit.text().strip()
        if not text:
            return None, self.tr("Укажите сумму к зачислению")
        try:
            amount = check_amount(parse_user_amount(text), "Сумма к зачислению")
        except (AmountError, PaymentRefused) as error:
            return None, str(error)
        problem = self.limits.problem(amount)
        return (None, problem) if problem else (amount, "")

    def quote(self, *, cash: bool = True) -> tuple[Money | None, str]:
        """The amounts as they stand on screen, or None and what is wrong; ``cash=False``:
        paid by QR, whatever the cash field says."""
        amount_to, problem = self._amount_to()
        if amount_to is None or self.service is None:
            return None, problem
        commission = commission_for(self.engine.commission, self.service.service_id, amount_to)
        text = self.cash_edit.text().strip() if cash else ""
        try:
            given = parse_user_amount(text) if text else None
            return settle_cash(amount_to, commission, given), ""
        except (AmountError, PaymentRefused) as error:
            return None, str(error)

    def _plan_problem(self, *, cash: bool) -> str:
        """Why pressing F9 (``cash``) or F8 would be refused right now, "" if it would run."""
        if self.step is not Step.CHECKED or self.pay_in_flight or self.record is None:
            return self.tr("Платёж уже отправлен") if self.pay_in_flight else self.tr(
                "Сначала проверьте платёж")
        if cash is False and not self.takes_qr:
            return self.tr("Оплата по QR СБП не подключена")
        blocked = self._gate()
        if blocked:
            return blocked
        try:
            self.plan(cash=cash)
        except PaymentRefused as error:
            return str(error)
        return ""

    def recount(self) -> None:
        if self.step not in (Step.CHECKED, Step.PAYING, Step.DONE):
            return
        amount_to, amount_problem = self._amount_to()
        invoice = isinstance(self.result_view, InvoiceView)
        if invoice:
            # no valid total while the invoice has an error: not the last one that was
            self.amount_edit.setText(format_amount(amount_to) if amount_to is not None else "—")
            shown = self.tr("Нет итога: исправьте квитанцию выше") if amount_problem else ""
        elif self.amount_edit.isReadOnly():
            shown = amount_problem
        else:
            shown = amount_problem if self.amount_edit.text().strip() else ""
        if self.step is Step.CHECKED:
            self.money_box.set_amount_problem(shown)
        money, problem = self.quote()
        if amount_to is not None:
            assert self.service is not None
            commission = commission_for(self.engine.commission, self.service.service_id,
                                        amount_to)
            self.money_box.show_amounts(commission, amount_to + commission,
                                        money.change if money else None)
        else:
            self.money_box.show_amounts(None, None, None)
        if self.step is Step.CHECKED:
            self.money_box.set_money_problem(problem if amount_to is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        """F9 and F8 are pressable only when they would run now (the keys then say why)."""
        checked = self.step is Step.CHECKED and not self.pay_in_flight
        self.pay_button.setEnabled(checked and not self._plan_problem(cash=True))
        self.qr_button.setEnabled(checked and self.takes_qr
                                  and not self._plan_problem(cash=False))

    # --- pay ----------------------------------------------------------------------------
    def start_pay(self) -> None:
        if self.qr.armed:
            self.qr.keep_waiting()
            return
        # refused on the spot, with the reason; only a payable one goes on
        if self.step is Step.CHECKED and self.ready_plan(cash=True) is not None:
            self.spawn(self.pay())

    def plan(self, *, cash: bool = True) -> PayPlan:
        """The engine's validated plan for what is on screen (PaymentRefused if not payable);
        ``cash=False``: paid by QR, whatever the cash field says."""
        assert self.record is not None and self.service is not None
        money, problem = self.quote(cash=cash)
        if money is None:
            raise PaymentRefused(problem)
        view = self.result_view
        if isinstance(view, InvoiceView):
            return self.engine.plan(self.record, lines=view.choices(),
                                    cash_given=money.cash_given)
        contract_id = None
        if isinstance(view, ContractsView):
            contract = view.current()
            contract_id = contract.contract_id if contract else None
        fixed = self.service.fixed_payment and self.service.scheme is Scheme.SIMPLE
        return self.engine.plan(self.record, amount=None if fixed else money.amount_to,
                                contract_id=contract_id, cash_given=money.cash_given,
                                fixed_payment=fixed)

    def ready_plan(self, *, cash: bool) -> PayPlan | None:
        """The plan to pay now, or None (and why, on screen): not the right step, a pay
        already under way, payments blocked, or the amounts not payable."""
        if self.step is not Step.CHECKED or self.pay_in_flight or self.record is None:
            return None
        blocked = self._gate()
        if blocked:
            self.set_status(blocked, "error")
            return None
        try:
            return self.plan(cash=cash)
        except PaymentRefused as error:
            amount_to, _ = self._amount_to()
            if not (isinstance(self.result_view, InvoiceView) and amount_to is None) and (
                    self.amount_message.isHidden()
                    or self.amount_message.text() != str(error)):
                self.money_box.set_money_problem(str(error))  # unless already on screen
            return None

    async def pay(self) -> None:
        # the guard is set before the first await: a double click or a second Enter that
        # arrives while this runs finds it set and does nothing
        plan = self.ready_plan(cash=True)
        if plan is None or self.record is None:
            return
        self.pay_in_flight = True
        record = self.record
        try:
            self.show_step(Step.PAYING)
            self.set_status(self.tr("Платёж отправлен, ждём ответа процессинга…"), "busy")
            record = await self.engine.pay(record.agent_transaction_id, plan)
        finally:
            self.pay_in_flight = False
        self.outcome.emit(record)
        if self.record is not None and self.record.agent_transaction_id == (
                record.agent_transaction_id):
            self.show_outcome(record, auto_print=True)

    def show_outcome(self, record: PaymentRecord, *, auto_print: bool = False) -> None:
        """The payment's outcome; ``auto_print``: right after pay, print its receipt (paid or
        «в обработке») when the settings say so."""
        self.show_step(Step.DONE)
        self.set_status("")
        self.follow(record)
        if (auto_print and self.receipts is not None and self.receipts.auto_print
                and record.state in AUTO_PRINT_STATES):
            self.spawn(self.print_receipt(record.agent_transaction_id))
        self.next_button.setFocus()

    def follow(self, record: PaymentRecord) -> None:
        """Everything the panel says about the payment on screen, from its current record:
        called on every change of the payment, of its receipt and (for a QR code) of the
        clock, so no banner outlives the state it was about."""
        self.record = record
        if self.step is Step.DONE:
            if record.amount_to is not None:  # as paid, in the people's form
                self.amount_edit.setText(format_amount(record.amount_to))
            banner = outcome_banner(record)
            self.banner.setText(banner.text)
            self.banner.setProperty("kind", banner.kind)
            self.banner.style().polish(self.banner)
            self.banner.show()
            self.money_box.set_amount_problem(
                record.result_message or "" if record.state is State.FAILED
                and record.result in AMOUNT_CODES else "")
            self.receipt_line.show_for(record)
        elif self.step is Step.QR:
            self.qr_view.show_record(record)
            if self.qr.armed and not qr_payable(record, self.clock()):
                self.qr.disarm()

    def _engine_changed(self, record: PaymentRecord) -> None:
        if self.record is None or record.agent_transaction_id != (
                self.record.agent_transaction_id):
            return
        if self.step is Step.QR:
            self.qr.update(record)
        elif self.step is Step.DONE:
            self.follow(record)

    # --- QR СБП (the steps are in .panel_qr) -------------------------------------------
    def start_qr(self) -> None:
        """F8: pay by a QR code after check; a new code after an expired or rejected one."""
        self.qr.start()

    # --- receipt ------------------------------------------------------------------------
    def _receipt_changed(self, outcome: PrintOutcome) -> None:
        """A print ended (here, from the receipt on screen, from «Сегодня»)."""
        record = self.record
        if (record is not None and self.step is Step.DONE
                and outcome.receipt.agent_transaction_id == record.agent_transaction_id):
            self.follow(self.engine.journal.get(record.agent_transaction_id))

    def start_print_receipt(self) -> None:
        """F6: print (again) the receipt of the payment on screen — if it has one to print."""
        if self.qr.armed:
            self.qr.keep_waiting()
            return
        line = self.receipt_line
        if (self.step is not Step.DONE or self.record is None or line.printing
                or not line.can_print):
            return
        self.spawn(self.print_receipt(self.record.agent_transaction_id))

    async def print_receipt(self, agent_transaction_id: int) -> None:
        line = self.receipt_line
        if line.receipts is None or line.printing:  # a second F6 while printing: one receipt
            return
        line.printing = True
        shown = self.record
        if shown is not None and shown.agent_transaction_id == agent_transaction_id:
            self.follow(shown)
        printed, error = await line.print_payment(agent_transaction_id)
        if self.record is None or self.record.agent_transaction_id != agent_transaction_id:
            return  # the cashier moved on; the window tells them (see MainWindow)
        self.follow(self.engine.journal.get(agent_transaction_id))
        if error is not None:
            line.say(error, "error")
        (self.next_button if printed else self.print_button).setFocus()

    def preview_receipt(self) -> None:
        """F7: the receipt on screen, as it will print."""
        if self.qr.armed:
            self.qr.keep_waiting()
            return
        if self.step is not Step.DONE or self.record is None or not self.receipt_line.can_print:
            return
        dialog = self.receipt_line.preview(self, self.record.agent_transaction_id,
                                           self.start_print_receipt)
        if dialog is not None:
            self.receipt_dialog = dialog

    # --- leaving ------------------------------------------------------------------------
    def escape(self) -> None:
        """Esc: cancel a running check; otherwise clear for the next person."""
        if self.step is Step.QR:
            self.qr.escape()
            return
        if self.step is Step.CHECKING and self.record is not None:
            self.engine.cancel(self.record.agent_transaction_id, "Проверка отменена кассиром")
            self.record = None
            self.show_step(Step.FORM)
            self.set_status(self.tr("Проверка отменена. Данные можно исправить и "
                                     "проверить снова."), "info")
            return
        if self.step is Step.PAYING and self.pay_in_flight:
            # the payment goes on in the engine; the panel is free for the next person
            self.outcome.emit(self.record)
        self.reset()

    def reset(self) -> None:
        """Clear the panel for the next person; the window puts the cursor in the search."""
        self.clear()
        self.reset_requested.emit()

    def clear(self) -> None:
        """Back to «choose a service» (after log-out, say)."""
        self._drop_unpaid()
        self.service = None
        self.record = None
        if self.form is not None:
            self.form.deleteLater()
            self.form = None
        self._clear_result()
        self.title.setText(self.tr("Выберите услугу в каталоге слева или найдите её (Ctrl+F)"))
        self.show_step(Step.EMPTY)

    def _drop_unpaid(self, reason: str = "Отменён кассиром до оплаты") -> None:
        """A payment checked but not paid moved no money: cancel its journal row."""
        record = self.record
        if record is None:
            return
        current = self.engine.journal.get(record.agent_transaction_id)
        if current.state in (State.NEW, State.CHECKED):
            self.engine.cancel(record.agent_transaction_id, reason)
        elif current.state is State.QR_WAITING and not current.cancel_requested_at:
            # leaving a code on screen (log-out, say): it is cancelled and watched to its end
            self.spawn(self.qr.leave(current.agent_transaction_id))
        if self.step is Step.QR:
            self.qr_changed.emit(None)
        self.record = None
