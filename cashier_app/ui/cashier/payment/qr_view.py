"""The cashier's screen while the person pays by QR СБП: the code large, the amount, the
service, the time left and what the center last said. Everything shown comes from the
payment's journal row (:func:`.payment_banner.qr_screen`); the view owns no payment state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord
from cashier_app.ui.widgets.qr_code import QrCodeWidget

from .payment_banner import QrScreen, qr_screen


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


class QrPaymentView(QWidget):
    """The cashier's screen while the person pays by QR: the code large, the amount, the
    service, the time left and what the center last said; cancel (with a question that stays
    until answered), a new code, and in demo mode a button that plays the person's bank.
    What it shows is :func:`.payment_banner.qr_screen` of the record, redrawn
    every second and on every change."""

    cancel_requested = Signal()
    confirm_cancel = Signal()
    keep_waiting = Signal()
    renew_requested = Signal()
    demo_pay_requested = Signal()
    #: the code went off screen by the clock (the customer display follows)
    expired = Signal()

    def __init__(self, *, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrPaymentView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.record: PaymentRecord | None = None
        self.armed = False
        self.clock: Callable[[], datetime] = datetime.now
        # large, yet the countdown and the buttons stay in view on a 768-pixel screen
        self.code = QrCodeWidget(minimum=240, maximum=400)
        self.amount = _label("qrAmount")
        self.service = _label("qrService")
        self.timer_label = _label("qrCountdown")
        self.status = _label("qrStatus")
        self.prompt = _label("qrStatus")
        self.prompt.setProperty("kind", "error")
        self.confirm_button = QPushButton(self.tr("Отменить код  Esc"))
        self.confirm_button.setObjectName("confirmCancelButton")
        self.confirm_button.clicked.connect(self.confirm_cancel)
        self.wait_button = QPushButton(self.tr("Продолжить ждать"))
        self.wait_button.setObjectName("keepWaitingButton")
        self.wait_button.clicked.connect(self.keep_waiting)
        self.prompt_box = QWidget()
        prompt_column = QVBoxLayout(self.prompt_box)
        prompt_column.setContentsMargins(0, 0, 0, 0)
        prompt_column.addWidget(self.prompt)
        prompt_buttons = QHBoxLayout()
        prompt_buttons.addStretch(1)
        prompt_buttons.addWidget(self.confirm_button)
        prompt_buttons.addWidget(self.wait_button)
        prompt_buttons.addStretch(1)
        prompt_column.addLayout(prompt_buttons)
        self.prompt_box.hide()
        self.cancel_button = QPushButton(self.tr("Отменить  Esc"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.renew_button = QPushButton(self.tr("Новый QR-код  F8"))
        self.renew_button.setObjectName("renewQrButton")
        self.renew_button.clicked.connect(self.renew_requested)
        self.demo_button = QPushButton(self.tr("Демо: оплатить из «банка клиента»"))
        self.demo_button.setObjectName("demoBankButton")
        self.demo_button.clicked.connect(self.demo_pay_requested)
        self.demo_button.setVisible(demo)
        self._demo = demo
        self.buttons = QWidget()
        buttons = QHBoxLayout(self.buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        for button in (self.renew_button, self.cancel_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.amount)
        column.addWidget(self.service)
        column.addWidget(self.code, 1, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.timer_label)
        column.addWidget(self.status)
        column.addWidget(self.prompt_box)
        column.addWidget(self.buttons)
        column.addStretch(0)  # with no code on screen the texts stay together, on top
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

    def show_record(self, record: PaymentRecord) -> None:
        self.record = record
        if record.state is State.QR_WAITING:
            self._ticker.start()
        else:
            self._ticker.stop()
        self.tick()

    def set_armed(self, armed: bool) -> None:
        self.armed = armed
        self.tick()

    def shown(self) -> QrScreen | None:
        return None if self.record is None else qr_screen(self.record, self.clock(),
                                                          armed=self.armed)

    def tick(self) -> None:
        screen = self.shown()
        if screen is None:
            return
        had_code = bool(self.code.text)
        self.amount.setText(screen.amount)
        self.service.setText(screen.service)
        self.code.set_text(screen.payload)
        self.code.setVisible(bool(screen.payload))
        self.timer_label.setText(screen.timer)
        self.timer_label.setVisible(bool(screen.timer))
        self.status.setText(screen.status)
        self.status.setProperty("kind", screen.status_kind)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(screen.status))
        self.prompt.setText(screen.prompt)
        self.prompt_box.setVisible(bool(screen.prompt))
        self.cancel_button.setVisible(screen.can_cancel and not screen.prompt)
        self.renew_button.setVisible(screen.can_renew)
        self.demo_button.setVisible(self._demo and bool(screen.payload))
        if had_code and not screen.payload:
            self.expired.emit()

    def stop(self) -> None:
        self._ticker.stop()
        self.record = None
        self.armed = False


_MODIFIERS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
              Qt.Key.Key_AltGr, Qt.Key.Key_Escape}


class AnyKeyAnswers(QObject):
    """While the «cancel the code?» question is on screen: any key but Esc, anywhere in the
    window, answers «keep waiting» (and does nothing else)."""

    def __init__(self, answer: Callable[[], None], window: Callable[[], QWidget],
                 parent: QObject) -> None:
        super().__init__(parent)
        self._answer = answer
        self._window = window
        self.listening = False

    def listen(self, on: bool) -> None:
        """Filter every key of the application (``on``), or stop."""
        app = QApplication.instance()
        if on and not self.listening and app is not None:
            app.installEventFilter(self)
        elif not on and self.listening and app is not None:
            app.removeEventFilter(self)
        self.listening = on and app is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in _MODIFIERS or not isinstance(watched, QWidget) or (
                watched.window() is not self._window()):
            return False
        self._answer()
        return True
