"""A supervisor's PIN, and the cash count at a shift's close (a sum, or notes and coins)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.cashiers import Cashier
from cashier_app.core.money import AmountError, parse_user_amount
from cashier_app.core.text import money, number
from cashier_app.ui.widgets.pin_field import check_pin, pin_edit
from cashier_app.workplace.login import AT_SUPERVISOR, PinGuard
from cashier_app.workplace.shifts import (
    DENOMINATIONS,
    denominations_total,
    difference_kind,
    difference_text,
)


def _whole(amount: str) -> str:
    """An amount that a wrapped line never splits («1 000,00 ₽» stays on one line)."""
    return amount.replace(" ", "\u00a0")


class SupervisorPinDialog(QDialog):
    """Who is the supervisor: pick a name (supervisors and administrators only), PIN — checked
    by the same guard as the log-in (audited, growing pause, lockout)."""

    authorized = Signal(object)  # Cashier

    def __init__(self, people: list[Cashier], why: str, guard: PinGuard,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guard = guard
        self.setObjectName("supervisorPin")
        self.setWindowTitle("PIN старшего кассира")
        self.people = people
        self.combo = QComboBox()
        self.combo.addItems([f"{p.name} — {p.role.russian}" for p in people])
        self.pin = pin_edit("supervisorPinEdit")
        self.pin.returnPressed.connect(self.start)
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.ok = QPushButton("Войти  ⏎")
        self.ok.clicked.connect(self.start)
        cancel = QPushButton("Отмена  Esc")
        cancel.clicked.connect(self.reject)
        text = QLabel(why)
        text.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Старший кассир", self.combo)
        form.addRow("PIN", self.pin)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        column = QVBoxLayout(self)
        column.addWidget(text)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addLayout(buttons)
        if not people:
            self.message.setText("Старшие кассиры не настроены: добавьте в cashiers.list "
                                 "запись с role = \"supervisor\" (cashier-app pin-hash --role "
                                 "supervisor)")
            for widget in (self.combo, self.pin, self.ok):
                widget.setEnabled(False)
        else:  # the supervisor types the PIN at once; the name is usually the only one
            self.pin.setFocus()
        self._task: asyncio.Future[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.check())

    async def check(self) -> None:
        if not self.people or not self.pin.text():
            self.message.setText("Введите PIN" if self.people else self.message.text())
            return
        person = self.people[self.combo.currentIndex()]
        if await check_pin(self.guard, person, AT_SUPERVISOR, self.pin, self.message,
                           self.ok):
            self.authorized.emit(person)
            self.accept()


class CashCountDialog(QDialog):
    """Count the drawer: the sum, or «по купюрам»; the difference as you type."""

    counted = Signal(object, object)  # Decimal, dict[str, int] | None

    def __init__(self, title: str, expected: Decimal, opening: Decimal,
                 parent: QWidget | None = None, *, action: str = "Закрыть смену") -> None:
        super().__init__(parent)
        self.setObjectName("cashCount")
        self.setWindowTitle(title)
        self.expected = expected
        heading = QLabel(title)
        heading.setObjectName("panelTitle")
        heading.setWordWrap(True)
        self.setMinimumWidth(480)
        self.expected_label = QLabel(
            f"Ожидается в кассе: <b>{_whole(money(expected))}</b> (размен "
            f"{_whole(money(opening))} + наличные смены {_whole(money(expected - opening))})")
        self.expected_label.setWordWrap(True)
        self.amount = QLineEdit()
        self.amount.setObjectName("countedAmount")
        self.amount.setPlaceholderText("сумма наличных в ящике, например 15 400,00")
        self.amount.textChanged.connect(self._update)
        self.by_pieces = QCheckBox("Считать по купюрам и монетам")
        self.by_pieces.toggled.connect(self._toggle)
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        self.pieces: dict[str, QSpinBox] = {}
        for index, face in enumerate(DENOMINATIONS):
            spin = QSpinBox()
            spin.setRange(0, 100000)
            spin.valueChanged.connect(self._update)
            key = format(face, "f")
            self.pieces[key] = spin
            title = (f"{number(int(face))} ₽" if face == face.to_integral_value()
                     else money(face))
            grid.addWidget(QLabel(f"{title} ×"), index % 7, (index // 7) * 2)
            grid.addWidget(spin, index % 7, (index // 7) * 2 + 1)
        self.grid_box = grid_box
        grid_box.hide()
        self.difference = QLabel("")
        self.difference.setObjectName("cashDifference")
        self.difference.setWordWrap(True)
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.ok = QPushButton(f"{action}  ⏎")
        self.ok.setObjectName("countOkButton")
        self.ok.clicked.connect(self.finish)
        self.amount.returnPressed.connect(self.finish)
        cancel = QPushButton("Отмена  Esc")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        column = QVBoxLayout(self)
        for widget in (heading, self.expected_label, self.amount, self.by_pieces, grid_box,
                       self.difference, self.message):
            column.addWidget(widget)
        column.addLayout(buttons)
        self._update()

    def _toggle(self, on: bool) -> None:
        self.grid_box.setVisible(on)
        self.amount.setReadOnly(on)
        self._update()

    def value(self) -> tuple[Decimal, dict[str, int] | None]:
        """The counted sum (and the pieces); AmountError with a Russian message."""
        if self.by_pieces.isChecked():
            counts = {face: spin.value() for face, spin in self.pieces.items() if spin.value()}
            return denominations_total(counts), counts
        text = self.amount.text().strip()
        if not text:
            raise AmountError("Введите пересчитанную сумму (0, если касса пуста)")
        return parse_user_amount(text), None

    def _update(self) -> None:
        if self.by_pieces.isChecked():
            total, _ = self.value()
            self.amount.blockSignals(True)  # shown, not typed: no second pass through here
            self.amount.setText(money(total, rub=False))
            self.amount.blockSignals(False)
        try:
            counted, _ = self.value()
        except AmountError as error:
            self.difference.setText("")
            self.message.setText(str(error) if self.amount.text().strip() else "")
            return
        self.message.setText("")
        self.difference.setText(difference_text(counted - self.expected))
        self.difference.setProperty("kind", difference_kind(counted - self.expected))
        self.difference.style().polish(self.difference)

    def finish(self) -> None:
        try:
            counted, pieces = self.value()
        except AmountError as error:
            self.message.setText(str(error))
            return
        self.counted.emit(counted, pieces)
        self.accept()


def ask_cash_count(parent: QWidget, title: str, expected: Decimal, opening: Decimal,
                   done: Callable[[Decimal, dict[str, int] | None], object]) -> CashCountDialog:
    dialog = CashCountDialog(title, expected, opening, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.counted.connect(done)
    dialog.open()
    return dialog
