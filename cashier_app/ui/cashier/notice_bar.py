"""The notice row above the cashier's pages: news the cashier must see wherever they are — a
payment settled in the background, a settings warning, a shift closed by the supervisor.

It sits above every page (log-in and shift pages too) and never covers the status bar's
fields. A notice may say what it is about (a payment as it was, a receipt, the start-up
recovery), so the window takes it down once it is no longer true: «Дождитесь ответа…» goes
when the answer has come.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from cashier_app.journal import PaymentRecord

#: A word longer than this in a notice (a file path, an address) is given places to wrap: a
#: word-wrapped label is never narrower than its longest word, and the row's × would be
#: pushed off the screen.
_LONG_WORD = 40

#: What a notice is about: ("payment", id, state), ("receipt", id), ("pending",) or None.
About = tuple[Any, ...] | None


def breakable(text: str) -> str:
    """``text`` with zero-width spaces in words longer than :data:`_LONG_WORD` (after each
    ``/``, ``\\``, ``.``, ``_`` or every 20 characters), so a label can wrap them."""
    words = []
    for word in text.split(" "):
        if len(word) > _LONG_WORD:
            out, run = [], 0
            for char in word:
                out.append(char)
                run += 1
                if char in "/\\._-" or run >= 20:
                    out.append("\u200b")
                    run = 0
            word = "".join(out)
        words.append(word)
    return " ".join(words)


class NoticeBar(QWidget):
    """One notice at a time (a new one replaces it), coloured by ``kind``; × hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeRow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        #: every notice shown, oldest first (tests and the log read them)
        self.notices: list[str] = []
        self.about: About = None
        self.label = QLabel("")
        self.label.setObjectName("notice")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        policy = self.label.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # wraps, never widens the row
        self.label.setSizePolicy(policy)
        self.close_button = QPushButton("✕")
        self.close_button.setObjectName("noticeClose")
        self.close_button.setToolTip(self.tr("Скрыть уведомление"))
        self.close_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.close_button.clicked.connect(self.take_down)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def put_up(self, text: str, kind: str = "info",
               about: PaymentRecord | tuple[Any, ...] | None = None) -> None:
        """Show ``text`` (it replaces the notice shown). ``about`` — the payment (as it is
        now), ``("receipt", id)`` or ``("pending",)`` — lets the window take it down once
        what it says is no longer so."""
        self.notices.append(text)
        if isinstance(about, PaymentRecord):
            about = ("payment", about.agent_transaction_id, about.state)
        self.about = about
        self.label.setText(breakable(text))
        self.label.setToolTip(text)
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.style().polish(self.label)
        self.show()

    def take_down(self) -> None:
        self.about = None
        self.hide()

    def outdated_by(self, record: PaymentRecord) -> None:
        """The payment changed: a notice about it as it was is taken down (the news that
        follows, if any, is put up by the window)."""
        about = self.about
        if about is not None and about[0] == "payment" and (
                about[1] == record.agent_transaction_id and about[2] is not record.state):
            self.take_down()

    def take_down_if(self, about: tuple[Any, ...]) -> None:
        """Take the notice down if it is about ``about`` (what it said is over)."""
        if self.about == about:
            self.take_down()
