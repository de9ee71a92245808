"""The cashier's screen while the person confirms a wallet refill in their bank's app: the СБП
link as a large QR code, the amount, the time the link is still good for, and what happened.

Everything shown is read from the refill's journal row (the engine's payment with method
``wallet``): the link is its ``qr_payload``, the deadline its ``qr_expires_at``, the state and
the words its ``state`` and ``result_message``. The view owns no state of the refill, so the
background scheduler that watches the wallet's report for the CREDIT can credit it while the
cashier is elsewhere, and the view just shows the row it is given again. «Готово» leaves the
view, never the refill: one that is still waiting goes on in the background and stays in the
card's list of operations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.journal import PaymentRecord
from cashier_app.ui.cashier.payment.payment_banner import countdown, seconds_left
from cashier_app.ui.widgets.qr_code import QrCodeWidget

CREDITED = "Зачислено"


def _label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


class RefillView(QWidget):
    """One refill by an СБП link, as its journal row says; «Готово» — back to the card."""

    finished = Signal()
    #: demo mode: the person's "bank" should confirm this link (the emulator's)
    demo_confirm_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletRefillView")
        self.record: PaymentRecord | None = None
        self.clock: Callable[[], datetime] = datetime.now
        self.amount = _label("qrAmount")
        self.wallet = _label("qrService")
        # large, yet the countdown and «Готово» stay in view on a 768-pixel screen
        self.code = QrCodeWidget(minimum=220, maximum=380)
        self.timer_label = _label("qrCountdown")
        self.status = _label("stepStatus")
        self.balance = _label("qrService")
        self.done_button = QPushButton(self.tr("Готово  Esc"))
        self.done_button.setObjectName("checkButton")
        self.done_button.clicked.connect(self.finished)
        self.demo_button = QPushButton(self.tr("Демо: подтвердить в «банке клиента»"))
        self.demo_button.setObjectName("demoButton")
        self.demo_button.clicked.connect(lambda: self.demo_confirm_requested.emit(
            self.payload()))
        self.demo = False  # set by the page when the demo's bank is there
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.done_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.amount)
        column.addWidget(self.wallet)
        column.addWidget(self.code, 1, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.timer_label)
        column.addWidget(self.status)
        column.addWidget(self.balance)
        column.addLayout(buttons)
        column.addStretch(0)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

    @property
    def agent_transaction_id(self) -> int | None:
        return self.record.agent_transaction_id if self.record is not None else None

    def show_record(self, record: PaymentRecord, wallet: str = "") -> None:
        """Show ``record`` (a refill); ``wallet``: how the wallet is named on screen."""
        if record is not self.record and (self.record is None or (
                record.agent_transaction_id != self.record.agent_transaction_id)):
            self.balance.setText("")
        self.record = record
        if wallet:
            self.wallet.setText(wallet)
        if record.state is State.QR_WAITING:
            self._ticker.start()
        else:
            self._ticker.stop()
        self.tick()

    def show_balance(self, text: str) -> None:
        self.balance.setText(text)

    def waiting(self) -> bool:
        return self.record is not None and self.record.state is State.QR_WAITING

    def payload(self) -> str:
        """The link on screen now ("" when there is none to pay: not yet, or no longer)."""
        record = self.record
        if record is None or record.state is not State.QR_WAITING or not record.qr_payload:
            return ""
        left = seconds_left(record, self.clock())
        return record.qr_payload if left is None or left > 0 else ""

    def tick(self) -> None:
        record = self.record
        if record is None:
            return
        self.amount.setText(self.tr("Пополнение кошелька: {0}").format(
            money(record.amount_to or Decimal(0))))
        payload = self.payload()
        self.code.set_text(payload)
        self.code.setVisible(bool(payload))
        self.demo_button.setVisible(self.demo and bool(payload))
        left = seconds_left(record, self.clock()) if payload else None
        self.timer_label.setText(self.tr("Ссылка действует ещё {0}").format(countdown(left))
                                 if left else "")
        self.timer_label.setVisible(bool(left))
        text, kind = self.state_text(record, bool(payload))
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)

    def state_text(self, record: PaymentRecord, code_shown: bool) -> tuple[str, str]:
        """The refill's state in the cashier's words, and its colour (``kind``)."""
        if record.state is State.PAID:
            return self.tr("{0}: {1} на кошельке клиента").format(
                CREDITED, money(record.amount_to)), "ok"
        if record.state in (State.FAILED, State.CANCELLED):
            return record.result_message or self.tr("Пополнение не состоялось"), "error"
        if record.state is State.QR_WAITING and code_shown:
            return self.tr("Клиент сканирует код и подтверждает пополнение в приложении "
                           "своего банка. Ждём зачисления…"), "busy"
        if record.state is State.QR_WAITING and record.qr_payload:
            return self.tr("Срок ссылки истёк: ждём последнего слова сервиса кошельков…"), \
                "busy"
        return record.result_message or self.tr("Запрашиваем ссылку СБП…"), "busy"

    def stop(self) -> None:
        self._ticker.stop()
        self.record = None
        self.code.set_text("")
