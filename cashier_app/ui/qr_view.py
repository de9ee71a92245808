"""QR СБП on screen: the code itself, the cashier's payment-by-QR view, the customer display.

The code is painted module by module from the payload (the same ``qrcode`` matrix as on paper)
with whole-pixel modules and a four-module quiet zone, so it stays sharp and scannable at any
size. Everything shown comes from the payment's journal row; the views own no payment state.
"""

from __future__ import annotations

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

from cashier_app.core.money import format_amount
from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord
from cashier_app.receipts.escpos_render import qr_code

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


def seconds_left(record: PaymentRecord, now: datetime | None = None) -> int | None:
    if not record.qr_expires_at:
        return None
    expires = datetime.fromisoformat(record.qr_expires_at)
    return max(0, int((expires - (now or datetime.now())).total_seconds()))


def countdown(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


class QrPaymentView(QWidget):
    """The cashier's screen while the person pays by QR: the code large, the amount, the
    service, the time left and what the center last said; cancel, a new code, and in demo
    mode a button that plays the person's bank."""

    cancel_requested = Signal()
    renew_requested = Signal()
    demo_pay_requested = Signal()

    def __init__(self, *, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrPaymentView")
        self.record: PaymentRecord | None = None
        # large, yet the countdown and the buttons stay in view on a 768-pixel screen
        self.code = QrCodeWidget(minimum=260, maximum=400)
        self.amount = _label("qrAmount")
        self.service = _label("qrService")
        self.timer_label = _label("qrCountdown")
        self.status = _label("qrStatus")
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
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.renew_button, self.cancel_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(self.amount)
        column.addWidget(self.service)
        column.addWidget(self.code, 1, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.status)
        column.addWidget(self.timer_label)
        column.addLayout(buttons)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

    def show_record(self, record: PaymentRecord) -> None:
        self.record = record
        waiting = record.state is State.QR_WAITING
        self.amount.setText(self.tr("К оплате по QR: {0} ₽").format(
            format_amount(record.amount_from or Decimal(0))))
        self.service.setText(f"{record.service_name} · {record.account}")
        payload = record.qr_payload if waiting and not record.cancel_requested_at else ""
        self.code.set_text(payload or "")
        self.code.setVisible(bool(payload))
        self.renew_button.setVisible(record.state in (State.FAILED, State.CANCELLED))
        self.cancel_button.setVisible(waiting)
        self.demo_button.setVisible(self._demo and bool(payload))
        if waiting:
            self._ticker.start()
        else:
            self._ticker.stop()
        self.tick()

    def tick(self) -> None:
        record = self.record
        if record is None:
            return
        if record.state is not State.QR_WAITING:
            self.timer_label.setText(self.tr("Деньги с клиента не списаны. F8 — новый QR-код, "
                                             "Esc — следующий клиент"))
            self._set_status(record.result_message or "", "error")
            return
        if record.qr_status is None:
            self.timer_label.setText("")
            text = self.tr("Создаём QR-код…")
            if record.qr_failures:
                text = self.tr("Нет ответа процессинга ({0}), повторяем…").format(
                    record.result_message or "")
            self._set_status(text, "busy")
            return
        left = seconds_left(record)
        if left:
            self.timer_label.setText(self.tr("Код действует ещё {0}").format(countdown(left)))
            self._set_status(self.tr("Клиент сканирует код в приложении банка. Ждём оплату…")
                             if not record.qr_failures else
                             self.tr("Нет связи с процессингом, статус спросим ещё раз…"),
                             "busy")
        else:
            self.timer_label.setText(self.tr("Срок кода истёк"))
            self._set_status(self.tr("Ждём окончательного ответа банка…"), "busy")

    def _set_status(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().polish(self.status)

    def stop(self) -> None:
        self._ticker.stop()
        self.record = None


class CustomerDisplay(QWidget):
    """The customer's screen (a second monitor or a separate window): the same code, the
    amount and what to do; «Спасибо» once paid; a resting text otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        # the program ends with the cashier's window, whatever the customer's screen shows
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle(self.tr("Касса — экран покупателя"))
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
        amount = self.tr("{0} ₽").format(format_amount(record.amount_from or Decimal(0)))
        if record.state is State.QR_WAITING and record.qr_payload and (
                not record.cancel_requested_at):
            self.headline.setText(self.tr("Оплата по QR-коду СБП"))
            self.amount.setText(amount)
            self.code.set_text(record.qr_payload)
            self.code.show()
            self.hint.setText(self.tr("Откройте приложение банка, выберите «Оплата по QR» "
                                      "и наведите камеру на код"))
        elif record.state is State.PAID:
            self.headline.setText(self.tr("Оплачено. Спасибо!"))
            self.amount.setText(amount)
            self.code.hide()
            self.hint.setText(self.tr("Чек выдаст кассир"))
            self._rest.start(8000)
        elif record.state is State.QR_WAITING:
            self.idle()
        else:
            self.headline.setText(self.tr("Оплата не прошла"))
            self.amount.setText(amount)
            self.code.hide()
            self.hint.setText(record.result_message or "")
            self._rest.start(8000)
