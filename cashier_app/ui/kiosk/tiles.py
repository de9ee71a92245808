"""Large tiles in pages instead of a scrolled list: a finger cannot aim at a scroll bar, and a
person in a hurry does not look for one. The grid fits the screen (more columns in landscape,
more rows in portrait); «Ещё» and «Назад» turn the pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .keys import MIN_KEY, key_button


class TileButton(QPushButton):
    """A tile: its name wrapped over as many lines as it needs (a provider's name can be
    long), a smaller second line, the whole tile the touch target. The words always fit the
    tile: where the grid makes it small (a short screen, the demo's window), the type is made
    smaller until the longest word fits its width and every line its height — a name cut off
    is a name the person cannot read.

    Two labels: ``sizer`` in the tile's layout holds the words at full size, drawn clear —
    the layout sizes the tile by them exactly as by a plain label — and ``words`` over it,
    outside any layout, shows them at the size that fits. Were the shrunk words in the
    layout, a small tile would shrink its words, then itself, pass after pass."""

    MARGINS = (12, 8)  # left/right, top/bottom inside the border
    SMALLEST = 0.55  # of the style sheet's size: smaller than this is not read at arm's length

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("kioskTile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(MIN_KEY, MIN_KEY)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.sizer = self._label("kioskTileSizer")
        # the tile's size comes from the grid, not from its words (a wrapped label asks
        # for the height of its narrowest layout)
        self.sizer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        inside = QVBoxLayout(self)
        inside.setContentsMargins(self.MARGINS[0], self.MARGINS[1], *self.MARGINS)
        inside.addWidget(self.sizer)
        self.words = self._label("kioskTileText")
        self.sizer.installEventFilter(self)  # its font and place come with the style sheet
        self._name = self._hint = ""
        self.scale = 1.0  # the type's size now, of the style sheet's
        self._fitted: tuple[object, ...] | None = None  # what the words were last fitted to

    def _label(self, name: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)  # the same type either way (kiosk.qss)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        return label

    def set_tile(self, text: str, hint: str = "") -> None:
        self._name, self._hint = text, hint
        self.sizer.setText(self._html(None, clear=True) if text else "")
        self._fit()

    def text(self) -> str:
        return self._name + (f"\n{self._hint}" if self._hint else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.sizer and event.type() in (
                QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.FontChange,
                QEvent.Type.StyleChange, QEvent.Type.Polish):
            self._fit()
        return False

    def _html(self, size: int | None, *, clear: bool = False) -> str:
        hint = (f"<br><span style='font-weight:normal'>{escape(self._hint)}</span>"
                if self._hint else "")
        style = (f"font-size:{size}px;" if size else "") + ("color:transparent;" if clear
                                                           else "")
        return f"<div style='{style}'><b>{escape(self._name)}</b>{hint}</div>"

    def _fit(self) -> None:
        """The largest type, down to :attr:`SMALLEST`, at which the words fit inside —
        measured again only when the words, the room or the font changed (a tile is moved
        and resized many times while a screen is laid out; a move changes nothing here)."""
        place = self.sizer.geometry()
        self.words.setGeometry(place)
        fitted = (self._name, self._hint, place.width(), place.height(),
                  self.sizer.font().key())
        if fitted == self._fitted:
            return
        self._fitted = fitted
        base = self.sizer.font().pixelSize()
        if base <= 0:  # a point-sized font (no kiosk style sheet yet): as it is
            base = round(self.sizer.font().pointSizeF() * 96 / 72) or 16
        size = base
        if self._name and place.width() > 0 and place.height() > 0:
            document = QTextDocument()
            document.setDefaultFont(self.sizer.font())
            document.setDocumentMargin(0)
            smallest = max(8, round(base * self.SMALLEST))
            while size > smallest:
                document.setHtml(self._html(size))
                document.setTextWidth(place.width())
                if (document.idealWidth() <= place.width()
                        and document.size().height() <= place.height()):
                    break
                size -= 1
        self.scale = size / base
        self.words.setText(self._html(size) if self._name else "")
        self.words.raise_()


@dataclass(frozen=True)
class Tile:
    text: str
    data: Any
    hint: str = ""  # a second, smaller line (a service's group, an amount)


class TilePager(QWidget):
    """``chosen(data)`` when a tile is touched."""

    chosen = Signal(object)

    def __init__(self, *, portrait: bool = False, rows: int | None = None,
                 narrow: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskTiles")
        self.columns, self.rows = (2, 5) if portrait else (3, 3) if narrow else (4, 3)
        if rows is not None:
            self.rows = rows
        self.tiles: list[Tile] = []
        self.page = 0
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.buttons: list[TileButton] = []
        for index in range(self.columns * self.rows):
            button = TileButton()
            button.clicked.connect(lambda _=False, i=index: self._touched(i))
            self.grid.addWidget(button, index // self.columns, index % self.columns)
            self.buttons.append(button)
        for place in range(self.columns):
            self.grid.setColumnStretch(place, 1)
        for row in range(self.rows):
            self.grid.setRowStretch(row, 1)
        self.previous = key_button("◀  Назад", "kioskPageButton")
        self.next = key_button("Ещё  ▶", "kioskPageButton")
        self.previous.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next.clicked.connect(lambda: self.show_page(self.page + 1))
        self.where = QLabel("")
        self.where.setObjectName("kioskPageNumber")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        paging = QHBoxLayout()
        paging.addWidget(self.previous)
        paging.addWidget(self.where, 1)
        paging.addWidget(self.next)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.grid, 1)
        column.addLayout(paging)
        self.empty = QLabel("")
        self.empty.setObjectName("kioskEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        column.addWidget(self.empty)
        self.empty.hide()

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.tiles) // self.per_page))

    def set_tiles(self, tiles: Sequence[Tile], empty_text: str = "Ничего не найдено") -> None:
        self.tiles = list(tiles)
        self.empty.setText(empty_text)
        self.empty.setVisible(not self.tiles)
        self.show_page(0)

    def show_page(self, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        start = self.page * self.per_page
        shown = self.tiles[start:start + self.per_page]
        for index, button in enumerate(self.buttons):
            if index < len(shown):
                tile = shown[index]
                button.set_tile(tile.text, tile.hint)
                button.setEnabled(True)
                button.setProperty("blank", False)
            else:
                button.set_tile("")
                button.setEnabled(False)
                button.setProperty("blank", True)
            button.style().unpolish(button)
            button.style().polish(button)
        several = self.pages > 1
        self.previous.setVisible(several)
        self.next.setVisible(several)
        self.previous.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < self.pages - 1)
        self.where.setText(f"{self.page + 1} из {self.pages}" if several else "")

    def visible_texts(self) -> list[str]:
        return [b.text().split("\n")[0] for b in self.buttons if b.isEnabled()]

    def _touched(self, index: int) -> None:
        position = self.page * self.per_page + index
        if position < len(self.tiles):
            self.chosen.emit(self.tiles[position].data)
