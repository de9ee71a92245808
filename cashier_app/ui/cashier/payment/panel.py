"""The payment panel: one payment on screen, from the service form to its outcome.

A view only. What happens to the payment is decided by its :class:`~.flow.PaymentFlow`
(through the engine, journaled before anything is sent); the panel reads what the cashier
typed for it (:meth:`PaymentPanel.entered`) and shows what it says — the step, the status
line, the check's result, the amounts the engine quoted, the outcome and the receipt line,
each derived from the payment's current record (:mod:`.payment_banner`), never left over
from an earlier state.

Layout: the title and the step's status on top, the form and the check's result in the
middle (which scrolls if a long invoice needs it), the amounts, the outcome and the buttons
fixed at the bottom — so «Оплатить», «QR», «Картой» and «Следующий платёж» are on screen at
1366×768.

About 520 lines: one screen with many parts (form, the check's result, amounts, outcome,
receipt line, QR screen, six keys), each shown or hidden by the step; no decision about the
payment is taken here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
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

from cashier_app.core.answers import Contract
from cashier_app.core.money import format_amount
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine
from cashier_app.journal import PaymentRecord
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.bridge import EngineBridge
from cashier_app.workplace.session import Session

from .card_view import CardPaymentView
from .check_views import ContractsView, InvoiceView, answer_view
from .flow import Entered, PaymentFlow, Step
from .form import ServiceForm
from .money_box import MoneyBox
from .panel_card import CardPhone
from .qr_view import AnyKeyAnswers, QrPaymentView
from .receipt_line import ReceiptLine

__all__ = ["PaymentPanel", "Step"]


class PaymentPanel(QWidget):
    reset_requested = Signal()
    #: the QR payment on screen changed (PaymentRecord), or there is none any more (None)
    qr_changed = Signal(object)
    #: the cashier left a QR code that can still be paid (PaymentRecord): the window watches
    qr_left = Signal(object)
    #: the cashier left a card link that can still be paid (PaymentRecord): the window watches
    card_left = Signal(object)

    def __init__(self, engine: PaymentEngine, session: Session, *,
                 identity_fields: bool = False, receipts: ReceiptService | None = None,
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 card_phone: CardPhone | None = None,
                 bridge: EngineBridge | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if bridge is None:  # alone: its own view of the engine's and printer's news
            hubs = [engine.events] + ([receipts.events] if receipts is not None else [])
            bridge = EngineBridge(*hubs, parent=self)
        self.engine = engine
        self.receipts = receipts
        self._identity_fields = identity_fields
        self._prefill: dict[str, str] = {}
        self.form: ServiceForm | None = None
        self.result_view: QWidget | None = None
        self.flow = flow = PaymentFlow(engine, session, entered=self.entered,
                                       receipts=receipts, bank=bank, card_phone=card_phone,
                                       parent=self)

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
        self.card_button = QPushButton(self.tr("Картой по ссылке  F7"))
        self.card_button.setObjectName("cardButton")
        self.card_button.setToolTip(self.tr("Клиент платит картой со своего телефона: ссылка "
                                            "на оплату — QR-кодом на экране"))
        self.card_button.clicked.connect(self.start_card)
        self.saved_card_button = QPushButton(self.tr("Сохранённая карта…"))
        self.saved_card_button.setObjectName("savedCardButton")
        self.saved_card_button.setToolTip(self.tr("Постоянный клиент: его сохранённые карты по "
                                                  "номеру телефона"))
        self.saved_card_button.clicked.connect(self.open_saved_cards)
        self.saved_cards_dialog: QWidget | None = None

        qr = self.flow.qr
        self.qr_view = QrPaymentView(demo=qr.demo)
        self.qr_view.cancel_requested.connect(self.escape)
        self.qr_view.confirm_cancel.connect(qr.confirm)
        self.qr_view.keep_waiting.connect(qr.keep_waiting)
        self.qr_view.renew_requested.connect(self.start_qr)
        self.qr_view.demo_pay_requested.connect(qr.demo_bank_pay)
        self.qr_view.expired.connect(qr.expired_on_screen)
        self._any_key = AnyKeyAnswers(qr.keep_waiting, self.window, self)
        card = self.flow.card
        self.card_view = CardPaymentView(demo=card.demo)
        self.card_view.cancel_requested.connect(self.escape)
        self.card_view.confirm_cancel.connect(card.confirm)
        self.card_view.keep_waiting.connect(card.keep_waiting)
        self.card_view.renew_requested.connect(self.start_card)
        self.card_view.other_way_requested.connect(self.start_pay)
        self.card_view.demo_pay_requested.connect(card.demo_pay)
        self.card_view.demo_decline_requested.connect(lambda: card.demo_pay(decline=True))
        self.card_view.expired.connect(card.expired_on_screen)
        self._any_key_card = AnyKeyAnswers(card.keep_waiting, self.window, self)

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
        action_row.addWidget(self.card_button)
        action_row.addWidget(self.saved_card_button)
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
        column.addWidget(self.card_view, 1)
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
        # F7: the receipt on screen once paid; before it, and after a declined link — the card
        self.preview_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F7), self, self._f7,
                                          context=context)
        self.qr_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F8), self, self.start_qr,
                                     context=context)
        flow.step_changed.connect(self.show_step)
        flow.said.connect(self.set_status)
        flow.opened.connect(self._opened)
        flow.checked.connect(self._show_checked)
        flow.check_refused.connect(self._check_refused)
        flow.refused.connect(self._plan_refused)
        flow.qr_refused.connect(self._qr_refused)
        flow.followed.connect(self._follow)
        flow.finished.connect(lambda _record: self.next_button.setFocus())
        flow.printed.connect(self._printed)
        flow.qr_changed.connect(self.qr_changed)
        flow.qr_left.connect(self.qr_left)
        flow.reset_requested.connect(self.reset_requested)
        flow.qr.armed_changed.connect(self._armed)
        flow.qr.kept_waiting.connect(self.qr_view.setFocus)
        flow.qr.shown.connect(self._qr_shown)
        card.armed_changed.connect(self._card_armed)
        card.kept_waiting.connect(self.card_view.setFocus)
        card.shown.connect(self._card_shown)
        card.left.connect(self.card_left)
        bridge.payment_changed.connect(flow.engine_changed)
        bridge.receipt_printed.connect(flow.receipt_changed)
        self.show_step(Step.EMPTY)

    # --- the flow's state, as the window and the tests read it ----------------------------
    @property
    def step(self) -> Step:
        return self.flow.step

    @property
    def record(self) -> PaymentRecord | None:
        return self.flow.record

    @property
    def service(self) -> ServiceDefinition | None:
        return self.flow.service

    @property
    def tasks(self) -> set[asyncio.Task[None]]:
        return self.flow.tasks

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.flow.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.flow.clock = clock

    def entered(self) -> Entered:
        """What the cashier has on screen for the amounts, for the flow to judge."""
        view = self.result_view
        if isinstance(view, InvoiceView):
            total = view.total()
            return Entered(self.amount_edit.text(), self.cash_edit.text(), invoice=total,
                           lines=tuple(view.choices()) if total[0] is not None else ())
        contract = view.current() if isinstance(view, ContractsView) else None
        return Entered(self.amount_edit.text(), self.cash_edit.text(),
                       contract_id=contract.contract_id if contract else None)

    # --- opening a service --------------------------------------------------------------
    def open_service(self, service: ServiceDefinition, prefill: dict[str, str] | None = None
                     ) -> None:
        """Show the form for ``service``; a checked-but-unpaid payment on screen is cancelled."""
        self._prefill = dict(prefill or {})
        self.flow.open(service)
        if self.form is not None:
            self.form.focus_first()

    def _opened(self, service: ServiceDefinition | None) -> None:
        if self.form is not None:
            self.form.deleteLater()
            self.form = None
        if service is None:
            self.title.setText(self.tr("Выберите услугу в каталоге слева или найдите её "
                                       "(Ctrl+F)"))
            return
        self.title.setText(f"{service.name}  ·  {service.group or '—'}  ·  {service.service_id}")
        self.form = ServiceForm(service, identity_fields=self._identity_fields)
        self.form.submitted.connect(self.start_check)
        self.form.edited.connect(self.flow.form_edited)
        self.form_layout.insertWidget(0, self.form)
        for name, value in self._prefill.items():
            self.form.set_value(name, value)
        self._prefill = {}

    def _clear_result(self) -> None:
        if self.result_view is not None:
            self.result_view.deleteLater()
            self.result_view = None
        self.money_box.clear()
        self.banner.hide()

    def show_step(self, step: Step) -> None:
        """What is on screen at ``step`` (a form or a check's result going away with it)."""
        if step in (Step.EMPTY, Step.FORM):
            self._clear_result()
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
        self.qr_button.setVisible(self.flow.takes_qr and step in (Step.CHECKED, Step.PAYING))
        for button in (self.card_button, self.saved_card_button):
            button.setVisible(self.flow.takes_card and step in (Step.CHECKED, Step.PAYING))
        self.money_box.setTitle(self._money_title())
        card = step is Step.QR and self.flow.via_card
        self.qr_view.setVisible(step is Step.QR and not card)
        self.card_view.setVisible(card)
        if step is not Step.QR or card:
            self.qr_view.stop()
        if not card:
            self.card_view.stop()
        self.next_button.setVisible(step in (Step.PAYING, Step.DONE))
        if step is not Step.DONE:
            self.banner.hide()
            self.receipt_box.hide()
        if step in (Step.EMPTY, Step.FORM):
            self.set_status("")
        self._update_buttons()

    def _money_title(self) -> str:
        ways = [self.tr("наличными")]
        if self.flow.takes_qr:
            ways.append(self.tr("по QR СБП"))
        if self.flow.takes_card:
            ways.append(self.tr("картой"))
        if len(ways) == 1:
            return self.tr("Оплата наличными")
        return self.tr("Оплата: {0} или {1}").format(", ".join(ways[:-1]), ways[-1])

    def set_status(self, text: str, kind: str = "info") -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    # --- check --------------------------------------------------------------------------
    def start_check(self) -> None:
        """Enter on the last field or «Проверить»: the form is judged at once, on the spot;
        only a valid one goes to the processing center (in the background)."""
        if self.step is not Step.FORM or self.form is None:
            return
        if not self.form.validate():
            self.set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        self.flow.spawn(self.check())

    async def check(self) -> None:
        if self.step is not Step.FORM or self.form is None or self.service is None:
            return
        if not self.form.validate():
            self.set_status(self.tr("Исправьте выделенные поля"), "error")
            return
        identity_card, full_name = self.form.identity_values()
        await self.flow.check(self.form.values(), identity_card=identity_card,
                              full_name=full_name)

    def _check_refused(self, field: str, message: str) -> None:
        if self.form is not None:
            self.form.set_error(field, message)

    def _show_checked(self, record: PaymentRecord) -> None:
        """The check said yes: what it returned, by scheme, and the amount to pay (checked
        again after a declined card: the earlier result goes, the amounts typed stay)."""
        if self.result_view is not None:
            self.result_view.deleteLater()
            self.result_view = None
        service, answer = self.flow.service, self.flow.answer
        assert service is not None and answer is not None
        view, title = answer_view(service, answer)
        if isinstance(view, ContractsView):
            view.chosen.connect(self._contract_chosen)
            view.accepted.connect(self._to_amount)
        elif isinstance(view, InvoiceView):
            view.changed.connect(self.recount)
        self.result_box.setTitle(title)
        self.result_view = view
        self.result_layout.addWidget(view)
        self.result_box.setVisible(True)
        editable = self.flow.amount_editable
        self.amount_edit.setReadOnly(not editable)
        if service.scheme is Scheme.SIMPLE and service.fixed_payment:
            amount = self.flow.fixed_amount
            self.amount_edit.setText(format_amount(amount) if amount is not None else "")
        self.money_box.set_limits(self.flow.limits.describe())
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

    # --- money --------------------------------------------------------------------------
    def recount(self) -> None:
        """The amounts as the engine quotes what is typed; F9/F8 follow."""
        if self.step not in (Step.CHECKED, Step.PAYING, Step.DONE):
            return
        amount_to, amount_problem = self.flow.amount_to()
        if isinstance(self.result_view, InvoiceView):
            # no valid total while the invoice has an error: not the last one that was
            self.amount_edit.setText(format_amount(amount_to) if amount_to is not None else "—")
            shown = self.tr("Нет итога: исправьте квитанцию выше") if amount_problem else ""
        elif self.amount_edit.isReadOnly():
            shown = amount_problem
        else:
            shown = amount_problem if self.amount_edit.text().strip() else ""
        if self.step is Step.CHECKED:
            self.money_box.set_amount_problem(shown)
        money, problem = self.flow.quote()
        if amount_to is not None:
            charges = self.flow.charges(amount_to)
            self.money_box.show_amounts(charges.commission, charges.amount_from,
                                        money.change if money else None)
        else:
            self.money_box.show_amounts(None, None, None)
        if self.step is Step.CHECKED:
            self.money_box.set_money_problem(problem if amount_to is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        """F9 and F8 are pressable only when they would run now (the keys then say why)."""
        checked = self.step is Step.CHECKED and not self.flow.pay_in_flight
        self.pay_button.setEnabled(checked and not self.flow.plan_problem(cash=True))
        self.qr_button.setEnabled(checked and self.flow.takes_qr
                                  and not self.flow.plan_problem(cash=False))
        card = checked and not self.flow.card.problem()
        self.card_button.setEnabled(card)
        self.saved_card_button.setEnabled(card)

    def _plan_refused(self, problem: str) -> None:
        """F9/F8 refused: why, under the amounts — unless it is already on screen."""
        amount_to, _ = self.flow.amount_to()
        if not (isinstance(self.result_view, InvoiceView) and amount_to is None) and (
                self.amount_message.isHidden() or self.amount_message.text() != problem):
            self.money_box.set_money_problem(problem)

    def _qr_refused(self, problem: str) -> None:
        self.recount()
        self.money_box.set_money_problem(problem)

    # --- pay and the outcome -------------------------------------------------------------
    def start_pay(self) -> None:
        self.flow.start_pay()

    def show_outcome(self, record: PaymentRecord, *, auto_print: bool = False) -> None:
        self.flow.show_outcome(record, auto_print=auto_print)

    def _follow(self, record: PaymentRecord) -> None:
        """Everything the panel says about the payment on screen, from its current record."""
        if self.step is Step.DONE:
            if record.amount_to is not None:  # as paid, in the people's form
                self.amount_edit.setText(format_amount(record.amount_to))
            banner = self.flow.banner()
            assert banner is not None
            self.banner.setText(banner.text)
            self.banner.setProperty("kind", banner.kind)
            self.banner.style().polish(self.banner)
            self.banner.show()
            self.money_box.set_amount_problem(self.flow.amount_refusal())
            self.receipt_line.show_for(record, printing=self.flow.printing)
        elif self.flow.card.on_screen:
            self.card_view.show_record(record)
        elif self.step is Step.QR:
            self.qr_view.show_record(record)

    # --- QR СБП (the steps are in .panel_qr) -------------------------------------------
    def start_qr(self) -> None:
        """F8: pay by a QR code after check; a new code after an expired or rejected one."""
        if self.flow.card.armed:
            self.flow.card.keep_waiting()
            return
        if self.flow.card.on_screen:
            return  # a card screen: F7 is its new link, F9 another way (QR among them)
        self.flow.qr.start()

    def _armed(self, armed: bool) -> None:
        """The cancel question on screen: any key but Esc, anywhere in the window, answers
        «keep waiting»."""
        self._any_key.listen(armed)
        if armed or self.qr_view.armed:
            self.qr_view.set_armed(armed)
        if armed:
            self.qr_view.wait_button.setFocus()

    def _qr_shown(self, record: PaymentRecord) -> None:
        if record.state is State.QR_WAITING:
            self.qr_view.setFocus()
        elif self.flow.takes_qr:
            self.qr_view.renew_button.setFocus()

    # --- card (the steps are in .panel_card) --------------------------------------------
    def start_card(self) -> None:
        """F7 after check: the person pays by card on their phone (a link as a QR code); a
        new link after a declined or expired one."""
        self.flow.card.start()

    def _f7(self) -> None:
        if self.step is Step.DONE:
            self.preview_receipt()
        elif self.flow.qr.armed:
            self.flow.qr.keep_waiting()
        else:
            self.start_card()

    def open_saved_cards(self) -> QWidget | None:
        """«Сохранённая карта…»: the person's cards by phone; a card chosen pays this
        payment (the plan is judged now, as for F7)."""
        flow = self.flow
        if flow.step is not Step.CHECKED or flow.ready_plan(cash=False) is None:
            return None
        from cashier_app.ui.cashier.saved_cards import SavedCardsDialog
        from cashier_app.workplace.card_desk import CardDesk

        name, _shift = flow.session.who()
        cashier = flow.session.cashier
        desk = CardDesk(self.engine, actor=name,
                        role=str(cashier.role) if cashier is not None else "")
        dialog = SavedCardsDialog(desk, demo_phone=flow.card.demo_phone, parent=self)
        dialog.pay_requested.connect(
            lambda user, card: flow.card.start(user_token=user, card_token=card))
        self.saved_cards_dialog = dialog
        dialog.open()
        return dialog

    def _card_armed(self, armed: bool) -> None:
        """The cancel question on screen: any key but Esc answers «keep waiting»."""
        self._any_key_card.listen(armed)
        if armed or self.card_view.armed:
            self.card_view.set_armed(armed)
        if armed:
            self.card_view.wait_button.setFocus()

    def _card_shown(self, record: PaymentRecord) -> None:
        if record.state is State.QR_WAITING:
            self.card_view.setFocus()
        else:
            self.card_view.renew_button.setFocus()

    # --- receipt ------------------------------------------------------------------------
    def start_print_receipt(self) -> None:
        """F6: print (again) the receipt of the payment on screen — if it has one to print."""
        if self.flow.qr.armed or self.flow.card.armed:
            self.flow.qr.keep_waiting()
            self.flow.card.keep_waiting()
            return
        if (self.step is not Step.DONE or self.record is None or self.flow.printing
                or not self.receipt_line.can_print):
            return
        self.flow.spawn(self.flow.print_receipt(self.record.agent_transaction_id))

    def _printed(self, printed: bool, error: str) -> None:
        if error:
            self.receipt_line.say(error, "error")
        (self.next_button if printed else self.print_button).setFocus()

    def preview_receipt(self) -> None:
        """F7: the receipt on screen, as it will print."""
        if self.flow.qr.armed:
            self.flow.qr.keep_waiting()
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
        self.flow.escape()

    def reset(self) -> None:
        self.flow.reset()

    def clear(self) -> None:
        """Back to «choose a service» (after log-out, say)."""
        self.flow.clear()
