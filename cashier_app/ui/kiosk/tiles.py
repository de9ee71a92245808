"""Large tiles in pages instead of a scrolled list: a finger cannot aim at a scroll bar, and a
person in a hurry does not look for one. The grid fits the screen (more columns in landscape,
more rows in portrait); «Ещё» and «Назад» turn the pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
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
    long), a smaller second line, the whole tile the touch target."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("kioskTile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(MIN_KEY, MIN_KEY)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.label = QLabel("", self)
        self.label.setObjectName("kioskTileText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # the tile's size comes from the grid, not from its words (a wrapped label asks
        # for the height of its narrowest layout)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        inside = QVBoxLayout(self)
        inside.setContentsMargins(12, 8, 12, 8)
        inside.addWidget(self.label)
        self._text = ""

    def set_tile(self, text: str, hint: str = "") -> None:
        self._text = text + (f"\n{hint}" if hint else "")
        self.label.setText(f"<b>{escape(text)}</b>" + (
            f"<br><span style='font-weight:normal'>{escape(hint)}</span>" if hint else ""))

    def text(self) -> str:
        return self._text


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
