"""A QR code painted module by module from its text (the same ``qrcode`` matrix as on paper)
with whole-pixel modules and a four-module quiet zone, so it stays sharp and scannable at any
size — the cashier's QR screen and the customer display both show it."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from cashier_app.receipts.escpos_render import qr_code

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


class QrCodeWidget(QWidget):
    """A QR code of ``text``, as large as the widget allows, on white."""

    def __init__(self, minimum: int = 200, maximum: int = 16777215,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self._text = ""
        self._matrix: list[list[bool]] = []
        self.setMinimumSize(minimum, minimum)
        self.setMaximumSize(maximum, maximum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            # the paper's matrix has a 1-module border; the quiet zone is painted here
            self._matrix = ([row[1:-1] for row in qr_code(text).get_matrix()[1:-1]]
                            if text else [])
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def code_rect(self) -> QRect:
        """Where the code (with its quiet zone) is painted: a square of whole modules."""
        side = min(self.width(), self.height())
        count = len(self._matrix) + 2 * QUIET_ZONE
        module = max(1, side // count) if self._matrix else 1
        size = module * count
        return QRect((self.width() - size) // 2, (self.height() - size) // 2, size, size)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._matrix:
            return
        painter = QPainter(self)
        area = self.code_rect()
        painter.fillRect(area, QColor("white"))
        module = area.width() // (len(self._matrix) + 2 * QUIET_ZONE)
        left = area.left() + QUIET_ZONE * module
        top = area.top() + QUIET_ZONE * module
        black = QColor("black")
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(left + x * module, top + y * module, module, module, black)
        painter.end()
