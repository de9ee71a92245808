"""Tables that fit the window they are in.

A table whose columns are sized to their contents grows with its longest service name or
server message, and the whole window grows with it: at 1366×768 the buttons and the status
bar end up off the screen. Here every column has a preferred and a smallest width; the
columns share exactly the width the table is given (the spare room goes to the columns that
can use it, a shortage is taken from the columns that can give it), a text that does not fit
is elided (``…``) and its tooltip shows it whole. The table never asks for more width than
its smallest columns, so it never pushes its window wider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
)

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: Text colours by meaning (the style sheet's palette): a cash difference, a refusal.
MEANING_COLOURS = {"ok": QColor("#0f5132"), "warn": QColor("#8a5a00"),
                   "error": QColor("#b00020")}


@dataclass(frozen=True)
class Column:
    """A column's title, its preferred width, the least it shrinks to while others still can
    give, the floor it may go down to when the table is really narrow (long texts: names,
    messages), and whether it takes the spare room."""

    title: str
    preferred: int
    least: int = 0
    stretch: bool = False
    floor: int = 0

    @property
    def smallest(self) -> int:
        return self.least or self.preferred

    @property
    def lowest(self) -> int:
        return self.floor or self.smallest


def _shrink(widths: list[int], limits: list[int], excess: int) -> list[int]:
    """Take ``excess`` pixels from ``widths``, each in proportion to what it can give above
    its limit (the caller makes sure they can give it all)."""
    room = [w - limit for w, limit in zip(widths, limits, strict=True)]
    total = sum(room)
    cut = [excess * r // total for r in room] if total else [0] * len(room)
    left = excess - sum(cut)
    for i in sorted(range(len(widths)), key=lambda i: -room[i]):
        if left <= 0:
            break
        if cut[i] < room[i]:
            cut[i] += 1
            left -= 1
    return [w - c for w, c in zip(widths, cut, strict=True)]


def fit_widths(available: int, columns: Sequence[Column]) -> list[int]:
    """Widths that add up to at most ``available``: preferred ones and the spare room for the
    stretching columns when they fit; else each shrinks in proportion to how much it can
    give (to its least width, then long texts to their floor); below that, all shrink alike
    (texts elide; never a scroll bar)."""
    if not columns:
        return []
    widths = [column.preferred for column in columns]
    spare = available - sum(widths)
    if spare >= 0:
        takers = [i for i, column in enumerate(columns) if column.stretch] or [len(columns) - 1]
        for n, i in enumerate(takers):
            widths[i] += spare // len(takers) + (1 if n < spare % len(takers) else 0)
        return widths
    for limits in ([column.smallest for column in columns],
                   [column.lowest for column in columns]):
        excess = sum(widths) - available
        if sum(widths) - sum(limits) >= excess:
            return _shrink(widths, limits, excess)
        widths = limits
    scale = max(available, 0) / sum(widths)
    return [max(16, int(width * scale)) for width in widths]


class ElidedTips(QStyledItemDelegate):
    """Cells draw one line, elided at the right; hovering a cut text shows it whole."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            own = index.data(Qt.ItemDataRole.ToolTipRole)
            text = own or cut_text(view, index)
            if text:
                QToolTip.showText(event.globalPos(), str(text), view)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().helpEvent(event, view, option, index)


def cut_text(view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex) -> str:
    """The cell's whole text when its column is too narrow to show it; empty otherwise."""
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not text:
        return ""
    text = str(text)
    width = view.visualRect(index).width() - 12  # the style's text margins
    return text if QFontMetrics(view.font()).horizontalAdvance(text) > width else ""


class ColumnFit(QObject):
    """Keeps ``view``'s columns fitted to its viewport as the window is resized."""

    def __init__(self, view: QTableView, columns: Sequence[Column]) -> None:
        super().__init__(view)
        self.view = view
        self.columns = list(columns)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # a drag is kept
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(16)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        # the style sheet's side padding is not counted when a title is elided: the elided
        # title would be clipped; this header keeps its titles clear of the borders itself
        header.setObjectName("fittedHeader")
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setItemDelegate(ElidedTips(view))
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        view.viewport().installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        header = self.view.horizontalHeader()
        for section, width in enumerate(fit_widths(self.view.viewport().width(),
                                                   self.columns)):
            header.resizeSection(section, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.apply()
        return False


def fitted_table(columns: Sequence[Column], name: str) -> QTableWidget:
    """A read-only table of whole rows, one selected at a time, its columns fitted."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels([column.title for column in columns])
    for section, column in enumerate(columns):
        header_item = table.horizontalHeaderItem(section)
        if header_item is not None:
            header_item.setToolTip(column.title)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.column_fit = ColumnFit(table, columns)  # type: ignore[attr-defined]
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]], right: tuple[int, ...] = ()
         ) -> None:
    """Replace the rows; columns in ``right`` (amounts) are aligned right."""
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in right:
                item.setTextAlignment(RIGHT)
            table.setItem(row, column, item)

