"""What every kiosk screen has: a title in large type, the body, a message line, and a bottom
row of large buttons («Назад», «На главную», the screen's own action). One layout for every
screen, so that a person who found «Назад» once finds it everywhere."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .keys import key_button


class Screen(QWidget):
    """``back`` and ``home`` when their buttons are touched (hidden where they make no
    sense: there is no way back from the cash screen once money is in)."""

    back = Signal()
    home = Signal()

    def __init__(self, title: str, *, name: str, back: bool = True, home: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = QLabel(title)
        self.title.setObjectName("kioskTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QVBoxLayout()
        self.body.setSpacing(16)
        self.message = QLabel("")
        self.message.setObjectName("kioskMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.back_button = key_button("◀  Назад", "kioskBack")
        self.home_button = key_button("На главную", "kioskHome")
        self.back_button.clicked.connect(self.back.emit)
        self.home_button.clicked.connect(self.home.emit)
        self.back_button.setVisible(back)
        self.home_button.setVisible(home)
        # «Назад» and «На главную» on the left, the screen's own actions on the right; on a
        # portrait screen the actions get a row of their own above them (a 1080 px width
        # does not hold four large buttons)
        self.nav_row = QHBoxLayout()
        self.nav_row.setSpacing(16)
        self.nav_row.addWidget(self.back_button)
        self.nav_row.addWidget(self.home_button)
        self.nav_row.addStretch(1)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(16)
        self.bottom = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.bottom.setSpacing(16)
        self.bottom.addLayout(self.nav_row, 1)
        self.bottom.addLayout(self.action_row)
        column = QVBoxLayout(self)
        column.setContentsMargins(28, 16, 28, 16)
        column.setSpacing(10)
        column.addWidget(self.title)
        column.addLayout(self.body, 1)
        column.addWidget(self.message)
        column.addLayout(self.bottom)

    def set_portrait(self, portrait: bool) -> None:
        self.bottom.setDirection(QBoxLayout.Direction.BottomToTop if portrait
                                 else QBoxLayout.Direction.LeftToRight)

    def add_action(self, text: str, name: str = "kioskAction") -> QPushButton:
        button = key_button(text, name)
        self.action_row.addWidget(button)
        return button

    def say(self, text: str, kind: str = "info") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


def unbroken(text: str) -> str:
    """Digits grouped by spaces (``15 000,00 ₽``) kept on one line: a sum must not break
    in the middle."""
    return re.sub(r"(?<=\d) (?=\d)", "\u00a0", text).replace(" ₽", "\u00a0₽")


class KioskLabel(QLabel):
    """A label whose sums never break over two lines (see :func:`unbroken`)."""

    def setText(self, text: str) -> None:
        super().setText(unbroken(text))


def big_label(text: str = "", name: str = "kioskText", *, center: bool = False) -> QLabel:
    label = KioskLabel(unbroken(text))
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if center:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
