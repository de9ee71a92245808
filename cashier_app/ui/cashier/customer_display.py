"""The customer's screen (a second monitor or a separate window): the QR code to pay, the
amount and what to do; «Спасибо» once paid; a resting text otherwise. What it shows comes
from the cashier's QR payment record (:func:`.payment.payment_banner.qr_screen`), or for a
card paid by link from the card's (:func:`.payment.panel_card.card_screen`): the link's
code, or the bank's 3-D Secure page while the person confirms there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.journal import PaymentRecord
from cashier_app.ui.widgets.qr_code import QrCodeWidget

from .payment.panel_card import card_screen
from .payment.payment_banner import qr_screen


def _label(name: str, wrap: bool = True) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    return label


class CustomerDisplay(QWidget):
    """The customer's screen (a second monitor or a separate window): the same code, the
    amount and what to do; «Спасибо» once paid; a resting text otherwise."""

    def __init__(self, parent: QWidget | None = None, *, cards: bool = False) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._cards = cards  # the point takes cards: the resting text says so
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

    def show_at(self, where: str) -> str:
        """Show where ``where`` says: ``window`` — a window of its own; ``screen:N`` — full
        screen on screen N (the customer's monitor). A screen that is not there gives a
        window, and the warning for the cashier is returned ("" when none)."""
        screens = QGuiApplication.screens()
        warning = ""
        if where.startswith("screen:"):
            number = int(where.split(":", 1)[1])
            if 1 <= number <= len(screens):
                self.setScreen(screens[number - 1])
                self.setGeometry(screens[number - 1].geometry())
                self.showFullScreen()
                return ""
            warning = self.tr("Экран покупателя: экрана {0} нет (подключено {1}), показываю "
                              "окном").format(number, len(screens))
        self.resize(640, 760)
        self.show()
        return warning

    def idle(self) -> None:
        self.headline.setText(self.tr("Добро пожаловать"))
        self.amount.setText("")
        self.code.set_text("")
        self.code.hide()
        self.hint.setText(self.tr("Оплата наличными, по QR-коду СБП или картой") if self._cards
                          else self.tr("Оплата наличными или по QR-коду СБП"))

    def show_payment(self, record: PaymentRecord | None) -> None:
        """Follow the cashier's QR payment; None: nothing to pay by QR now."""
        self._rest.stop()
        if record is None:
            self.idle()
            return
        amount = money(record.amount_from or Decimal(0))
        if record.by_card:
            self._show_card(record, amount)
            return
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

    def _show_card(self, record: PaymentRecord, amount: str) -> None:
        """A card paid from the person's phone: the link's code, the bank's page for 3-D
        Secure, the money held, «Спасибо»."""
        payload = card_screen(record, self.clock()).payload
        self.amount.setText(amount)
        self.code.set_text(payload)
        self.code.setVisible(bool(payload))
        if payload and payload == record.card_secure_url:
            self.headline.setText(self.tr("Подтвердите оплату"))
            self.hint.setText(self.tr("Подтвердите оплату в приложении банка или на странице "
                                      "банка по этому коду (3-D Secure)"))
        elif payload:
            self.headline.setText(self.tr("Оплата картой"))
            self.hint.setText(self.tr("Наведите камеру телефона на код, откройте страницу "
                                      "оплаты и введите данные карты"))
        elif record.state is State.PAID:
            self.headline.setText(self.tr("Оплачено. Спасибо!"))
            self.hint.setText(self.tr("Чек выдаст кассир"))
            self._rest.start(8000)
        elif record.state is State.QR_WAITING and record.card_state == "holded":
            self.headline.setText(self.tr("Оплата картой"))
            self.hint.setText(self.tr("Деньги на карте заблокированы, подтверждаем оплату…"))
        elif record.state is State.QR_WAITING and (
                record.cancel_requested_at or record.needs_decision
                or not record.card_reg_pay_num):
            self.idle()
        elif record.state is State.QR_WAITING and record.qr_payload:
            self.headline.setText(self.tr("Срок ссылки истёк"))
            self.hint.setText(self.tr("Кассир сделает новую ссылку или примет оплату другим "
                                      "способом"))
        elif record.state is State.QR_WAITING:  # a saved card: the gateway charges it
            self.headline.setText(self.tr("Оплата картой"))
            self.hint.setText(self.tr("Проводим оплату сохранённой картой…"))
        else:
            self.headline.setText(self.tr("Оплата не прошла"))
            self.hint.setText(record.result_message or "")
            self._rest.start(8000)

    def show_refill(self, record: PaymentRecord | None) -> None:
        """Follow an e-wallet refill by an СБП link (the «Кошелёк» page): the same code and
        amount as a QR payment, in a refill's words — nothing is bought and there is no
        receipt to wait for; None: the refill left the cashier's screen."""
        self.show_payment(record)
        if record is None:
            return
        if qr_screen(record, self.clock()).payload:
            self.headline.setText(self.tr("Пополнение кошелька по СБП"))
            self.hint.setText(self.tr("Откройте приложение банка, выберите «Оплата по QR», "
                                      "наведите камеру на код и подтвердите пополнение"))
        elif record.state is State.PAID:
            self.headline.setText(self.tr("Зачислено на кошелёк. Спасибо!"))
            self.hint.setText("")
        elif record.state is not State.QR_WAITING:
            self.headline.setText(self.tr("Пополнение не состоялось"))
