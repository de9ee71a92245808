"""A form input that takes numbers the way cashiers bring them: pasted from a message or a
spreadsheet cell, typed with a leading 8.

Qt's input mask refuses a paste whole when one character does not fit, and the field stays
empty with no word said. Here every way text comes from outside (Ctrl+V, Shift+Insert, the
context menu, drag and drop, the middle button) goes through
:func:`cashier_app.core.paste.clean_input`: what it can make fit goes in, and the field says
what was taken out; what it cannot is kept as pasted, with the reason, for the cashier to
fix. Typing goes through a validator built on the same rules.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QClipboard,
    QContextMenuEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QValidator,
)
from PySide6.QtWidgets import QLineEdit, QWidget

from cashier_app.core.paste import Cleaned

Cleaner = Callable[[str], Cleaned]


class _CleaningValidator(QValidator):
    """Typed text in a digits-only field: what fits stays, an 11-digit phone with its 8 or 7
    loses the prefix (and the field says so), anything else is refused as the mask did —
    except a paste the cashier is fixing by hand, which is left alone until it fits."""

    def __init__(self, edit: FieldEdit) -> None:
        super().__init__(edit)
        self._edit = edit

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        cleaned = self._edit.cleaner(text)
        if cleaned.problem:
            if self._edit.kept:
                return QValidator.State.Acceptable, text, pos
            return QValidator.State.Invalid, text, pos
        self._edit.kept = False
        if cleaned.text != text:
            if any(word.endswith("в начале") or word == "+7" for word in cleaned.removed):
                self._edit.pending_note = cleaned.note("Введено")
            pos = len(cleaned.text) if pos >= len(text) else max(
                0, pos - (len(text) - len(cleaned.text)))
        return QValidator.State.Acceptable, cleaned.text, pos


class FieldEdit(QLineEdit):
    """``note`` (str) after each change: what was done to the text, or "" (clears it);
    ``pasted`` after text came from outside (the form then judges the field at once)."""

    note = Signal(str)
    pasted = Signal()

    def __init__(self, cleaner: Cleaner, *, masked: bool, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.cleaner = cleaner
        #: the text is a paste that did not fit, kept for the cashier to fix by hand
        self.kept = False
        self.pending_note: str | None = None
        if masked:
            self.setValidator(_CleaningValidator(self))
            self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.textChanged.connect(self._changed)

    def _changed(self, _text: str) -> None:
        note, self.pending_note = self.pending_note or "", None
        self.note.emit(note)

    # --- every way text comes from outside ------------------------------------------------
    def paste(self) -> None:
        self.insert_from_outside(QGuiApplication.clipboard().text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste":
                action.triggered.disconnect()
                action.triggered.connect(self.paste)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if self.isReadOnly() or not data.hasText():
            super().dropEvent(event)
            return
        self.deselect()
        self.setCursorPosition(self.cursorPositionAt(event.position().toPoint()))
        self.insert_from_outside(data.text())
        event.acceptProposedAction()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        clipboard = QGuiApplication.clipboard()
        if (event.button() == Qt.MouseButton.MiddleButton and clipboard.supportsSelection()
                and not self.isReadOnly()):
            self.insert_from_outside(clipboard.text(QClipboard.Mode.Selection))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def insert_from_outside(self, raw: str) -> None:
        """``raw`` in place of the selection (or at the cursor), the whole result cleaned."""
        if self.isReadOnly() or not raw:
            return
        text = self.text()
        if self.hasSelectedText():
            start = self.selectionStart()
            end = start + len(self.selectedText())
        else:
            start = end = self.cursorPosition()
        cleaned = self.cleaner(text[:start] + raw + text[end:])
        self.kept = bool(cleaned.problem)
        self.pending_note = cleaned.note()
        if cleaned.text == text:
            self._changed(text)  # nothing new in the field, but the cashier is told why
        else:
            self.setText(cleaned.text)
        self.pasted.emit()
