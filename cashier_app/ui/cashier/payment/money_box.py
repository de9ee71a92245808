"""The amounts of a payment on screen: to credit (with the service's limits beside it),
commission, to take from the person, cash given, change.

Two columns, so that the box, the invoice above it and the pay buttons below fit a
1366×768 screen without scrolling. Widgets only: the engine quotes (through the payment
flow), this shows.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from cashier_app.core.money import format_amount


def _money_label(name: str) -> QLabel:
    label = QLabel("—")
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def _message() -> QLabel:
    label = QLabel("")
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class MoneyBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setPlaceholderText("0,00")
        self.limits_label = QLabel("")
        self.limits_label.setObjectName("hint")
        self.limits_label.hide()
        self.amount_message = _message()
        amount_cell = QWidget()
        amount_column = QVBoxLayout(amount_cell)
        amount_column.setContentsMargins(0, 0, 0, 0)
        amount_column.setSpacing(2)
        amount_column.addWidget(self.amount_edit)
        amount_column.addWidget(self.limits_label)
        self.commission_label = _money_label("commissionLabel")
        self.from_label = _money_label("amountFromLabel")
        self.cash_edit = QLineEdit()
        self.cash_edit.setObjectName("cashEdit")
        self.cash_edit.setPlaceholderText(self.tr("без сдачи"))
        self.change_label = _money_label("changeLabel")
        self.money_message = _message()
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(QLabel(self.tr("К зачислению, ₽")), 0, 0, top)
        grid.addWidget(amount_cell, 0, 1)
        grid.addWidget(QLabel(self.tr("Внесено наличными, ₽")), 0, 2, top)
        grid.addWidget(self.cash_edit, 0, 3, top)
        grid.addWidget(QLabel(self.tr("Комиссия, ₽")), 1, 0)
        grid.addWidget(self.commission_label, 1, 1)
        grid.addWidget(QLabel(self.tr("Сдача, ₽")), 1, 2)
        grid.addWidget(self.change_label, 1, 3)
        grid.addWidget(QLabel(self.tr("К оплате с клиента, ₽")), 2, 0)
        grid.addWidget(self.from_label, 2, 1)
        grid.addWidget(self.amount_message, 3, 0, 1, 4)
        grid.addWidget(self.money_message, 4, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def set_limits(self, text: str) -> None:
        """The service's limits beside the amount («от 10,00 до 15 000,00 ₽»), or none."""
        self.limits_label.setText(text)
        self.limits_label.setVisible(bool(text))

    def set_amount_problem(self, text: str) -> None:
        self.amount_message.setText(text)
        self.amount_message.setVisible(bool(text))

    def set_money_problem(self, text: str) -> None:
        self.money_message.setText(text)
        self.money_message.setVisible(bool(text))

    def show_amounts(self, commission: Decimal | None, amount_from: Decimal | None,
                     change: Decimal | None) -> None:
        for label, value in ((self.commission_label, commission),
                             (self.from_label, amount_from), (self.change_label, change)):
            label.setText(format_amount(value) if value is not None else "—")

    def clear(self) -> None:
        self.amount_edit.clear()
        self.cash_edit.clear()
        self.set_amount_problem("")
        self.set_money_problem("")
        self.set_limits("")
        self.show_amounts(None, None, None)
