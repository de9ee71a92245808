"""Paying: the confirmation before any money (service, account, amount, commission, «сдача не
выдаётся»), the cash screen (inserted, commission, to be credited, limits, the banknotes
taken now) and the QR СБП code. What the sums are is the engine's answer
(:class:`~cashier_app.workplace.cash_payment.Due`); these screens show it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QWidget

from cashier_app.core.text import money
from cashier_app.devices.acceptor import Denomination
from cashier_app.ui.widgets.qr_code import QrCodeWidget
from cashier_app.workplace.cash_payment import Due
from cashier_app.workplace.kiosk import Summary

from .screen import Screen, big_label


def _pairs(grid: QGridLayout, rows: Sequence[tuple[str, str]], old: list[QWidget]) -> None:
    for widget in old:
        widget.deleteLater()
    old.clear()
    for index, (name, value) in enumerate(rows):
        left = big_label(name, "kioskPairName")
        right = big_label(value, "kioskValueText")
        grid.addWidget(left, index, 1)
        grid.addWidget(right, index, 2)
        old += [left, right]


def pairs_grid() -> QGridLayout:
    """Name and value in two columns, the block centred on the screen."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(32)
    grid.setVerticalSpacing(14)
    grid.setColumnStretch(0, 1)
    grid.setColumnStretch(3, 1)
    return grid


class ConfirmScreen(Screen):
    """``cash()``, ``qr()`` or ``card()``: the person agreed, and chose how to pay."""

    cash = Signal()
    qr = Signal()
    card = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Проверьте и подтвердите", name="kioskConfirm", parent=parent)
        self.grid = pairs_grid()
        self.note = big_label("", "kioskNote", center=True)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        self.body.addWidget(self.note)
        self.card_button = self.add_action("Картой с телефона", "kioskAction")
        self.qr_button = self.add_action("Оплатить по QR СБП", "kioskAction")
        self.card_button.clicked.connect(self.card.emit)
        self._stacked = True
        self.cash_button = self.add_action("Оплатить наличными", "kioskNext")
        self.qr_button.clicked.connect(self.qr.emit)
        self.cash_button.clicked.connect(self.cash.emit)
        self._cells: list[QWidget] = []

    def show_summary(self, summary: Summary, displays: Sequence[tuple[str, str]],
                     *, qr: bool, card: bool = False) -> None:
        rows = [("Услуга", summary.service), *summary.fields, *displays]
        rows.append(("Сумма к зачислению", money(summary.amount) if summary.amount is not None
                     else "сколько внесёте (без комиссии)"))
        rows.append(("Комиссия", summary.commission))
        if summary.limits:
            rows.append(("Пределы", summary.limits))
        _pairs(self.grid, rows, self._cells)
        self.note.setText(f"{summary.note}. Купюры принимаются до нужной суммы.")
        self.qr_button.setVisible(qr)
        self.card_button.setVisible(card)
        self.set_portrait(self._stacked)

    def set_portrait(self, portrait: bool) -> None:
        """Two rows where the window says so — and also where three ways to pay and
        «Назад», «На главную» do not fit one row (1280 px: the window must not grow); the
        ways to pay one above another where even they alone do not (a portrait screen):
        a cut word on a button is a button nobody dares to touch."""
        self._stacked = portrait
        ways = [self.card_button, self.qr_button, self.cash_button]
        super().set_portrait(portrait or not self._fits(
            [self.back_button, self.home_button, *ways]))
        self.action_row.setDirection(QBoxLayout.Direction.LeftToRight if self._fits(ways)
                                     else QBoxLayout.Direction.TopToBottom)

    def _fits(self, buttons: Sequence[QWidget]) -> bool:
        shown = [button for button in buttons if not button.isHidden()]
        layout = self.layout()
        margins = layout.contentsMargins().left() * 2 if layout is not None else 0
        needed = sum(button.sizeHint().width() + 16 for button in shown) + margins
        return needed <= self.window().width()


