"""The wallet's operations as the wallet service reports them (seed 002 §4.2.5): a table, the
filters the service takes (period, operation type) and paging.

The report is the service's, not the point's journal: it shows what was done with the wallet
anywhere — the person's own payments too. So it is asked for page by page (the service caps a
page at 100) and only when the cashier asks: «Показать», or «‹» / «›». A filter that cannot
be a request (the start after the end) is said under the filters before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.text import money
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.tables import RIGHT, Column, ColumnFit
from cashier_app.wallet_api.models import OPERATION_TYPES, Operation, ReportFilter, ReportPage

from .action_dialog import TYPE_WORDS, error_text

PAGE_SIZE = 20
COLUMNS = (Column("Дата и время", 170, 150), Column("Тип", 130, 100),
           Column("Описание", 360, 140, stretch=True), Column("Сумма", 140, 110),
           Column("Получатель (ТСП)", 220, 110))
_ROOT = QModelIndex()
Fetch = Callable[[ReportFilter], Awaitable[ReportPage]]


class OperationsModel(QAbstractTableModel):
    """The report's rows: date, type in words, description, amount, the payee."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations: tuple[Operation, ...] = ()

    def show(self, operations: tuple[Operation, ...]) -> None:
        self.beginResetModel()
        self.operations = operations
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.operations)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[section].title
        return None

    def cells(self, row: int) -> list[str]:
        operation = self.operations[row]
        return [operation.operation_date.strftime("%d.%m.%Y %H:%M:%S"),
                TYPE_WORDS.get(operation.operation_type, operation.operation_type),
                operation.description, money(operation.amount), operation.tsp or ""]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.operations):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(index.row())[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return RIGHT
        if role == Qt.ItemDataRole.UserRole:
            return self.operations[index.row()].operation_type
        return None


class ReportView(QWidget):
    """Filters, the table, the pages; ``fetch`` asks the service for one page."""

    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletReport")
        self.fetch: Fetch | None = None
        self.task: asyncio.Future[None] | None = None
        self.page = 0
        self.total: int | None = None
        self.shown: ReportPage | None = None
        self.title = QLabel(self.tr("Отчёт операций"))
        self.title.setObjectName("panelTitle")
        self.title.setWordWrap(True)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
        self.kind = QComboBox()
        self.kind.setObjectName("reportType")
        self.kind.addItem(self.tr("все операции"), "")
        for name in OPERATION_TYPES:
            self.kind.addItem(self.tr(TYPE_WORDS[name]), name)
        self.show_button = QPushButton(self.tr("Показать  ⏎"))
        self.show_button.setObjectName("checkButton")
        self.show_button.clicked.connect(lambda: self.start(0))
        self.back_button = QPushButton(self.tr("‹ К карточке  Esc"))
        self.back_button.clicked.connect(self.back)
        filters = QHBoxLayout()
        for text, widget in ((self.tr("с"), self.date_from), (self.tr("по"), self.date_to),
                             (self.tr("тип"), self.kind)):
            filters.addWidget(QLabel(text))
            filters.addWidget(widget)
        filters.addWidget(self.show_button)
        filters.addStretch(1)
        filters.addWidget(self.back_button)
        self.model = OperationsModel(self)
        self.table = QTableView()
        self.table.setObjectName("walletReportTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.column_fit = ColumnFit(self.table, COLUMNS)
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)
        self.previous_button = QPushButton(self.tr("‹ Назад"))
        self.previous_button.clicked.connect(lambda: self.start(self.page - 1))
        self.next_button = QPushButton(self.tr("Вперёд ›"))
        self.next_button.clicked.connect(lambda: self.start(self.page + 1))
        self.page_label = QLabel("")
        paging = QHBoxLayout()
        paging.addWidget(self.message, 1)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        column.addLayout(paging)
        self._paging()

    def open_for(self, title: str, fetch: Fetch) -> asyncio.Future[None]:
        """A new wallet's report: its first page with the filters as they are."""
        self.title.setText(self.tr("Отчёт операций: {0}").format(title))
        self.fetch = fetch
        self.model.show(())
        self.total, self.shown = None, None
        return self.start(0)

    def current_filter(self, page: int) -> ReportFilter:
        """The filters as a request (WalletInputError when they cannot be one)."""
        first: date = self.date_from.date().toPython()  # type: ignore[assignment]
        last: date = self.date_to.date().toPython()  # type: ignore[assignment]
        kind = str(self.kind.currentData() or "") or None
        return ReportFilter(date_from=datetime.combine(first, time(0, 0, 0)),
                            date_to=datetime.combine(last, time(23, 59, 59)),
                            operation_type=kind, page=max(0, page), size=PAGE_SIZE)

    def start(self, page: int) -> asyncio.Future[None]:
        if self.task is not None and not self.task.done():
            return self.task
        self.task = asyncio.ensure_future(self.load(page))
        return self.task

    async def load(self, page: int) -> None:
        if self.fetch is None:
            return
        try:
            flt = self.current_filter(page)
        except Exception as error:  # the filter is said wrong where it was typed
            say(self.message, error_text(error), "error")
            return
        say(self.message, self.tr("Запрашиваем отчёт…"), "info")
        for button in (self.show_button, self.previous_button, self.next_button):
            button.setEnabled(False)
        try:
            answer = await self.fetch(flt)
        except Exception as error:  # the table stays as it was; the reason is said
            say(self.message, self.tr("Отчёт не получен: {0}").format(error_text(error)),
                "error")
            self.show_button.setEnabled(True)
            self._paging()
            return
        self.show_button.setEnabled(True)
        self.shown, self.page, self.total = answer, answer.page, answer.total
        self.model.show(answer.content)
        say(self.message, "" if answer.content else self.tr("За этот период операций нет"),
            "" if answer.content else "info")
        self._paging()

    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // PAGE_SIZE))

    def _paging(self) -> None:
        pages = self.pages()
        shown = self.shown
        more = (self.page + 1 < pages) if pages is not None else (
            shown is not None and len(shown.content) >= PAGE_SIZE)
        self.previous_button.setEnabled(self.page > 0 and shown is not None)
        self.next_button.setEnabled(bool(more))
        if shown is None:
            self.page_label.setText("")
        elif pages is None:
            self.page_label.setText(self.tr("Страница {0}").format(self.page + 1))
        else:
            self.page_label.setText(self.tr("Страница {0} из {1} · операций: {2}").format(
                self.page + 1, pages, self.total))
