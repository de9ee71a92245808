"""The supervisor's refund to the card of a paid card payment, and the payment's refunds.

:class:`CardRefundDialog` asks the amount (all that can still be given back, unless the
supervisor says less) and the reason, then says in one sentence what will be done — «Вернуть
24,00 ₽ на карту клиента по платежу …?» — and only the second press sends it: money going
back to a card cannot be taken back. What is sent, journaled and audited is
:meth:`~cashier_app.workplace.card_desk.CardDesk.refund`'s (in the name of the supervisor who
opened the window with their PIN); the dialog asks and shows. A refund the gateway refused
keeps the dialog open with everything typed; one whose answer was lost is ``unknown`` — never
sent again blindly — and :class:`CardRefundsView` offers «Проверить возврат» for it.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.card_api.errors import CardInputError
from cashier_app.core.money import AmountError, format_amount, parse_user_amount
from cashier_app.core.text import moment, money
from cashier_app.errors import UserFacingError
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cards import DONE, REFUSED, SENDING, UNKNOWN, CardRefund
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.tables import Column, fitted_table
from cashier_app.workplace.card_desk import CardDesk

log = logging.getLogger(__name__)
INTERNAL = "внутренняя ошибка программы (подробности — в логе)"
REFUND_WORDS = {SENDING: "отправляется", DONE: "возвращено", REFUSED: "отказ шлюза",
                UNKNOWN: "ответ не получен — проверьте"}


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class CardRefundDialog(QDialog):
    """The amount and the reason, the question, the refund; :attr:`completed` carries the
    :class:`CardRefund` once it was sent (done, or its answer lost)."""

    completed = Signal(object)

    def __init__(self, desk: CardDesk, record: PaymentRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardRefund")
        self.setWindowTitle("Вернуть на карту")
        self.setMinimumWidth(600)
        self.desk, self.record = desk, record
        self.refundable = desk.refundable(record)
        self.task: asyncio.Future[Any] | None = None
        self.refunded: CardRefund | None = None
        self.armed = False
        about = QLabel(f"Платёж {record.agent_transaction_id}: {record.service_name}, счёт "
                       f"{record.account}, оплачен картой {money(record.amount_from)}. Можно "
                       f"вернуть до {money(self.refundable)}.")
        about.setWordWrap(True)
        self.amount = QLineEdit(format_amount(self.refundable))
        self.amount.setObjectName("refundAmount")
        self.amount_error = _error_label()
        self.reason = QLineEdit()
        self.reason.setObjectName("refundReason")
        self.reason.setPlaceholderText("например: услуга не оказана, заявление клиента № 12")
        self.reason_error = _error_label()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for title, edit, error in (("Сумма возврата, ₽", self.amount, self.amount_error),
                                   ("Причина возврата", self.reason, self.reason_error)):
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(title, holder)
            edit.textChanged.connect(self.disarm)
            edit.textEdited.connect(lambda _text, shown=error: shown.hide())
        self.question = QLabel("")
        self.question.setObjectName("stepStatus")
        self.question.setProperty("kind", "info")
        self.question.setWordWrap(True)
        self.question.hide()
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)
        self.ok = QPushButton("Вернуть на карту  ⏎")
        self.ok.setObjectName("confirmRefund")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.press)
        cancel = QPushButton("Отмена  Esc")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        column = QVBoxLayout(self)
        column.addWidget(about)
        column.addLayout(form)
        column.addWidget(self.question)
        column.addWidget(self.message)
        column.addLayout(buttons)

    def amount_value(self) -> Decimal | None:
        """The amount typed, or None (and why, under the field)."""
        try:
            amount = parse_user_amount(self.amount.text())
        except AmountError as error:
            self._field_error(self.amount_error, str(error))
            return None
        if amount <= 0:
            self._field_error(self.amount_error, "Сумма возврата — больше нуля")
            return None
        if amount > self.refundable:
            self._field_error(self.amount_error, f"Вернуть можно не больше "
                                                 f"{money(self.refundable)}: столько осталось "
                                                 f"по платежу")
            return None
        return amount

    def _field_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()
        self.adjustSize()

    def press(self) -> None:
        """The first press says what will be done; the second does it."""
        if self.task is not None and not self.task.done():
            return
        amount = self.amount_value()
        reason = " ".join(self.reason.text().split())
        if not reason:
            self._field_error(self.reason_error, "Укажите причину возврата: она попадёт в "
                                                 "журнал и аудит")
        if amount is None or not reason:
            return
        if not self.armed:
            self.armed = True
            self.question.setText(f"Вернуть {money(amount)} на карту клиента по платежу "
                                  f"{self.record.agent_transaction_id}? Деньги уйдут на карту, "
                                  f"отменить возврат будет нельзя. Нажмите «Вернуть на карту» "
                                  f"ещё раз.")
            self.question.show()
            self.adjustSize()  # the sentence is read whole, never cut by the dialog's edge
            return
        self.disarm()
        self.task = asyncio.ensure_future(self.refund(amount, reason))

    def disarm(self) -> None:
        self.armed = False
        self.question.hide()

    async def refund(self, amount: Decimal, reason: str) -> None:
        self.ok.setEnabled(False)
        say(self.message, "Отправляем возврат в шлюз…", "info")
        try:
            refund = await self.desk.refund(self.record.agent_transaction_id, amount, reason)
        except CardInputError as error:
            label = self.reason_error if error.field == "note" else self.amount_error
            self._field_error(label, str(error))
            say(self.message, "")
            return
        except Exception as error:  # the supervisor sees a sentence, the log the detail
            if not isinstance(error, UserFacingError):
                log.exception("card refund %s", self.record.agent_transaction_id)
            say(self.message, f"Возврат не выполнен: "
                              f"{error if isinstance(error, UserFacingError) else INTERNAL}",
                "error")
            return
        finally:
            self.ok.setEnabled(True)
        self.refunded = refund
        if refund.state == REFUSED:
            say(self.message, f"Шлюз отказал в возврате: {refund.message or '—'}", "error")
            return
        self.completed.emit(refund)
        self.accept()


def refund_words(refund: CardRefund) -> str:
    """A refund in one line, as the details say it after it was sent."""
    if refund.state == DONE:
        return (f"Возвращено на карту {money(refund.amount)}; по платежу осталось "
                f"{money(refund.remaining_after)}")
    if refund.state == UNKNOWN:
        return (f"Возврат {money(refund.amount)}: ответ шлюза не получен ({refund.message or '—'})"
                f". Нажмите «Проверить возврат»: его статус спросят у шлюза")
    return f"Возврат {money(refund.amount)}: {REFUND_WORDS.get(refund.state, refund.state)}"


class CardRefundsView(QWidget):
    """The payment's refunds to the card, with their state; «Проверить возврат» for one
    whose answer was lost (:attr:`recheck_requested` carries its id)."""

    recheck_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refunds: list[CardRefund] = []
        self.table = fitted_table(
            (Column("Время", 175, 150), Column("Сумма", 100, 80), Column("Осталось", 100, 80),
             Column("Состояние", 170, 110), Column("Кто", 140, 90),
             Column("Причина и ответ", 300, 120, stretch=True)), "cardRefunds")
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel("Возвратов по этому платежу не было")
        self.recheck_button = QPushButton("Проверить возврат")
        self.recheck_button.setObjectName("recheckRefund")
        self.recheck_button.setEnabled(False)
        self.recheck_button.clicked.connect(self._recheck)
        row = QHBoxLayout()
        row.addWidget(self.recheck_button)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(self.empty)
        column.addWidget(self.table, 1)
        column.addLayout(row)

    def show_refunds(self, refunds: list[CardRefund]) -> None:
        self.refunds = refunds
        self.empty.setVisible(not refunds)
        self.table.setRowCount(len(refunds))
        for row, refund in enumerate(refunds):
            said = " — ".join(part for part in (refund.note, refund.message or "") if part)
            cells = (moment(refund.at, seconds=True), money(refund.amount),
                     money(refund.remaining_after),
                     REFUND_WORDS.get(refund.state, refund.state), refund.actor, said)
            for number, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, number, item)
        waiting = [row for row, refund in enumerate(refunds)
                   if refund.state in (UNKNOWN, SENDING)]
        if waiting:
            self.table.selectRow(waiting[-1])
        self._selected()

    def chosen(self) -> CardRefund | None:
        rows = self.table.selectionModel().selectedRows()
        return self.refunds[rows[0].row()] if rows else None

    def _selected(self) -> None:
        refund = self.chosen()
        self.recheck_button.setEnabled(refund is not None
                                       and refund.state in (UNKNOWN, SENDING))

    def _recheck(self) -> None:
        refund = self.chosen()
        if refund is not None:
            self.recheck_requested.emit(refund.id)
