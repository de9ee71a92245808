"""The cashier's screen while the person pays by card from their own phone: the link's QR code
large (or the bank's 3-D Secure page as a code, with what to do there), the amount, the time
left, the gateway's state in the cashier's words; after a declined or expired link, what to do
next. It is the QR СБП screen (:class:`.qr_view.QrPaymentView`: the same layout, the same
question before a cancel) with the card's words (:func:`.panel_card.card_screen`), so the two
cannot drift apart in how they look or what Esc does.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from .panel_card import card_screen
from .payment_banner import QrScreen
from .qr_view import QrPaymentView, _label


class CardPaymentView(QrPaymentView):
    """The card screen: :class:`QrPaymentView` with the card's texts, a line saying what the
    code is (the gateway's page, or the bank's 3-D Secure page), «Другой способ оплаты» after
    a failure, and in demo mode the person's phone paying with the test card or a wrong CVC."""

    demo_decline_requested = Signal()
    other_way_requested = Signal()

    def __init__(self, *, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(demo=demo, parent=parent)
        self.setObjectName("cardPaymentView")
        self.confirm_button.setText(self.tr("Отменить ссылку  Esc"))
        self.renew_button.setText(self.tr("Новая ссылка  F7"))
        self.renew_button.setObjectName("renewCardButton")
        self.demo_button.setText(self.tr("Демо: оплатить с «телефона клиента»"))
        self.demo_button.setObjectName("demoCardPhoneButton")
        self.decline_button = QPushButton(self.tr("Демо: … с неверным CVC"))
        self.decline_button.setObjectName("demoCardDeclineButton")
        self.decline_button.setToolTip(self.tr("Демо: «телефон клиента» вводит неверный CVC — "
                                               "банк карты отказывает (код 05)"))
        self.decline_button.clicked.connect(self.demo_decline_requested)
        self.decline_button.setVisible(False)
        self.other_button = QPushButton(self.tr("Другой способ оплаты  F9"))
        self.other_button.setObjectName("otherWayButton")
        self.other_button.clicked.connect(self.other_way_requested)
        self.other_button.setVisible(False)
        row = self.buttons.layout()
        assert row is not None
        # after «Новая ссылка» (index 1, after the leading stretch), before «Отменить»
        row.insertWidget(2, self.other_button)  # type: ignore[attr-defined]
        row.insertWidget(row.count() - 1, self.decline_button)  # type: ignore[attr-defined]
        #: what the code on screen is: the link to the gateway's page, or the 3-D Secure page
        self.caption = _label("qrService")
        column = self.layout()
        assert column is not None
        column.insertWidget(column.indexOf(self.code), self.caption)  # type: ignore[attr-defined]

    def shown(self) -> QrScreen | None:
        return None if self.record is None else card_screen(self.record, self.clock(),
                                                            armed=self.armed)

    def tick(self) -> None:
        super().tick()
        screen, record = self.shown(), self.record
        if screen is None or record is None:
            return
        secure = bool(screen.payload) and screen.payload == record.card_secure_url
        self.caption.setText(
            self.tr("Код страницы банка: клиент открывает её и вводит код подтверждения")
            if secure else self.tr("Код ссылки на оплату: клиент наводит камеру телефона, "
                                   "открывает страницу и вводит данные карты")
            if screen.payload else "")
        self.caption.setVisible(bool(screen.payload))
        self.other_button.setVisible(screen.can_renew)
        self.decline_button.setVisible(self._demo and bool(screen.payload) and not secure)
