"""One payment from the service form to its outcome: fill, check, choose, count the cash, pay.

The panel holds no payment state of its own beyond *which* journal row it shows: every step
goes through :class:`~cashier_app.engine.PaymentEngine`, which journals before it sends. A pay
that gets no final answer leaves the panel free for the next person; the engine goes on in the
background and the window reports the outcome.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

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
from cashier_app.processing.models import Contract, PaymentAnswer
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.service import AUTO_PRINT_STATES, ReceiptService

from .check_views import ContractsView, DisplaysView, InvoiceView
from .form import ServiceForm
from .qr_view import QrPaymentView
from .receipt_view import open_payment_receipt

log = logging.getLogger(__name__)


class Step(enum.Enum):
    EMPTY = "empty"        # no service chosen
    FORM = "form"          # filling the form
    CHECKING = "checking"  # check sent, waiting
    CHECKED = "checked"    # check answer shown, counting the cash
    PAYING = "paying"      # pay sent, waiting for the first answer
    QR = "qr"              # the person pays a QR СБП code on screen (or it failed: a new one?)
    DONE = "done"          # outcome shown (paid, failed or «в обработке»)

#: Esc twice within this many seconds cancels a QR code that may be being paid right now.
CANCEL_CONFIRM_SECONDS = 5.0


def _money_label(name: str) -> QLabel:
    label = QLabel("—")
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


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
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.tasks: set[asyncio.Task[None]] = set()
        self._check_task: asyncio.Task[PaymentRecord] | None = None
        self._pay_in_flight = False
        self.receipts = receipts
        self._printing = False
        self._bank = bank  # demo mode: plays the person's bank for a QR code
        self._cancel_armed = 0.0

        self.title = QLabel(self.tr("Выберите услугу в каталоге слева или найдите её (Ctrl+F)"))
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        self.form_box = QGroupBox(self.tr("Данные платежа"))
        self.form_layout = QVBoxLayout(self.form_box)
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

        self.money_box = QGroupBox(self.tr("Оплата наличными"))
        money = QFormLayout(self.money_box)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setPlaceholderText("0,00")
        self.amount_edit.textChanged.connect(self._recount)
        self.amount_edit.returnPressed.connect(self._to_cash)
        self.amount_message = QLabel("")
        self.amount_message.setObjectName("fieldError")
        self.amount_message.hide()
        amount_cell = QWidget()
        amount_column = QVBoxLayout(amount_cell)
        amount_column.setContentsMargins(0, 0, 0, 0)
        amount_column.addWidget(self.amount_edit)
        amount_column.addWidget(self.amount_message)
        self.commission_label = _money_label("commissionLabel")
        self.from_label = _money_label("amountFromLabel")
        self.cash_edit = QLineEdit()
        self.cash_edit.setObjectName("cashEdit")
        self.cash_edit.setPlaceholderText(self.tr("без сдачи"))
        self.cash_edit.textChanged.connect(self._recount)
        self.cash_edit.returnPressed.connect(self.start_pay)
        self.change_label = _money_label("changeLabel")
        self.money_message = QLabel("")
        self.money_message.setObjectName("fieldError")
        self.money_message.setWordWrap(True)
        self.money_message.hide()
        money.addRow(self.tr("К зачислению, ₽"), amount_cell)
        money.addRow(self.tr("Комиссия, ₽"), self.commission_label)
        money.addRow(self.tr("К оплате с клиента, ₽"), self.from_label)
        money.addRow(self.tr("Внесено наличными, ₽"), self.cash_edit)
        money.addRow(self.tr("Сдача, ₽"), self.change_label)
        money.addRow(self.money_message)
        self.pay_button = QPushButton(self.tr("Оплатить наличными  F9"))
        self.pay_button.setObjectName("payButton")
        self.pay_button.clicked.connect(self.start_pay)
        self.qr_button = QPushButton(self.tr("Оплата по QR СБП  F8"))
        self.qr_button.setObjectName("qrButton")
        self.qr_button.clicked.connect(self.start_qr)
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.pay_button)
        pay_row.addWidget(self.qr_button)
        pay_row.addStretch(1)
        money.addRow(pay_row)

        self.qr_view = QrPaymentView(demo=bank is not None)
        self.qr_view.cancel_requested.connect(self.escape)
        self.qr_view.renew_requested.connect(self.start_qr)
        self.qr_view.demo_pay_requested.connect(self._demo_bank_pay)
        engine.listeners.append(self._engine_changed)

        self.banner = QLabel("")
        self.banner.setObjectName("outcomeBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        self.next_button = QPushButton(self.tr("Следующий платёж  Esc"))
        self.next_button.clicked.connect(self.escape)
        self.next_button.hide()
        self.receipt_status = QLabel("")
        self.receipt_status.setObjectName("receiptStatus")
        self.receipt_status.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Напечатать чек  F6"))
        self.print_button.setObjectName("printReceiptButton")
        self.print_button.clicked.connect(self.start_print_receipt)
        self.preview_button = QPushButton(self.tr("Чек на экране  F7"))
        self.preview_button.clicked.connect(self.preview_receipt)
        receipt_buttons = QHBoxLayout()
        receipt_buttons.setContentsMargins(0, 0, 0, 0)
        receipt_buttons.addWidget(self.print_button)
        receipt_buttons.addWidget(self.preview_button)
        receipt_buttons.addStretch(1)
        self.receipt_box = QWidget()
        self.receipt_box.setObjectName("receiptBox")
        receipt_column = QVBoxLayout(self.receipt_box)
        receipt_column.setContentsMargins(0, 0, 0, 0)
        receipt_column.addWidget(self.receipt_status)
        receipt_column.addLayout(receipt_buttons)
        self.receipt_box.hide()

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.title)
        column.addWidget(self.form_box)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.result_box)
        column.addWidget(self.money_box)
        column.addWidget(self.qr_view)
        column.addWidget(self.banner)
        column.addWidget(self.receipt_box)
        column.addWidget(self.next_button)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

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
        self._show_step(Step.EMPTY)

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
        self._show_step(Step.FORM)
        self.form.focus_first()

    def _clear_result(self) -> None:
        if self.result_view is not None:
            self.result_view.deleteLater()
            self.result_view = None
        self.amount_edit.clear()
        self.cash_edit.clear()
        self.amount_message.hide()
        self.banner.hide()

    @property
    def takes_qr(self) -> bool:
        return self.engine.sbp is not None

    def _show_step(self, step: Step) -> None:
        self.step = step
        has_form = step not in (Step.EMPTY, Step.QR)
        self.form_box.setVisible(has_form)
        if self.form is not None:
            self.form.set_locked(step not in (Step.FORM, Step.CHECKED))
        self.check_button.setVisible(step in (Step.FORM, Step.CHECKING))
        self.check_button.setEnabled(step is Step.FORM)
        self.cancel_button.setVisible(step in (Step.FORM, Step.CHECKING))
        self.progress.setVisible(step in (Step.CHECKING, Step.PAYING))
        self.result_box.setVisible(step in (Step.CHECKED, Step.PAYING, Step.DONE)
                                   and self.result_view is not None)
        self.money_box.setVisible(step in (Step.CHECKED, Step.PAYING, Step.DONE))
        for widget in (self.amount_edit, self.cash_edit):
            widget.setEnabled(step is Step.CHECKED)
        self.pay_button.setEnabled(step is Step.CHECKED)
        self.pay_button.setVisible(step in (Step.CHECKED, Step.PAYING))
        self.qr_button.setEnabled(step is Step.CHECKED)
        self.qr_button.setVisible(self.takes_qr and step in (Step.CHECKED, Step.PAYING))
        self.money_box.setTitle(self.tr("Оплата: наличными или по QR СБП") if self.takes_qr
                                else self.tr("Оплата наличными"))
        self.qr_view.setVisible(step is Step.QR)
        if step is not Step.QR:
            self.qr_view.stop()
        self.next_button.setVisible(step in (Step.PAYING, Step.DONE))
        self.receipt_box.setVisible(step is Step.DONE and self.receipts is not None)
        if step in (Step.EMPTY, Step.FORM):
            self._set_status("")
        self.step_changed.emit(step.value)

    def _set_status(self, text: str, kind: str = "info") -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("payment panel task failed", exc_info=error)
            self._set_status(self.tr("Внутренняя ошибка: платёж сохранён в журнале, проверьте "
                                     "его в списке «Сегодня». Подробности в логе."), "error")

    # --- check --------------------------------------------------------------------------
    def start_check(self) -> None:
        """Enter on the last field or «Проверить»: the form is judged at once, on the spot;
        only a valid one goes to the processing center (in the background)."""
        if self.step is not Step.FORM or self.form is None:
            return
        if not self.form.validate():
            self._set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        self._spawn(self.check())

    async def check(self) -> None:
        if self.step is not Step.FORM or self.form is None or self.service is None:
            return
        if not self.form.validate():
            self._set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        blocked = self._gate()
        if blocked:
            self._set_status(blocked, "error")
            return
        cashier, shift_id = self._who()
        identity_card, full_name = self.form.identity_values()
        entry = PaymentInput(self.service, self.form.values(), cashier=cashier,
                             shift_id=shift_id, identity_card=identity_card,
                             full_name=full_name)
        try:
            record = self.engine.begin(entry)
        except PaymentRefused as error:
            self._set_status(str(error), "error")
            return
        self.record = record
        self._show_step(Step.CHECKING)
        self._set_status(self.tr("Проверяем в процессинге…  Esc — отменить"), "busy")
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
        self._show_step(Step.FORM)
        message = record.result_message or self.tr("Процессинг не ответил")
        if record.result is None:
            self._set_status(self.tr("Нет ответа процессинга: {0}. Проверьте связь и нажмите "
                                     "«Проверить» ещё раз.").format(message), "error")
            return
        self._set_status(self.tr("Платёж не принят: {0}").format(message), "error")
        inputs = self.service.inputs if self.service else ()
        if record.result in ACCOUNT_CODES and self.form is not None and inputs:
            field = ACCOUNT if any(s.name == ACCOUNT for s in inputs) else inputs[0].name
            self.form.set_error(field, message)

    def _show_checked(self, record: PaymentRecord) -> None:
        assert self.service is not None
        self.answer = PaymentAnswer.parse(record.check_answer or {"result": 0})
        scheme = self.service.scheme
        view: QWidget
        if scheme is Scheme.CHOICE:
            view = ContractsView(self.answer.contracts or ())
            view.chosen.connect(self._contract_chosen)
            view.table.installEventFilter(_EnterFilter(self._to_amount, view))
            self.result_box.setTitle(self.tr("Договоры клиента"))
        elif scheme is Scheme.COMPLEX:
            view = InvoiceView(self.answer)
            view.changed.connect(self._recount)
            self.result_box.setTitle(self.tr("Квитанция"))
        else:
            view = DisplaysView(self.service, self.answer)
            self.result_box.setTitle(self.tr("Результат проверки"))
        self.result_view = view
        self.result_layout.addWidget(view)
        editable = (scheme is Scheme.CHOICE
                    or (scheme is Scheme.SIMPLE and not self.service.fixed_payment))
        self.amount_edit.setReadOnly(not editable)
        if scheme is Scheme.SIMPLE and self.service.fixed_payment:
            fixed = self.answer.fixed_amount
            self.amount_edit.setText(format_amount(fixed) if fixed is not None else "")
        self._show_step(Step.CHECKED)
        self._set_status(self.tr("Проверено. Сверьте данные с клиентом."), "ok")
        if isinstance(view, ContractsView):
            view.chosen.emit(view.current())
            view.table.setFocus()
        elif isinstance(view, InvoiceView):
            view.table.setFocus()
        elif editable:
            self.amount_edit.setFocus()
        else:
            self.cash_edit.setFocus()
        self._recount()

    def _contract_chosen(self, contract: Contract | None) -> None:
        if contract is not None and contract.contract_sum is not None:
            self.amount_edit.setText(format_amount(contract.contract_sum))
        self._recount()

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
            self._show_step(Step.FORM)
            self._set_status(self.tr("Данные изменены: проверьте платёж снова"), "info")

    # --- money --------------------------------------------------------------------------
    def _amount_to(self) -> tuple[Decimal | None, str]:
        if self.service is None:
            return None, ""
        if isinstance(self.result_view, InvoiceView):
            return self.result_view.total()
        text = self.amount_edit.text().strip()
        if not text:
            return None, self.tr("Укажите сумму к зачислению")
        try:
            return check_amount(parse_user_amount(text), "Сумма к зачислению"), ""
        except (AmountError, PaymentRefused) as error:
            return None, str(error)

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

    def _recount(self) -> None:
        if self.step not in (Step.CHECKED, Step.PAYING, Step.DONE):
            return
        amount_to, amount_problem = self._amount_to()
        shown_amount_problem = amount_problem if self.amount_edit.text().strip() and not (
            self.amount_edit.isReadOnly()) else ""
        self.amount_message.setText(shown_amount_problem)
        self.amount_message.setVisible(bool(shown_amount_problem))
        if amount_to is not None and isinstance(self.result_view, InvoiceView):
            self.amount_edit.setText(format_amount(amount_to))
        money, problem = self.quote()
        if amount_to is not None:
            commission = commission_for(self.engine.commission,
                                        self.service.service_id,  # type: ignore[union-attr]
                                        amount_to)
            self.commission_label.setText(format_amount(commission))
            self.from_label.setText(format_amount(amount_to + commission))
        else:
            self.commission_label.setText("—")
            self.from_label.setText("—")
        self.change_label.setText(format_amount(money.change) if money else "—")
        self.money_message.setText(problem if amount_to is not None or not amount_problem
                                   else "")
        self.money_message.setVisible(bool(self.money_message.text()))
        if self.step is Step.CHECKED:
            self.pay_button.setEnabled(money is not None)
            self.qr_button.setEnabled(amount_to is not None)

    # --- pay ----------------------------------------------------------------------------
    def start_pay(self) -> None:
        if self.step is Step.CHECKED and not self._pay_in_flight:
            self._spawn(self.pay())

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

    def _ready_plan(self, *, cash: bool) -> PayPlan | None:
        """The plan to pay now, or None (and why, on screen): not the right step, a pay
        already under way, payments blocked, or the amounts not payable."""
        if self.step is not Step.CHECKED or self._pay_in_flight or self.record is None:
            return None
        blocked = self._gate()
        if blocked:
            self._set_status(blocked, "error")
            return None
        try:
            return self.plan(cash=cash)
        except PaymentRefused as error:
            self.money_message.setText(str(error))
            self.money_message.show()
            return None

    async def pay(self) -> None:
        # the guard is set before the first await: a double click or a second Enter that
        # arrives while this runs finds it set and does nothing
        plan = self._ready_plan(cash=True)
        if plan is None or self.record is None:
            return
        self._pay_in_flight = True
        record = self.record
        try:
            self._show_step(Step.PAYING)
            self._set_status(self.tr("Платёж отправлен, ждём ответа процессинга…"), "busy")
            record = await self.engine.pay(record.agent_transaction_id, plan)
        finally:
            self._pay_in_flight = False
        self.outcome.emit(record)
        if self.record is not None and self.record.agent_transaction_id == (
                record.agent_transaction_id):
            self.show_outcome(record, auto_print=True)

    def show_outcome(self, record: PaymentRecord, *, auto_print: bool = False) -> None:
        """The payment's outcome; ``auto_print``: right after pay, print its receipt (paid or
        «в обработке») when the settings say so."""
        self.record = record
        self._show_step(Step.DONE)
        self._show_receipt_state(record)
        if (auto_print and self.receipts is not None and self.receipts.auto_print
                and record.state in AUTO_PRINT_STATES):
            self._spawn(self.print_receipt(record.agent_transaction_id))
        amount = format_amount(record.amount_to or Decimal(0))
        if record.state is State.PAID and record.by_qr:
            text = self.tr("Оплачено по QR СБП: {0} ₽ на счёт {1}. Номер операции {2}."
                           ).format(amount, record.account, record.transaction_id or "—")
            kind = "paid"
        elif record.state is State.PAID:
            text = self.tr("Оплачено: {0} ₽ на счёт {1}. Сдача: {2} ₽. Номер операции {3}."
                           ).format(amount, record.account,
                                    format_amount(record.change or Decimal(0)),
                                    record.transaction_id or "—")
            kind = "paid"
        elif record.state is State.FAILED:
            text = self.tr("Платёж не проведён: {0}. Верните клиенту {1} ₽.").format(
                record.result_message or "", format_amount(record.amount_from or Decimal(0)))
            kind = "failed"
            if record.result in AMOUNT_CODES:
                self.amount_message.setText(record.result_message or "")
                self.amount_message.show()
        else:
            text = self.tr("Платёж в обработке: процессинг ещё не дал окончательного ответа. "
                           "Деньги приняты, платёж будет проведён в фоне — результат придёт "
                           "уведомлением и появится в списке «Сегодня». Можно обслуживать "
                           "следующего клиента.")
            kind = "pending"
        self.banner.setText(text)
        self.banner.setProperty("kind", kind)
        self.banner.style().polish(self.banner)
        self.banner.show()
        self._set_status("")
        self.next_button.setFocus()

    # --- QR СБП -------------------------------------------------------------------------
    def start_qr(self) -> None:
        """F8: after check, the person pays by a QR code; after a code that expired or was
        rejected, a new code."""
        if self._pay_in_flight or not self.takes_qr:
            return
        if self.step is Step.CHECKED:
            self._spawn(self.pay_by_qr())
        elif self.step is Step.QR and self.record is not None and self.record.state in (
                State.FAILED, State.CANCELLED):
            self._spawn(self.renew_qr())

    async def pay_by_qr(self) -> None:
        plan = self._ready_plan(cash=False)
        if plan is None or self.record is None:
            return
        self._pay_in_flight = True
        self._show_step(Step.QR)
        self._set_status("")
        try:
            record = await self.engine.start_qr(self.record.agent_transaction_id, plan.money,
                                                plan.extras, plan.lines)
        except PaymentRefused as error:  # no link, link busy: the cashier can take cash
            self._show_step(Step.CHECKED)
            self._recount()
            self.money_message.setText(str(error))
            self.money_message.show()
            return
        finally:
            self._pay_in_flight = False
        self._qr_update(record)

    async def renew_qr(self) -> None:
        old = self.record
        if old is None or self._pay_in_flight:
            return
        self._pay_in_flight = True
        self._set_status(self.tr("Получаем новый QR-код…"), "busy")
        try:
            record = await self.engine.renew_qr(old.agent_transaction_id)
        except PaymentRefused as error:
            self._set_status(str(error), "error")
            return
        finally:
            self._pay_in_flight = False
        if self.record is not old:
            return  # the cashier moved on meanwhile
        self.record = record
        if record.state in (State.CHECK_FAILED, State.CANCELLED, State.CHECKED):
            self._set_status(self.tr("Новый QR-код не получен: {0}").format(
                record.result_message or self.tr("нет ответа процессинга")), "error")
            return
        self._set_status("")
        self._qr_update(record)

    def _engine_changed(self, record: PaymentRecord) -> None:
        if (self.step is Step.QR and self.record is not None
                and record.agent_transaction_id == self.record.agent_transaction_id):
            self._qr_update(record)

    def _qr_update(self, record: PaymentRecord) -> None:
        self.record = record
        self.qr_changed.emit(record)
        if record.state is State.PAID:
            self.outcome.emit(record)
            self.show_outcome(record, auto_print=True)
            return
        self.qr_view.show_record(record)
        if record.state is State.QR_WAITING:
            self.qr_view.setFocus()
        elif self.takes_qr:
            self.qr_view.renew_button.setFocus()

    def _demo_bank_pay(self) -> None:
        if self._bank is not None and self.record is not None:
            bank = self._bank
            tx_id = self.record.agent_transaction_id

            async def pay() -> None:
                said = await bank(tx_id)
                if said:
                    self._set_status(said, "error")

            self._spawn(pay())

    def _escape_qr(self) -> None:
        """Esc on the QR screen: a code that may be being paid right now is cancelled only by
        a second Esc; an ended one just clears the panel."""
        record = self.record
        if record is None or record.state is not State.QR_WAITING:
            self.reset()  # clearing the QR step tells the customer display (_drop_unpaid)
            return
        now = time.monotonic()
        if now - self._cancel_armed > CANCEL_CONFIRM_SECONDS:
            self._cancel_armed = now
            self._set_status(self.tr("Клиент может оплачивать код прямо сейчас. Нажмите Esc "
                                     "ещё раз, чтобы отменить оплату по QR."), "error")
            return
        self._cancel_armed = 0.0
        self._spawn(self.cancel_qr())

    async def cancel_qr(self) -> None:
        record = self.record
        if record is None:
            return
        self._set_status(self.tr("Отменяем…"), "busy")
        record = await self.engine.cancel_qr(record.agent_transaction_id)
        if self.record is None or self.record.agent_transaction_id != (
                record.agent_transaction_id):
            return
        if record.state is State.PAID:  # the person paid before the cancel reached the bank
            self._set_status("")
            self._qr_update(record)
            return
        if record.state is State.QR_WAITING:
            self.qr_left.emit(record)
        self.reset()

    # --- receipt ------------------------------------------------------------------------
    def _set_receipt_status(self, text: str, kind: str) -> None:
        self.receipt_status.setText(text)
        self.receipt_status.setProperty("kind", kind)
        self.receipt_status.style().polish(self.receipt_status)

    def _show_receipt_state(self, record: PaymentRecord) -> None:
        if self.receipts is None:
            return
        if record.receipt_printed_at:
            latest = self.receipts.journal.latest_receipt(record.agent_transaction_id)
            if latest is not None and latest.payment_state == str(record.state):
                self._set_receipt_status(self.tr("Чек № {0} напечатан").format(latest.number),
                                         "ok")
                self.print_button.setText(self.tr("Напечатать копию  F6"))
                return
        if record.receipt_error:
            self._set_receipt_status(self.tr("Чек не напечатан: {0}").format(
                record.receipt_error), "error")
            self.print_button.setText(self.tr("Напечатать чек ещё раз  F6"))
            return
        self._set_receipt_status(self.tr("Чек не печатался") if
                                 self.receipts.printer.configured else
                                 self.tr("Принтер чеков не настроен: чек можно показать на "
                                         "экране (F7)"), "info")
        self.print_button.setText(self.tr("Напечатать чек  F6"))

    def start_print_receipt(self) -> None:
        """F6: print (again) the receipt of the payment on screen."""
        if (self.receipts is None or self.step is not Step.DONE or self.record is None
                or self._printing):
            return
        self._spawn(self.print_receipt(self.record.agent_transaction_id))

    async def print_receipt(self, agent_transaction_id: int) -> None:
        assert self.receipts is not None
        if self._printing:  # a second F6 while the printer works: one receipt
            return
        self._printing = True
        self.print_button.setEnabled(False)
        self._set_receipt_status(self.tr("Печатаем чек…"), "busy")
        try:
            try:
                outcome = await self.receipts.print_payment(agent_transaction_id)
            except ReceiptError as error:
                message, printed = str(error), False
            else:
                message, printed = outcome.message, outcome.printed
        finally:
            self._printing = False
            self.print_button.setEnabled(True)
        if self.record is None or self.record.agent_transaction_id != agent_transaction_id:
            return  # the cashier moved on; the window tells them (see MainWindow)
        self.record = self.engine.journal.get(agent_transaction_id)
        if printed:
            self._set_receipt_status(message, "ok")
            self.print_button.setText(self.tr("Напечатать копию  F6"))
            self.next_button.setFocus()
        else:
            self._set_receipt_status(self.tr("Чек не напечатан: {0}").format(message), "error")
            self.print_button.setText(self.tr("Напечатать чек ещё раз  F6"))
            self.print_button.setFocus()

    def preview_receipt(self) -> None:
        """F7: the receipt on screen, as it will print."""
        if self.receipts is None or self.step is not Step.DONE or self.record is None:
            return
        try:
            self.receipt_dialog = open_payment_receipt(
                self, self.receipts, self.record.agent_transaction_id, self.start_print_receipt)
        except ReceiptError as error:
            self._set_receipt_status(str(error), "error")

    # --- leaving ------------------------------------------------------------------------
    def escape(self) -> None:
        """Esc: cancel a running check; otherwise clear for the next person."""
        if self.step is Step.QR:
            self._escape_qr()
            return
        if self.step is Step.CHECKING and self.record is not None:
            self.engine.cancel(self.record.agent_transaction_id, "Проверка отменена кассиром")
            self.record = None
            self._show_step(Step.FORM)
            self._set_status(self.tr("Проверка отменена. Данные можно исправить и "
                                     "проверить снова."), "info")
            return
        if self.step is Step.PAYING and self._pay_in_flight:
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
        self._show_step(Step.EMPTY)

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
            self._spawn(self._leave_qr(current.agent_transaction_id))
        if self.step is Step.QR:
            self.qr_changed.emit(None)
        self.record = None

    async def _leave_qr(self, agent_transaction_id: int) -> None:
        record = await self.engine.cancel_qr(agent_transaction_id)
        if record.state is State.QR_WAITING:
            self.qr_left.emit(record)
