"""The log-in page: pick yourself, type the PIN; a locked cashier is told so on being picked.

It fits a 1366×768 screen: its texts wrap inside a centred box instead of widening the window.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.cashiers import Cashier
from cashier_app.ui.widgets.pin_field import check_pin, pin_edit
from cashier_app.workplace.login import AT_LOGIN, PinGuard


def centred_column(*widgets: QWidget) -> QVBoxLayout:
    box = QWidget()
    box.setObjectName("loginBox")
    box.setMaximumWidth(520)
    column = QVBoxLayout(box)
    for widget in widgets:
        column.addWidget(widget)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    outer = QVBoxLayout()
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return outer


class LoginPage(QWidget):
    """Pick yourself, type the PIN. The guard decides (pause, lockout); a locked cashier's
    state shows as soon as they are picked, with «Снять блокировку…» for a supervisor."""

    logged_in = Signal(object)  # Cashier
    unlock_requested = Signal(object)  # the locked Cashier

    def __init__(self, cashiers: list[Cashier], guard: PinGuard,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cashiers = cashiers
        self.guard = guard
        title = QLabel(self.tr("Вход кассира"))
        title.setObjectName("pageTitle")
        self.combo = QComboBox()
        self.combo.setObjectName("cashierCombo")
        self.combo.addItems([cashier.name for cashier in cashiers])
        self.pin = pin_edit("pinEdit")
        self.pin.setPlaceholderText(self.tr("PIN — цифры"))
        self.pin.returnPressed.connect(self.start_login)
        self.button = QPushButton(self.tr("Войти  ⏎"))
        self.button.setObjectName("loginButton")
        self.button.clicked.connect(self.start_login)
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.unlock_button = QPushButton(self.tr("Снять блокировку…"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(
            lambda: self.unlock_requested.emit(self.cashiers[self.combo.currentIndex()]))
        self.unlock_button.hide()
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.addRow(self.tr("Кассир"), self.combo)
        form.addRow(self.tr("PIN"), self.pin)
        if not cashiers:
            self.message.setText(self.tr(
                "Кассиры не настроены. Добавьте их в файл настроек (ключ cashiers.list, хэш "
                "PIN даёт команда cashier-app pin-hash) и перезапустите программу."))
            for widget in (self.combo, self.pin, self.button):
                widget.setEnabled(False)
        self.combo.currentIndexChanged.connect(self.show_state)
        self.setLayout(centred_column(title, form_box, self.button, self.message,
                                 self.unlock_button))
        self._task: asyncio.Future[None] | None = None

    def showEvent(self, event: object) -> None:
        self.show_state()
        self.pin.setFocus()
        super().showEvent(event)  # type: ignore[arg-type]

    def show_state(self) -> None:
        """A locked cashier is told so on being picked, not only after typing a PIN."""
        if not self.cashiers or not self.pin.isEnabled():
            return
        person = self.cashiers[self.combo.currentIndex()]
        refusal = self.guard.refusal(person)
        locked = refusal is not None and refusal.locked
        self.message.setText(refusal.message if refusal is not None and locked else "")
        self._offer_unlock(person, locked)

    def _offer_unlock(self, person: Cashier, locked: bool) -> None:
        """«Снять блокировку…» when someone else here could lift it."""
        self.unlock_button.setVisible(locked and any(
            other.role.supervises and other.name != person.name for other in self.cashiers))

    def start_login(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.login())

    async def login(self) -> None:
        if not self.cashiers or not self.pin.isEnabled():
            return
        cashier = self.cashiers[self.combo.currentIndex()]
        if not self.pin.text():
            self.message.setText(self.tr("Введите PIN"))
            return
        ok = await check_pin(self.guard, cashier, AT_LOGIN, self.pin, self.message,
                             self.button)
        if ok:
            self.message.setText("")
            self.unlock_button.hide()
            self.logged_in.emit(cashier)
        else:
            self._offer_unlock(cashier, self.guard.locked(cashier))
