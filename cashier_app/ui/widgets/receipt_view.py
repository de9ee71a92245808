"""A receipt on screen exactly as it will print: the laid-out lines in a monospace font, bold
and double-height where the paper has them, the QR code drawn where it will be."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from cashier_app.receipts.escpos_render import qr_code
from cashier_app.receipts.layout import Line
from cashier_app.receipts.service import ReceiptService

#: a window manager's title bar and borders, not known before the dialog is shown
FRAME_ROOM = QSize(16, 40)


def qr_qimage(text: str, scale: int = 4) -> QImage:
    """The QR code as a QImage, drawn module by module (crisp at any size); the same code
    as on paper."""
    matrix = qr_code(text).get_matrix()
    size = len(matrix)
    image = QImage(size * scale, size * scale, QImage.Format.Format_Mono)
    image.fill(0)
    image.setColor(0, 0xFFFFFFFF)
    image.setColor(1, 0xFF000000)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        image.setPixel(x * scale + dx, y * scale + dy, 1)
    return image


class ReceiptView(QTextBrowser):
    """The paper strip: as wide as the printer's columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptView")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(11)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.lines: list[Line] = []

    def show_lines(self, lines: list[Line], columns: int) -> None:
        self.lines = lines
        document = self.document()
        parts = []
        for number, line in enumerate(lines):
            if line.qr is not None:
                url = QUrl(f"qr://{number}")
                document.addResource(3, url, qr_qimage(line.qr))  # 3: ImageResource
                parts.append(f'<div align="center"><img src="{url.toString()}"></div>')
                continue
            text = html.escape(line.text) or "&nbsp;"
            if line.big:
                text = f'<span style="font-size:large">{text}</span>'
            if line.bold:
                text = f"<b>{text}</b>"
            parts.append(f'<pre style="margin:0">{text}</pre>')
        self.setHtml("".join(parts))
        width = QFontMetrics(self.font()).horizontalAdvance("M" * columns)
        self.setMinimumWidth(width + 40)

    def plain_text(self) -> str:
        return "\n".join(f"[QR: {line.qr}]" if line.qr is not None else line.text
                         for line in self.lines)


class ReceiptDialog(QDialog):
    """«Чек на экране»: the preview and a button that prints it."""

    def __init__(self, title: str, lines: list[Line], columns: int, *,
                 on_print: Callable[[], None] | None, note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.view = ReceiptView()
        self.view.show_lines(lines, columns)
        self.note = QLabel(note)
        self.note.setObjectName("receiptNote")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.print_button = QPushButton(self.tr("Печать  Ctrl+P"))
        self.print_button.setEnabled(on_print is not None)
        if on_print is not None:
            self.print_button.clicked.connect(on_print)
            QShortcut(QKeySequence("Ctrl+P"), self, on_print)
        close = QPushButton(self.tr("Закрыть  Esc"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        column = QVBoxLayout(self)
        column.addWidget(self.view, 1)
        column.addWidget(self.note)
        column.addLayout(buttons)
        self.resize(self.view.minimumWidth() + 40, 720)
        fit_on_screen(self)


def fit_on_screen(dialog: QWidget) -> None:
    """Never taller or wider than the screen's free area, frame included: at 1366×768 a
    720 px receipt with its title bar went under the task bar, and its buttons with it."""
    screen = dialog.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    room = screen.availableGeometry().size() - FRAME_ROOM
    dialog.resize(dialog.size().boundedTo(room))


def open_payment_receipt(parent: QWidget, receipts: ReceiptService, agent_transaction_id: int,
                         on_print: Callable[[], None]) -> ReceiptDialog:
    """Open «Чек на экране» for a payment (the panel's F7 and «Сегодня»). Raises
    ReceiptError for a payment that has no receipt."""
    stored = receipts.payment_document(agent_transaction_id)
    dialog = ReceiptDialog(parent.tr("Чек № {0}").format(stored.number), receipts.lines(stored),
                           receipts.printer.columns, on_print=on_print, parent=parent)
    dialog.open()
    return dialog
