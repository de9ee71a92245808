"""What the check answered, to choose from before any money: the contracts of a «с выбором»
service as large buttons, and the lines of a ЖКХ invoice as rows to toggle, each with its
amount and meter reading typed on a keypad (:class:`NumberScreen`). The engine validates what
is chosen (:mod:`cashier_app.core.schemes`); these screens only collect it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QWidget

from cashier_app.core.answers import Contract
from cashier_app.core.money import AmountError, parse_amount, parse_user_amount
from cashier_app.core.schemes import InvoiceLine, LineChoice
from cashier_app.core.text import money, number

from .keys import DigitPad, key_button
from .screen import Screen, big_label
from .tiles import TileButton

#: invoice rows on one screen: more are rare, and a screen of rows must not scroll
MAX_ROWS = 6


class ContractsScreen(Screen):
    """``chosen(contract_id)``."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Выберите договор", name="kioskContracts", parent=parent)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.body.addLayout(self.grid)
        self.body.addStretch(1)
        self.buttons: list[TileButton] = []

    def show_contracts(self, contracts: Sequence[Contract]) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        for index, contract in enumerate(contracts[:MAX_ROWS * 2]):
            text = contract.name or contract.contract_number or contract.contract_id
            details = []
            if contract.contract_number and contract.name:
                details.append(f"договор № {contract.contract_number}")
            if contract.contract_sum is not None:
                details.append(f"к оплате {money(contract.contract_sum)}")
            button = TileButton()  # long words wrap instead of being cut
            button.set_tile(text, ", ".join(details))
            button.clicked.connect(lambda _=False, c=contract.contract_id: self.chosen.emit(c))
            self.grid.addWidget(button, index // 2, index % 2)
            self.buttons.append(button)


@dataclass
class Row:
    line: InvoiceLine
    paid: bool
    amount: Decimal
    reading: Decimal | None


class InvoiceScreen(Screen):
    """The invoice's lines; ``edit(index, what)`` asks for a number («amount» or «reading»),
    ``done(list[LineChoice])`` with the lines to pay."""

    edit = Signal(int, str)
    done = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Квитанция: что оплатить", name="kioskInvoice", parent=parent)
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        self.body.addLayout(self.grid)
        self.total = big_label("", "kioskTotal", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.total)
        self.pay_button = self.add_action("Далее  ▶", "kioskNext")
        self.pay_button.clicked.connect(self._done)
        self.rows: list[Row] = []
        self._widgets: list[QWidget] = []

    def show_invoice(self, lines: Sequence[InvoiceLine]) -> None:
        self.rows = [Row(line, line.pay_sum is not None and line.pay_sum > 0,
                         line.pay_sum if line.pay_sum is not None else Decimal("0.00"),
                         None) for line in lines[:MAX_ROWS]]
        self.redraw()

    def set_number(self, index: int, what: str, value: Decimal) -> None:
        row = self.rows[index]
        if what == "amount":
            row.amount, row.paid = value, value > 0
        else:
            row.reading = value
        self.redraw()

    def toggle(self, index: int) -> None:
        self.rows[index].paid = not self.rows[index].paid
        self.redraw()

    def redraw(self) -> None:
        for widget in self._widgets:
            widget.deleteLater()
        self._widgets = []
        for index, row in enumerate(self.rows):
            line = row.line
            toggle = key_button(("☑  " if row.paid else "☐  ") + line.sub_service_name,
                                "kioskToggle")
            toggle.setProperty("on", row.paid)
            toggle.clicked.connect(lambda _=False, i=index: self.toggle(i))
            amount = key_button(money(row.amount), "kioskValue")
            amount.clicked.connect(lambda _=False, i=index: self.edit.emit(i, "amount"))
            self.grid.addWidget(toggle, index, 0)
            self.grid.addWidget(amount, index, 1)
            self._widgets += [toggle, amount]
            if line.is_meter:
                shown = number(row.reading) if row.reading is not None else "показания?"
                reading = key_button(f"Счётчик: {shown}", "kioskValue")
                reading.clicked.connect(lambda _=False, i=index: self.edit.emit(i, "reading"))
                self.grid.addWidget(reading, index, 2)
                self._widgets.append(reading)
        total = sum((row.amount for row in self.rows if row.paid), Decimal("0.00"))
        self.total.setText(f"Итого: {money(total)}")

    def choices(self) -> list[LineChoice]:
        return [LineChoice(row.line.sub_service_id, row.amount,
                           row.reading if row.line.is_meter else None)
                for row in self.rows if row.paid]

    def _done(self) -> None:
        self.done.emit(self.choices())


class NumberScreen(Screen):
    """One number on a keypad: an amount (two decimals) or a meter reading. ``entered``
    with the Decimal once it reads as one."""

    entered = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskNumber", home=False, parent=parent)
        self.value = QLineEdit()
        self.value.setObjectName("kioskField")
        self.value.setReadOnly(True)
        self.hint = big_label("", "kioskHint", center=True)
        self.pad = DigitPad(comma=True)
        self.pad.typed.connect(lambda text: self.value.setText((self.value.text() + text)[:16]))
        self.pad.erased.connect(lambda: self.value.setText(self.value.text()[:-1]))
        self.pad.cleared.connect(lambda: self.value.setText(""))
        self.body.addWidget(self.value)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.pad, 1)
        self.ok_button = self.add_action("Готово", "kioskNext")
        self.ok_button.clicked.connect(self._ok)
        self.kind = "amount"

    def ask(self, title: str, *, kind: str = "amount", hint: str = "",
            value: Decimal | None = None) -> None:
        self.title.setText(title)
        self.kind = kind
        self.hint.setText(hint)
        self.value.setText("" if value is None or value == 0 else
                           format(value, "f").replace(".", ","))
        self.say("")

    def _ok(self) -> None:
        if self.kind == "code":  # a voucher's twelve digits, as printed
            digits = "".join(ch for ch in self.value.text() if ch.isdigit())
            if len(digits) != 12:
                self.say("Код ваучера — 12 цифр", "error")
                return
            self.entered.emit(digits)
            return
        text = self.value.text().replace(",", ".")
        try:
            value = parse_user_amount(text) if self.kind == "amount" else parse_amount(text)
        except AmountError as error:
            self.say(str(error) if text else "Наберите число", "error")
            return
        self.entered.emit(value)
