"""What the cashier is told about payments that are no longer on their screen.

A payment the cashier left «в обработке» (the pay got no final answer, the panel moved on to
the next person) and a QR code left payable are watched; when one of them reaches its end,
that is news — worded here, put up by the window in the notice row. Payments still
«в обработке» from an earlier run are watched from the start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject

from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.journal import PaymentRecord

from .statusbar import clock_time

#: A watched payment in one of these is at its end: its outcome is news.
_ENDED = (State.PAID, State.FAILED, State.CANCELLED)


@dataclass(frozen=True)
class Notice:
    text: str
    kind: str  # the notice row's «kind»: ok | info | warn | error


class PaymentNews(QObject):
    """Which payments' outcomes are news, and how they are said."""

    def __init__(self, unsettled: Iterable[PaymentRecord], *, receipts: bool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.watched = {record.agent_transaction_id for record in unsettled}
        self.receipts = receipts  # a printer is set up: the news says where the receipt is

    def heard(self, record: PaymentRecord) -> Notice | None:
        """A payment changed: news when a watched one reached its end. One that is still
        «в обработке» after an attempt is watched from now on."""
        tx_id = record.agent_transaction_id
        if record.state is State.PAYING and record.attempts > 0:
            self.watched.add(tx_id)
        elif record.state in _ENDED and tx_id in self.watched:
            self.watched.discard(tx_id)
            return self.settled(record)
        return None

    def left(self, record: PaymentRecord) -> Notice:
        """The cashier cancelled a QR code the person could still pay until it expires: it
        is watched, and its outcome will be news."""
        self.watched.add(record.agent_transaction_id)
        until = clock_time(record.qr_expires_at) if record.qr_expires_at else ""
        return Notice(self.tr("Оплата по QR отменена. Код действует до {0}: если клиент всё "
                              "же оплатит его, платёж будет проведён и здесь появится "
                              "уведомление.").format(until or self.tr("истечения срока")),
                      "warn")

    def settled(self, record: PaymentRecord) -> Notice | None:
        """A watched payment's end, as the cashier is told it (None: nothing to tell — a cash
        payment cancelled before it was ever paid)."""
        amount = money(record.amount_to or Decimal(0))
        if record.by_card:
            if record.state is State.PAID:
                text = self.tr("Пришла оплата картой по ссылке, которой уже нет на экране: "
                               "{0}, счёт {1}, {2}, платёж шлюза {3}. Деньги — с карты, "
                               "наличных нет.").format(record.service_name, record.account,
                                                       amount, record.card_reg_pay_num or "—")
                if self.receipts:
                    text += self.tr(" Чек: «Сегодня» → Печать чека (Ctrl+P)")
                return Notice(text, "ok")
            return Notice(self.tr("Ссылка на оплату картой на {0} ({1}, счёт {2}) так и не "
                                  "оплачена: {3}").format(amount, record.service_name,
                                                         record.account,
                                                         record.result_message or ""), "info")
        if record.by_qr:
            if record.state is State.PAID:
                text = self.tr("Пришла оплата по QR-коду, которого уже нет на экране: {0}, "
                               "счёт {1}, {2}, номер операции {3}. Деньги пришли по СБП, "
                               "наличных нет.").format(record.service_name, record.account,
                                                       amount, record.transaction_id or "—")
                if self.receipts:
                    text += self.tr(" Чек: «Сегодня» → Печать чека (Ctrl+P)")
                return Notice(text, "ok")
            return Notice(self.tr("QR-код на {0} ({1}, счёт {2}) так и не оплачен: {3}").format(
                amount, record.service_name, record.account, record.result_message or ""),
                "info")
        if record.state is State.CANCELLED:
            return None
        if record.state is State.PAID:
            text = self.tr("Платёж из обработки проведён: {0}, счёт {1}, {2}, номер операции "
                           "{3}").format(record.service_name, record.account, amount,
                                         record.transaction_id or "—")
            if self.receipts:
                text += self.tr(". Чек о проведении: «Сегодня» → Печать чека (Ctrl+P)")
            return Notice(text, "ok")
        return Notice(self.tr("Платёж из обработки НЕ проведён: {0}, счёт {1}, {2} — {3}. "
                              "Верните клиенту {4}.").format(
            record.service_name, record.account, amount, record.result_message or "",
            money(record.amount_from or Decimal(0))), "error")
