"""The supervisor's journal as a lazy table model over SQLite: it knows only how many rows
the filter has and reads a page of rows when the view paints it, keeping a few pages — a year
is hundreds of thousands of payments and none of them is loaded to show the first screen.

The model is tested without a view (tests/gui/test_journal_model.py); the view is
:mod:`.journal_view`. Whole-period reads (totals, export, the integrity check) run on a
read-only connection of their own in a worker thread (:func:`with_reader`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from cashier_app.core.states import STATE_TITLES, State
from cashier_app.core.text import moment, money
from cashier_app.journal import Journal, export, query
from cashier_app.journal.query import VIEW_COLUMNS, JournalFilter
from cashier_app.ui.widgets.tables import Column

PAGE = 200
KEEP_PAGES = 30
_AT = {name: index for index, name in enumerate(VIEW_COLUMNS)}
#: (column, name in VIEW_COLUMNS, kind, what the header's tooltip says). Widths fit the
#: table (tables.ColumnFit): long names and messages elide, their tooltip shows them whole.
SHOWN = ((Column("Время", 172), "created_at", "time", ""),
         (Column("Кассир", 145, 115, floor=80), "cashier", "text", ""),
         (Column("Услуга", 200, 100, stretch=True, floor=70), "service_name", "service", ""),
         (Column("Счёт", 130, 90, floor=70), "account", "text", ""),
         (Column("К зачислению", 135, 95), "amount_to", "money", ""),
         (Column("Комиссия", 95, 80), "commission", "money", ""),
         (Column("С клиента", 100, 85), "amount_from", "money", ""),
         (Column("Оплата", 90, 88), "payment_method", "method", "Способ оплаты"),
         (Column("Состояние", 125, 105), "state", "state", ""),
         (Column("Код", 48, 45), "result", "text", "Код ответа процессинга"),
         (Column("Сообщение", 200, 90, stretch=True, floor=60), "result_message", "text",
          "Сообщение процессинга"),
         (Column("Номер платежа", 185), "agent_transaction_id", "text",
          "Номер платежа кассы (agentTransactionId)"),
         (Column("Номер операции", 150, 105), "transaction_id", "text",
          "Номер операции в процессинге (transactionId)"))
#: The time of a one-day period: the day is in the filter above, the column shows the time.
TIME_OF_DAY = Column("Время", 80)
COLUMNS = [column for column, *_ in SHOWN]
_ROOT = QModelIndex()


class JournalModel(QAbstractTableModel):
    """Rows of one filter, newest first, read a page at a time."""

    def __init__(self, journal: Journal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.chosen: JournalFilter | None = None
        self.total = 0
        self.pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self.page_reads = 0  # how many pages were read (the tests and the benchmark look)
        self.one_day = True  # the period is one day: times without the date

    def set_filter(self, chosen: JournalFilter) -> None:
        self.beginResetModel()
        self.chosen = chosen
        self.pages.clear()
        self.total = query.count(self.journal, chosen)
        self.endResetModel()

    def reload(self) -> None:
        if self.chosen is not None:
            self.set_filter(self.chosen)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(SHOWN)

    def row(self, number: int) -> tuple[Any, ...] | None:
        if self.chosen is None or not 0 <= number < self.total:
            return None
        first = number // PAGE
        rows = self.pages.get(first)
        if rows is None:
            rows = query.page(self.journal, self.chosen, first * PAGE, PAGE, total=self.total)
            self.page_reads += 1
            self.pages[first] = rows
            while len(self.pages) > KEEP_PAGES:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(first)
        offset = number - first * PAGE
        return rows[offset] if offset < len(rows) else None

    def agent_transaction_id(self, number: int) -> int | None:
        row = self.row(number)
        return int(row[_AT["agent_transaction_id"]]) if row else None

    def row_of(self, agent_transaction_id: int) -> int | None:
        """Where the payment is among the first page of rows (None: not there)."""
        for number in range(min(self.total, PAGE)):
            if self.agent_transaction_id(number) == agent_transaction_id:
                return number
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if SHOWN[index.column()][2] == "money":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        row = self.row(index.row())
        if row is None:
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        _, name, kind, _ = SHOWN[index.column()]
        if kind == "service":
            return service_text(row[_AT["service_name"]], row[_AT["service_id"]])
        if kind == "time" and self.one_day and row[_AT[name]]:
            return moment(str(row[_AT[name]]), seconds=True)[-8:]
        return cell_text(kind, row[_AT[name]])

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column, _, _, tip = SHOWN[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip or column.title
        return None


def service_text(name: str | None, service_id: str | None) -> str:
    """A service as the supervisor reads it: its name and code, ``МТС (P1012)``."""
    return f"{name} ({service_id})" if name else str(service_id or "")


def cell_text(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "time":
        return moment(str(value), seconds=True)
    if kind == "money":
        return money(Decimal(value), rub=False)
    if kind == "state":
        return STATE_TITLES.get(State(value), str(value))
    if kind == "method":
        return export.METHOD_WORDS.get(str(value), str(value))
    return str(value)


def with_reader(path: Path, work: Callable[[Journal], Any]) -> Any:
    """Run ``work`` on a read-only connection of its own (in a worker thread)."""
    reader = Journal.reader(path)
    try:
        return work(reader)
    finally:
        reader.close()
