"""QR СБП on screen: the code itself, the cashier's payment-by-QR view, the customer display.

The code is painted module by module from the payload (the same ``qrcode`` matrix as on paper)
with whole-pixel modules and a four-module quiet zone, so it stays sharp and scannable at any
size. Everything shown comes from the payment's journal row; the views own no payment state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.journal import PaymentRecord
from cashier_app.receipts.escpos_render import qr_code

from .payment_banner import QrScreen, qr_screen

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


class QrCodeWidget(QWidget):
    """A QR code of ``text``, as large as the widget allows, on white."""

    def __init__(self, minimum: int = 200, maximum: int = 16777215,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self._text = ""
        self._matrix: list[list[bool]] = []
        self.setMinimumSize(minimum, minimum)
        self.setMaximumSize(maximum, maximum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            # the paper's matrix has a 1-module border; the quiet zone is painted here
            self._matrix = ([row[1:-1] for row in qr_code(text).get_matrix()[1:-1]]
                            if text else [])
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def code_rect(self) -> QRect:
        """Where the code (with its quiet zone) is painted: a square of whole modules."""
        side = min(self.width(), self.height())
        count = len(self._matrix) + 2 * QUIET_ZONE
        module = max(1, side // count) if self._matrix else 1
        size = module * count
        return QRect((self.width() - size) // 2, (self.height() - size) // 2, size, size)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._matrix:
            return
        painter = QPainter(self)
        area = self.code_rect()
        painter.fillRect(area, QColor("white"))
        module = area.width() // (len(self._matrix) + 2 * QUIET_ZONE)
        left = area.left() + QUIET_ZONE * module
        top = area.top() + QUIET_ZONE * module
        black = QColor("black")
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(left + x * module, top + y * module, module, module, black)
        painter.end()


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
    What it shows is :func:`~cashier_app.ui.payment_banner.qr_screen` of the record, redrawn
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


class CustomerDisplay(QWidget):
    """The customer's screen (a second monitor or a separate window): the same code, the
    amount and what to do; «Спасибо» once paid; a resting text otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        # the program ends with the cashier's window, whatever the customer's screen shows
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle(self.tr("Касса — экран покупателя"))
        self.clock: Callable[[], datetime] = datetime.now
        self.headline = _label("customerHeadline")
        self.amount = _label("customerAmount")
        self.code = QrCodeWidget(minimum=300)
        self.hint = _label("customerHint")
        column = QVBoxLayout(self)
        column.addWidget(self.headline)
        column.addWidget(self.amount)
        column.addWidget(self.code, 1)
        column.addWidget(self.hint)
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.timeout.connect(self.idle)
        self.idle()

    def idle(self) -> None:
        self.headline.setText(self.tr("Добро пожаловать"))
        self.amount.setText("")
        self.code.set_text("")
        self.code.hide()
        self.hint.setText(self.tr("Оплата наличными или по QR-коду СБП"))

    def show_payment(self, record: PaymentRecord | None) -> None:
        """Follow the cashier's QR payment; None: nothing to pay by QR now."""
        self._rest.stop()
        if record is None:
            self.idle()
            return
        amount = money(record.amount_from or Decimal(0))
        payload = qr_screen(record, self.clock()).payload
        if payload:
            self.headline.setText(self.tr("Оплата по QR-коду СБП"))
            self.amount.setText(amount)
            self.code.set_text(payload)
            self.code.show()
            self.hint.setText(self.tr("Откройте приложение банка, выберите «Оплата по QR» "
                                      "и наведите камеру на код"))
        elif record.state is State.PAID:
            self.headline.setText(self.tr("Оплачено. Спасибо!"))
            self.amount.setText(amount)
            self.code.hide()
            self.hint.setText(self.tr("Чек выдаст кассир"))
            self._rest.start(8000)
        elif record.state is State.QR_WAITING and record.qr_status and not (
                record.cancel_requested_at):
            self.headline.setText(self.tr("Срок кода истёк"))
            self.amount.setText(amount)
            self.code.hide()
            self.hint.setText(self.tr("Кассир сделает новый код или примет наличные"))
        elif record.state is State.QR_WAITING:
            self.idle()
        else:
            self.headline.setText(self.tr("Оплата не прошла"))
            self.amount.setText(amount)
            self.code.hide()
            self.hint.setText(record.result_message or "")
            self._rest.start(8000)
