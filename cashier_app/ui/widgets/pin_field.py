"""The PIN field and its check: digits only, hidden, checked through the PIN guard.

The log-in page and the supervisor's PIN dialog ask for a PIN the same way, so a wrong PIN
is audited, paused and locked out the same way wherever it is typed.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from cashier_app.core.cashiers import Cashier
from cashier_app.workplace.login import PinGuard


def pin_edit(name: str) -> QLineEdit:
    """A PIN field: digits only, hidden."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,12}"), edit))
    return edit


async def check_pin(guard: PinGuard, person: Cashier, where: str, edit: QLineEdit,
                    message: QLabel, button: QPushButton) -> bool:
    """Check the typed PIN through the guard (PBKDF2 off the UI thread; a wrong PIN is
    audited, the pause grows, the 5th in a row locks). The guard's message is shown and the
    field stays disabled for the guard's pause; the typed PIN leaves the screen at once."""
    pin = edit.text()
    edit.clear()
    edit.setEnabled(False)
    button.setEnabled(False)
    try:
        verdict = await guard.check(person, pin, where)
        if not verdict.ok:
            wait = math.ceil(verdict.pause)
            message.setText(verdict.message + (
                f" (следующая — через {wait} с)" if verdict.checked and wait else ""))
            await guard.pause(verdict)
            if not verdict.checked and not verdict.locked:
                message.setText("")  # «Подождите …» is over
            else:
                message.setText(verdict.message)
    finally:
        edit.setEnabled(True)
        button.setEnabled(True)
        edit.setFocus()
    return verdict.ok
