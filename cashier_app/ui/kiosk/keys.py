"""On-screen keys for a touch screen: a digit keypad and a Russian keyboard. A terminal has no
physical keyboard; each key is a large button (at least 48 px, larger on a big screen) that
types into the field it serves. No hover, no long press: one touch, one character."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

BACKSPACE = "⌫"
CLEAR = "Стереть"
SPACE = "Пробел"
RUSSIAN_ROWS = ("1234567890", "йцукенгшщзх", "фывапролджэ", "ячсмитьбю.-@")
DIGIT_ROWS = ("123", "456", "789")
#: the smallest touch target, px (a finger, not a mouse)
MIN_KEY = 48


def key_button(text: str, name: str = "kioskKey") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the cursor
    button.setMinimumSize(MIN_KEY, MIN_KEY)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return button


class Keys(QWidget):
    """``typed(str)`` for a character, ``erased()`` for ⌫, ``cleared()`` for «Стереть»."""

    typed = Signal(str)
    erased = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}

    def _key(self, text: str, name: str = "kioskKey") -> QPushButton:
        button = key_button(text, name)
        if text == BACKSPACE:
            button.clicked.connect(self.erased.emit)
        elif text == CLEAR:
            button.clicked.connect(self.cleared.emit)
        elif text == SPACE:
            button.clicked.connect(lambda: self.typed.emit(" "))
        else:
            button.clicked.connect(lambda _=False, t=text: self.typed.emit(t))
        self.buttons[text] = button
        return button


class DigitPad(Keys):
    """0–9, ⌫ and «Стереть» (a comma too, for amounts)."""

    def __init__(self, *, comma: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskDigitPad")
        grid = QGridLayout(self)
        grid.setSpacing(10)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, keys in enumerate(DIGIT_ROWS):
            for column, key in enumerate(keys):
                grid.addWidget(self._key(key), row, column)
        grid.addWidget(self._key(CLEAR, "kioskKeyWide") if not comma else self._key(","),
                       3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        grid.addWidget(self._key(BACKSPACE), 3, 2)
        if comma:
            grid.addWidget(self._key(CLEAR, "kioskKeyWide"), 4, 0, 1, 3)


class RussianKeyboard(Keys):
    """ЙЦУКЕН in lower case (the field takes what the service wants; a name is fine in any
    case), the digits, space, ⌫ and «Стереть»."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskKeyboard")
        column = QVBoxLayout(self)
        column.setSpacing(8)
        column.setContentsMargins(0, 0, 0, 0)
        for keys in RUSSIAN_ROWS:
            row = QHBoxLayout()
            row.setSpacing(8)
            for key in keys:
                row.addWidget(self._key(key))
            column.addLayout(row)
        last = QHBoxLayout()
        last.setSpacing(8)
        last.addWidget(self._key(CLEAR, "kioskKeyWide"), 3)
        last.addWidget(self._key(SPACE, "kioskKeyWide"), 5)
        last.addWidget(self._key(BACKSPACE), 2)
        column.addLayout(last)
