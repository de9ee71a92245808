"""One payment for the supervisor: what it is, every attempt with its request and answer,
its receipt as it prints; reprint, «проверить сейчас» for an unsettled one, and a void
attempt — each of them written to the audit.

The request and answer bodies are shown exactly as sent and received (with the protocol's
names); everything else is in people's words and forms. «Аннулировать…» says what can be
done for the payment as it stands: void one that never reached pay; nothing to void for a
refused one (its cash went back when it was refused); wait for one in progress; a refund
through the processing center for a paid one. Whether a payment may be voided is decided by
the desk's session (:func:`cashier_app.workplace.session.void_payment`, by state and by
whether the cashier has it open); the dialog only asks and shows the answer.

An e-wallet operation that nothing can settle (a withdrawal whose answer was lost and which
the wallet's report does not show, ``needs_decision``) waits for the supervisor: the reason is
shown, and «Отправить снова» / «Признать не проведённым» each ask for the supervisor's reason
and a confirmation, then go to :meth:`~cashier_app.workplace.wallet_desk.WalletDesk.decide` in
the name of the supervisor who opened this window with their PIN (the journal and the audit
keep who and why).

A card payment (seed 004) adds its refunds: «Вернуть на карту…» for a paid one
(:mod:`.card_refund`: the amount, the reason, a confirmation), the refunds with their state and
«Проверить возврат» for one whose answer was lost. A saved card's payment whose answer was lost
waits for the same decision block: «Указать номер платежа шлюза…» (from the gateway's
cabinet; then followed by status) or «Признать не проведённым…», each through the same
:class:`DecisionDialog`, then :meth:`~cashier_app.workplace.card_desk.CardDesk.decide`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import STATE_TITLES, UNSETTLED, State
from cashier_app.core.text import moment, money
from cashier_app.core.wire import WireFormatError, decode_body
from cashier_app.errors import UserFacingError
from cashier_app.journal import Attempt, PaymentRecord
from cashier_app.journal.export import METHOD_WORDS
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.widgets.attempt_text import QR_WORDS, attempt_cells
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.receipt_view import ReceiptView
from cashier_app.ui.widgets.screen_fit import place
from cashier_app.ui.widgets.tables import Column, fitted_table
from cashier_app.workplace.card_desk import CardDesk
from cashier_app.workplace.session import Session, void_refusal
from cashier_app.workplace.wallet_desk import WalletDesk

from .card_refund import CardRefundDialog, CardRefundsView, refund_words
from .decision_dialog import DecisionDialog

log = logging.getLogger(__name__)
PREFERRED_SIZE = QSize(1000, 720)
STATE_WORDS = {str(state): title for state, title in STATE_TITLES.items()}
#: the card gateway's states in the supervisor's words
CARD_WORDS = {"created": "ждёт оплаты", "holded": "деньги заблокированы на карте",
              "payed": "оплачен", "declined": "отклонён", "expired": "срок истёк"}


def _said(error: BaseException) -> str:
    """An error as the supervisor reads it: its sentence, or «внутренняя ошибка»."""
    return str(error) if isinstance(error, UserFacingError) else (
        "внутренняя ошибка программы (подробности — в логе)")


def pretty(text: str | None) -> str:
    """A request or answer body, indented for reading, every number exactly as it was sent
    (``200.00`` stays ``200.00``); the stored text as it is when it is not JSON."""
    if not text:
        return "—"
    try:
        value = decode_body(text.encode("utf-8"))
    except WireFormatError:
        return text
    return "\n".join(_pretty(value, 0))


def _pretty(value: Any, depth: int) -> list[str]:
    pad = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        lines = ["{"]
        for number, (key, item) in enumerate(value.items()):
            inner = _pretty(item, depth + 1)
            comma = "," if number < len(value) - 1 else ""
            lines.append(f"{pad}{json.dumps(key, ensure_ascii=False)}: {inner[0]}")
            lines += inner[1:]
            lines[-1] += comma
        return [*lines, "  " * depth + "}"]
    if isinstance(value, list) and value:
        lines = ["["]
        for number, item in enumerate(value):
            inner = _pretty(item, depth + 1)
            lines.append(pad + inner[0])
            lines += inner[1:]
            if number < len(value) - 1:
                lines[-1] += ","
        return [*lines, "  " * depth + "]"]
    if isinstance(value, Decimal):
        return [str(value)]
    return [json.dumps(value, ensure_ascii=False)]


class PaymentDetails(QDialog):
    audited = Signal()  # a void attempt was written to the audit

    def __init__(self, session: Session, receipts: ReceiptService | None,
                 agent_transaction_id: int, *, actor: Cashier,
                 audit: Callable[[str, str, dict[str, Any]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDetails")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.engine = session.engine
        self.journal = self.engine.journal
        self.actor = actor
        self.receipts = receipts
        self.tx_id = agent_transaction_id
        self._audit = audit
        self.tasks: set[asyncio.Future[Any]] = set()
        self.setWindowTitle(f"Платёж {agent_transaction_id}")

        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        facts_inner = QWidget()
        facts_inner.setLayout(self.facts)
        facts_box = QScrollArea()  # a long list scrolls down, never sideways
        facts_box.setObjectName("detailsFacts")
        facts_box.setWidgetResizable(True)
        facts_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        facts_box.setWidget(facts_inner)
        self.attempts = fitted_table(
            (Column("Время", 165), Column("Запрос", 150, 100), Column("мс", 60, 45),
             Column("Итог", 140, 90), Column("Ответ", 400, 120, stretch=True)),
            "detailsAttempts")
        self.attempts.itemSelectionChanged.connect(self._show_bodies)
        self.request = QPlainTextEdit()
        self.answer = QPlainTextEdit()
        for edit in (self.request, self.answer):
            edit.setReadOnly(True)
            edit.setObjectName("bodyText")
        bodies = QSplitter(Qt.Orientation.Horizontal)
        self.body_titles: list[QLabel] = []
        for title, edit in (("Запрос как отправлен", self.request),
                            ("Ответ как получен", self.answer)):
            box = QWidget()
            box_column = QVBoxLayout(box)
            box_column.setContentsMargins(0, 0, 0, 0)
            label = QLabel(title)
            self.body_titles.append(label)
            box_column.addWidget(label)
            box_column.addWidget(edit)
            bodies.addWidget(box)
        history = QSplitter(Qt.Orientation.Vertical)
        history.addWidget(self.attempts)
        history.addWidget(bodies)
        history.setSizes([220, 260])
        self.receipt_view = ReceiptView()
        self.receipt_note = QLabel("")
        self.receipt_note.setWordWrap(True)
        receipt_box = QWidget()
        receipt_column = QVBoxLayout(receipt_box)
        receipt_column.addWidget(self.receipt_note)
        receipt_column.addWidget(self.receipt_view, 1)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.addTab(facts_box, "Платёж")
        self.tabs.addTab(history, "История попыток")
        self.tabs.addTab(receipt_box, "Чек")
        self.refunds_view = CardRefundsView()
        self.refunds_view.recheck_requested.connect(self.start_recheck_refund)
        self.refunds_tab = -1  # the «Возвраты на карту» tab, for a card payment only

        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)
        self.check_button = QPushButton("Проверить сейчас")
        self.check_button.setObjectName("checkNowButton")
        self.check_button.clicked.connect(self.start_check_now)
        self.print_button = QPushButton("Печать чека")
        self.print_button.clicked.connect(self.start_reprint)
        self.void_button = QPushButton("Аннулировать…")
        self.void_button.clicked.connect(self.ask_void)
        close = QPushButton("Закрыть  Esc")
        close.clicked.connect(self.reject)
        # a wallet operation nothing can settle: the supervisor's decision
        self.decision = QLabel("")
        self.decision.setObjectName("stepStatus")
        self.decision.setProperty("kind", "error")
        self.decision.setWordWrap(True)
        self.resend_button = QPushButton("Отправить снова…")
        self.resend_button.setObjectName("resendButton")
        self.resend_button.clicked.connect(lambda: self.ask_decision(resend=True))
        self.not_done_button = QPushButton("Признать не проведённым…")
        self.not_done_button.setObjectName("notDoneButton")
        self.not_done_button.clicked.connect(lambda: self.ask_decision(resend=False))
        self.decision_dialog: DecisionDialog | None = None
        # a card payment: the refund, and the number a lost saved card's answer needs
        self.refund_button = QPushButton("Вернуть на карту…")
        self.refund_button.setObjectName("cardRefundButton")
        self.refund_button.clicked.connect(self.ask_refund)
        self.refund_dialog: CardRefundDialog | None = None
        self.number_button = QPushButton("Указать номер платежа шлюза…")
        self.number_button.setObjectName("cardNumberButton")
        self.number_button.clicked.connect(lambda: self.ask_card_decision(with_number=True))
        buttons = QHBoxLayout()
        for button in (self.check_button, self.print_button, self.void_button,
                       self.refund_button, self.resend_button, self.number_button,
                       self.not_done_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.decision)
        column.addWidget(self.message)
        column.addLayout(buttons)
        self.reload()
        self.place_on_screen()

    def place_on_screen(self, area: QRect | None = None) -> None:
        """Up to 1000×720, within the free area of the screen, centred."""
        place(self, PREFERRED_SIZE, area)

    # --- what is shown --------------------------------------------------------------------
    def reload(self) -> None:
        record = self.journal.get(self.tx_id)
        self.record = record
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for title, value in facts(record):
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.facts.addRow(title, label)
        attempts = self.journal.attempts(self.tx_id)
        self.attempt_rows: list[Attempt] = attempts
        self.attempts.setRowCount(len(attempts))
        for row, attempt in enumerate(attempts):
            for column, text in enumerate(attempt_cells(attempt, with_day=True)):
                self.attempts.setItem(row, column, QTableWidgetItem(text))
        self.tabs.setTabText(1, f"История попыток ({len(attempts)})")
        if attempts:
            self.attempts.selectRow(len(attempts) - 1)
        self._show_receipt(record)
        unsettled = record.state in UNSETTLED
        self.check_button.setEnabled(unsettled)
        self.check_button.setToolTip("" if unsettled else
                                     "Только для платежа «в обработке» или QR-кода в ожидании")
        refusal = void_refusal(record)
        self.void_button.setToolTip(refusal or "Аннулировать платёж: он не был отправлен на "
                                               "оплату, денег не брали")
        waits = bool(record.needs_decision) and unsettled
        self.decision.setText(f"Нужно решение старшего кассира: {record.needs_decision}"
                              if waits else "")
        for widget in (self.decision, self.not_done_button):
            widget.setVisible(waits)
        self.resend_button.setVisible(waits and not record.by_card)
        self.number_button.setVisible(waits and record.by_card)
        self._show_refunds(record)

    def _desk(self) -> CardDesk:
        """Card work in the name of the supervisor who opened the window with their PIN."""
        return CardDesk(self.engine, actor=self.actor.name, role=str(self.actor.role))

    def _show_refunds(self, record: PaymentRecord) -> None:
        """A card payment's refunds (a tab of their own) and «Вернуть на карту…»."""
        paid_by_card = record.by_card and record.state is State.PAID
        self.refund_button.setVisible(paid_by_card)
        if not record.by_card:
            return
        desk = self._desk()
        refunds = desk.refunds(self.tx_id)
        if self.refunds_tab < 0:
            self.refunds_tab = self.tabs.addTab(self.refunds_view, "")
        self.tabs.setTabText(self.refunds_tab, f"Возвраты на карту ({len(refunds)})")
        self.refunds_view.show_refunds(refunds)
        left = desk.refundable(record)
        self.refund_button.setEnabled(paid_by_card and left > 0)
        self.refund_button.setToolTip(f"Можно вернуть до {money(left)}" if left > 0
                                      else "По платежу всё уже возвращено")

    def _show_bodies(self) -> None:
        rows = self.attempts.selectionModel().selectedRows()
        attempt = self.attempt_rows[rows[0].row()] if rows else None
        self.request.setPlainText(pretty(attempt.request) if attempt else "")
        self.answer.setPlainText(pretty(attempt.answer) if attempt else "")
        method = f" ({attempt.method})" if attempt else ""
        self.body_titles[0].setText(f"Запрос как отправлен{method}")
        self.body_titles[1].setText(f"Ответ как получен{method}")

    def _show_receipt(self, record: PaymentRecord) -> None:
        self.print_button.setEnabled(False)
        if self.receipts is None:
            self.receipt_note.setText("Принтер чеков не настроен")
            return
        stored = self.journal.latest_receipt(self.tx_id)
        if stored is None or stored.payment_state != str(record.state):
            try:
                stored = self.receipts.payment_document(self.tx_id)
            except ReceiptError as error:
                earlier = (f". Раньше напечатан чек № {stored.number} (когда платёж был "
                           f"{STATE_WORDS.get(stored.payment_state or '', '')})"
                           if stored is not None and stored.copies else "")
                self.receipt_note.setText(f"{error}{earlier}")
                self.receipt_view.show_lines([], self.receipts.printer.columns)
                return
        printed = (f"напечатан {stored.copies} раз(а), первый — "
                   f"{moment(stored.printed_at)}" if stored.copies
                   else "ещё не напечатан" + (f": {stored.last_error}" if stored.last_error
                                              else ""))
        self.receipt_note.setText(f"Чек № {stored.number}, {printed}")
        self.receipt_view.show_lines(self.receipts.lines(stored), self.receipts.printer.columns)
        self.print_button.setText("Печать копии чека" if stored.copies else "Печать чека")
        self.print_button.setEnabled(True)

    # --- actions --------------------------------------------------------------------------
    def _keep(self, task: asyncio.Future[Any]) -> asyncio.Future[Any]:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def start_check_now(self) -> asyncio.Future[Any]:
        return self._keep(asyncio.ensure_future(self.check_now()))

    async def check_now(self) -> None:
        before = self.journal.get(self.tx_id)
        if before.state not in UNSETTLED:
            return
        self.check_button.setEnabled(False)
        say(self.message, "Запрос в процессинг…", "info")
        try:
            after = await self.engine.advance(self.tx_id)
        except Exception as error:  # the supervisor sees a sentence, the log the detail
            log.exception("check now %s", self.tx_id)
            say(self.message, f"Проверка не выполнена: {error}", "error")
            after = self.journal.get(self.tx_id)
        self._audit("check_now", f"платёж {self.tx_id}", {
            "before": str(before.state), "after": str(after.state), "result": after.result})
        say(self.message, f"Проверено: {STATE_TITLES.get(after.state, after.state)}"
                          + (f" — {after.result_message}" if after.result_message else ""),
            {State.PAID: "ok", State.FAILED: "error"}.get(after.state, "warn"))
        self.reload()

    def start_reprint(self) -> asyncio.Future[Any]:
        return self._keep(asyncio.ensure_future(self.reprint()))

    async def reprint(self) -> None:
        if self.receipts is None:
            return
        try:
            stored = self.receipts.payment_document(self.tx_id)
        except ReceiptError as error:
            say(self.message, str(error), "warn")
            return
        self.print_button.setEnabled(False)
        outcome = await self.receipts.print_receipt(stored)
        self._audit("reprint", f"платёж {self.tx_id}", {
            "receipt": stored.number, "printed": outcome.printed, "message": outcome.message})
        if outcome.printed:
            say(self.message, outcome.message, "ok")
        else:
            say(self.message, f"Чек не напечатан: {outcome.message}", "error")
        self._show_receipt(self.journal.get(self.tx_id))

    def ask_void(self) -> None:
        """A payment that can be voided is asked about first; for any other, what can be
        done instead is said at once (and the attempt audited), with nothing to confirm."""
        if self.session.void_refusal(self.tx_id) is not None:
            self.void()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Аннулирование",
                          f"Аннулировать платёж {self.tx_id}? Он не был отправлен на оплату, "
                          "денег не брали.\nПопытка будет записана в аудит.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(self.void)
        box.open()

    def ask_refund(self) -> CardRefundDialog | None:
        """The amount, the reason and a confirmation; the refund in the supervisor's name."""
        record = self.journal.get(self.tx_id)
        if not (record.by_card and record.state is State.PAID):
            return None
        dialog = CardRefundDialog(self._desk(), record, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.completed.connect(self._refunded)
        self.refund_dialog = dialog
        dialog.open()
        return dialog

    def _refunded(self, refund: Any) -> None:
        say(self.message, refund_words(refund), "ok" if refund.state == "done" else "warn")
        self.audited.emit()
        self.reload()
        self.tabs.setCurrentIndex(self.refunds_tab)

    def start_recheck_refund(self, refund_id: int) -> asyncio.Future[Any]:
        return self._keep(asyncio.ensure_future(self.recheck_refund(refund_id)))

    async def recheck_refund(self, refund_id: int) -> None:
        """A refund whose answer was lost, asked of the gateway's status now."""
        self.refunds_view.recheck_button.setEnabled(False)
        say(self.message, "Спрашиваем статус платежа в шлюзе…", "info")
        try:
            refund = await self._desk().recheck_refund(refund_id)
        except Exception as error:  # the supervisor sees a sentence, the log the detail
            if not isinstance(error, UserFacingError):
                log.exception("card refund recheck %s", refund_id)
            say(self.message, f"Возврат не проверен: {_said(error)}", "error")
        else:
            say(self.message, refund_words(refund),
                {"done": "ok", "refused": "warn"}.get(refund.state, "error"))
        self.audited.emit()
        self.reload()

    def ask_decision(self, *, resend: bool) -> DecisionDialog:
        """The reason and a confirmation first; the decision when confirmed (for a card
        payment, «не проведён» is the card's decision)."""
        if not resend and self.journal.get(self.tx_id).by_card:
            return self.ask_card_decision(with_number=False)
        dialog = DecisionDialog(self.tx_id, resend=resend, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self.start_decide(resend, reason))
        self.decision_dialog = dialog
        dialog.open()
        return dialog

    def ask_card_decision(self, *, with_number: bool) -> DecisionDialog:
        """A saved card's payment whose answer was lost: the gateway's number (then its
        status decides) or «не проведён» — the reason and a confirmation first."""
        tx = self.tx_id
        if with_number:
            dialog = DecisionDialog(
                tx, title="Номер платежа шлюза", number_title="Номер платежа шлюза",
                what=f"Найдите платёж {tx} в кабинете шлюза (в реквизитах — «Номер платежа» "
                     f"{tx}) и укажите его номер в шлюзе (regPayNum). Программа спросит его "
                     f"статус и доведёт платёж до конца по слову шлюза: оплачен — проведён, "
                     f"отклонён — не проведён.", parent=self)
        else:
            dialog = DecisionDialog(
                tx, title="Признать не проведённым",
                what=f"Платёж {tx} будет записан как не проведённый: деньги с карты клиента "
                     f"не списаны. Делайте это, только если в кабинете шлюза такого платежа "
                     f"нет: если он там есть, укажите его номер.", parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda reason: self.start_card_decide(
            dialog.number_value() if with_number else None, reason))
        self.decision_dialog = dialog
        dialog.open()
        return dialog

    def start_card_decide(self, reg_pay_num: str | None, reason: str) -> asyncio.Future[Any]:
        return self._keep(asyncio.ensure_future(self.card_decide(reg_pay_num, reason)))

    async def card_decide(self, reg_pay_num: str | None, reason: str) -> None:
        for button in (self.number_button, self.not_done_button):
            button.setEnabled(False)
        say(self.message, "Спрашиваем статус в шлюзе…" if reg_pay_num else "Записываем…",
            "info")
        try:
            after = await self._desk().decide(self.tx_id, reg_pay_num=reg_pay_num,
                                              reason=reason)
        except Exception as error:  # the supervisor sees a sentence, the log the detail
            if not isinstance(error, UserFacingError):
                log.exception("card decision %s", self.tx_id)
            say(self.message, f"Решение не выполнено: {_said(error)}", "error")
        else:
            say(self.message, f"Решение записано: {STATE_TITLES.get(after.state, after.state)}"
                              + (f" — {after.result_message}" if after.result_message else ""),
                {State.PAID: "ok", State.FAILED: "warn"}.get(after.state, "info"))
        finally:
            for button in (self.number_button, self.not_done_button):
                button.setEnabled(True)
        self.audited.emit()
        self.reload()

    def start_decide(self, resend: bool, reason: str) -> asyncio.Future[Any]:
        return self._keep(asyncio.ensure_future(self.decide(resend, reason)))

    async def decide(self, resend: bool, reason: str) -> None:
        """The decision in the supervisor's name: a last look at the wallet's report, then
        the request once more or «не проведена» (the core decides what is still possible)."""
        for button in (self.resend_button, self.not_done_button):
            button.setEnabled(False)
        say(self.message, "Смотрим отчёт кошелька…" if not resend
            else "Смотрим отчёт кошелька и отправляем снова…", "info")
        desk = WalletDesk(self.engine, actor=self.actor.name, role=str(self.actor.role))
        try:
            after = await desk.decide(self.tx_id, resend=resend, reason=reason)
        except Exception as error:  # the supervisor sees a sentence, the log the detail
            if not isinstance(error, UserFacingError):
                log.exception("wallet decision %s", self.tx_id)
            text = str(error) if isinstance(error, UserFacingError) else (
                "внутренняя ошибка программы (подробности — в логе)")
            say(self.message, f"Решение не выполнено: {text}", "error")
        else:
            say(self.message, f"Решение записано: {STATE_TITLES.get(after.state, after.state)}"
                              + (f" — {after.result_message}" if after.result_message else ""),
                {State.PAID: "ok", State.FAILED: "warn"}.get(after.state, "info"))
        finally:
            for button in (self.resend_button, self.not_done_button):
                button.setEnabled(True)
        self.audited.emit()
        self.reload()

    def void(self) -> str:
        """Ask the session to void (it decides, and audits every try); show its answer.
        Returns the message shown."""
        answer = self.session.void(self.tx_id, self.actor)
        self.audited.emit()
        say(self.message, answer.message, "ok" if answer.voided else "warn")
        self.reload()
        return answer.message


def _field_title(record: PaymentRecord, name: str) -> str:
    """A field's title as the catalog gave it when the payment was made (as on the receipt);
    the chosen contract says so."""
    titles = (record.field_titles or {}).get("inputs", {})
    return str(titles.get(name) or ("Договор" if name == "contractId" else name))


def facts(record: PaymentRecord) -> list[tuple[str, str]]:
    """The payment's fields as the supervisor reads them."""
    def at(value: str | None) -> str:
        return moment(value, seconds=True)

    rows = [
        ("Состояние", STATE_TITLES.get(record.state, str(record.state))),
        ("Услуга", f"{record.service_name} ({record.service_id})"),
        ("Счёт", record.account),
        *[(f"  {_field_title(record, name)}", value) for name, value in record.extras.items()],
        ("К зачислению", money(record.amount_to)),
        ("Комиссия", money(record.commission)),
        ("С клиента", money(record.amount_from)),
        ("Способ оплаты", METHOD_WORDS.get(record.payment_method, record.payment_method)),
        ("Внесено / сдача", f"{money(record.cash_given)} / {money(record.change)}"
         if record.cash_given is not None else "—"),
        ("Код ответа", "—" if record.result is None else str(record.result)),
        ("Сообщение", record.result_message or "—"),
        ("Номер платежа", str(record.agent_transaction_id)),
        ("Номер операции в процессинге", str(record.transaction_id or "—")),
        ("Кассир, смена", f"{record.cashier or '—'}, смена {record.shift_id or '—'}"),
        ("Создан", at(record.created_at)),
        ("Дата операции в процессинге", at(record.transaction_date)),
        ("Завершён", at(record.settled_at)),
        ("Попыток оплаты", str(record.attempts)),
        ("Следующая попытка", at(record.next_attempt_at)
         if record.state is State.PAYING else "—"),
    ]
    if record.by_card:
        rows += [("Платёж в шлюзе", f"{record.card_reg_pay_num or '—'}, "
                                    f"{CARD_WORDS.get(record.card_state or '', '—')}"),
                 ("Ссылка действовала до", at(record.qr_expires_at)),
                 ("Сохранённая карта", "да" if record.card_token else "нет (по ссылке)")]
        if record.card_remaining is not None:
            rows += [("Осталось по платежу (после возвратов)", money(record.card_remaining))]
    if record.by_qr:
        status = QR_WORDS.get(record.qr_status or "", record.qr_status or "—")
        rows += [("QR-код", f"{record.qr_id or '—'}, {status}, действует до "
                            f"{at(record.qr_expires_at)}")]
    return rows