class CashScreen(Screen):
    """``pay()`` once the cash is enough; ``give_up()``: the person stops (with cash in: a
    voucher). No «Назад» and no «На главную» while money is in: the screen never resets
    silently."""

    pay = Signal()
    give_up = Signal()
    voucher = Signal()  # «Есть ваучер»: a code to type

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Вставьте купюры", name="kioskCash", back=False, home=False,
                         parent=parent)
        self.what = big_label("", "kioskNote", center=True)
        self.inserted = big_label("", "kioskHuge", center=True)
        self.grid = pairs_grid()
        self.bills = big_label("", "kioskNote", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.what)
        self.body.addWidget(self.inserted)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        self.body.addWidget(self.bills)
        self.cancel_button = self.add_action("Отмена", "kioskBack")
        self.voucher_button = self.add_action("Есть ваучер", "kioskAction")
        self.pay_button = self.add_action("Оплатить", "kioskNext")
        self.voucher_button.clicked.connect(self.voucher.emit)
        self.pay_button.clicked.connect(self.pay.emit)
        self.cancel_button.clicked.connect(self.give_up.emit)
        self._cells: list[QWidget] = []

    def show_sale(self, service: str, account: str) -> None:
        self.what.setText(f"{service}: {account}" if account else service)

    def show_due(self, due: Due, accepted: Sequence[Denomination], limits: str,
                 *, voucher: str | None = None, banknotes: Decimal | None = None) -> None:
        """``banknotes``: the cash of this session alone (a voucher typed is not given back
        as a new one: it stays valid)."""
        self.inserted.setText(f"Внесено: {money(due.inserted)}")
        self.voucher_button.setVisible(voucher is None)
        credited = due.money
        rows = [("Комиссия", money(credited.commission) if credited else "—"),
                ("Будет зачислено", money(credited.amount_to) if credited else "—")]
        if due.owed is not None:
            rows.insert(0, ("К оплате", money(due.owed)))
        if voucher is not None:
            rows.insert(0, ("Ваучер", voucher))
        if limits:
            rows.append(("Пределы", limits))
        _pairs(self.grid, rows, self._cells)
        bills = ", ".join(_bill(bill.amount) for bill in sorted(accepted, key=lambda b: b.amount))
        self.bills.setText(f"Принимаются купюры: {bills} ₽. Сдача не выдаётся." if bills
                           else "Купюры больше не принимаются. Сдача не выдаётся.")
        self.pay_button.setEnabled(due.ready is None)
        self.say(due.ready or "", "info")
        cash = due.inserted if banknotes is None else banknotes
        self.cancel_button.setText("Получить ваучер" if cash > 0 else "Отмена")

    def busy(self, text: str) -> None:
        self.pay_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.say(text)

    def ready(self) -> None:
        self.cancel_button.setEnabled(True)


class QrScreen(Screen):
    """The code to scan with the person's bank app; ``cancel()``."""

    cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Отсканируйте QR-код в приложении банка", name="kioskQr", back=False,
                         home=False, parent=parent)
        self.code = QrCodeWidget(minimum=320)
        self.amount = big_label("", "kioskBig", center=True)
        self.left = big_label("", "kioskNote", center=True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.code, 3)
        row.addStretch(1)
        self.body.addWidget(self.amount)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.left)
        self.cancel_button = self.add_action("Отмена", "kioskBack")
        self.cancel_button.clicked.connect(self.cancel.emit)

    def show_code(self, payload: str, amount: Decimal | None) -> None:
        self.code.set_text(payload)
        self.amount.setText(f"К оплате: {money(amount)}" if amount is not None else "")
        self.say("")

    def seconds_left(self, seconds: float | None) -> None:
        self.left.setText("" if seconds is None else
                          f"Код действует ещё {int(seconds) // 60}:{int(seconds) % 60:02d}")


def _bill(amount: Decimal) -> str:
    """A banknote as people name it: «100», «1 000» (no kopecks on a banknote)."""
    whole = int(amount)
    return f"{whole:,}".replace(",", " ") if whole == amount else money(amount, rub=False)
