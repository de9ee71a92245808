"""The supervisor's journal: a period with filters and search, the lazy table
(:mod:`.journal_model`), the totals of what is shown, export to CSV/XLSX.

Totals and export run in a worker thread on a read-only connection of their own, so the
window answers while they work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.money import AmountError, parse_user_amount
from cashier_app.core.states import STATE_TITLES, State
from cashier_app.core.text import money
from cashier_app.journal import Journal, export, query
from cashier_app.journal.query import ACCEPTED_STATES, JournalFilter, Totals
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.tables import RIGHT, ColumnFit

from .journal_model import COLUMNS, TIME_OF_DAY, JournalModel, service_text, with_reader

log = logging.getLogger(__name__)
ACCEPTED_NOTE = ("Суммы — только принятые деньги: платежи в обработке и оплаченные. Деньги "
                 "не проведённых возвращены клиенту; неоплаченные QR-коды, не прошедшие "
                 "проверку и отменённые платежи денег не брали — они только в числе платежей")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class JournalView(QWidget):
    """The period, filters and search above; the table; the totals and export below."""

    details_requested = Signal(object)  # agentTransactionId
    exported = Signal(str, int, str)  # format, count, path: the window audits it

    def __init__(self, journal: Journal, parent: QWidget | None = None,
                 *, today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.journal = journal
        self.model = JournalModel(journal, self)
        self.totals: Totals | None = None
        self.tasks: set[asyncio.Future[Any]] = set()
        self._generation = 0
        day = today()
        self.first = QDateEdit(_qdate(day))
        self.last = QDateEdit(_qdate(day))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
            edit.dateChanged.connect(self.apply)
        self.state = QComboBox()
        self.state.addItem("все состояния", None)
        for state in State:
            self.state.addItem(STATE_TITLES.get(state, str(state)), str(state))
        self.service = QComboBox()
        self.cashier = QComboBox()
        self.fill_choices()
        for combo, letters in ((self.state, 14), (self.service, 18), (self.cashier, 14)):
            # a long service name must not widen the window: the box elides, its list is wide
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(letters)
            combo.view().setMinimumWidth(360)
            combo.currentIndexChanged.connect(self.apply)
        self.amount_min = QLineEdit()
        self.amount_max = QLineEdit()
        for line, hint in ((self.amount_min, "сумма от"), (self.amount_max, "до")):
            line.setPlaceholderText(hint)
            line.setMaximumWidth(110)
        self.search = QLineEdit()
        self.search.setObjectName("journalSearch")
        self.search.setPlaceholderText("Поиск: начало номера счёта, номер платежа или номер "
                                       "операции")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply)
        for line in (self.search, self.amount_min, self.amount_max):
            line.textChanged.connect(lambda _text: self._debounce.start())
            line.returnPressed.connect(self.apply)
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)

        self.table = QTableView()
        self.table.setObjectName("journalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.column_fit = ColumnFit(self.table, COLUMNS)
        self.table.doubleClicked.connect(lambda index: self._details(index.row()))
        self.table.activated.connect(lambda index: self._details(index.row()))

        self.count_label = QLabel("")
        self.count_label.setObjectName("journalCount")
        self.totals_tree = QTreeWidget()
        self.totals_tree.setObjectName("journalTotals")
        self.totals_tree.setHeaderLabels(["Итоги показанного", "Платежей", "К зачислению",
                                          "С клиента", "Комиссия"])
        self.totals_tree.headerItem().setToolTip(3, ACCEPTED_NOTE)
        self.totals_tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.totals_tree.setRootIsDecorated(True)
        self.totals_tree.setUniformRowHeights(True)
        totals_header = self.totals_tree.header()
        totals_header.setStretchLastSection(False)
        totals_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            totals_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            totals_header.resizeSection(column, 150 if column == 1 else 130)
        self.details_button = QPushButton("Подробно  ⏎")
        self.details_button.clicked.connect(
            lambda: self._details(self.table.currentIndex().row()))
        self.csv_button = QPushButton("В CSV…")
        self.csv_button.clicked.connect(lambda: self.ask_export("csv"))
        self.xlsx_button = QPushButton("В XLSX…")
        self.xlsx_button.clicked.connect(lambda: self.ask_export("xlsx"))

        filters = QHBoxLayout()
        filters.addWidget(QLabel("с"))
        filters.addWidget(self.first)
        filters.addWidget(QLabel("по"))
        filters.addWidget(self.last)
        for widget in (self.state, self.service, self.cashier, self.amount_min,
                       self.amount_max):
            filters.addWidget(widget)
        filters.addStretch(1)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for button in (self.details_button, self.csv_button, self.xlsx_button):
            buttons.addWidget(button)
        lower = QWidget()
        lower_column = QVBoxLayout(lower)
        lower_column.setContentsMargins(0, 0, 0, 0)
        lower_column.addWidget(self.totals_tree)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([480, 200])
        page = QVBoxLayout(self)
        page.addLayout(filters)
        page.addLayout(search_row)
        page.addWidget(splitter, 1)
        page.addLayout(buttons)
        self.apply()

    # --- filter ---------------------------------------------------------------------------
    def fill_choices(self) -> None:
        """The services and cashiers the journal has (read once; F5 in the window reads
        again)."""
        for combo, first, items in (
                (self.service, "все услуги", [(f"{name} ({sid})", sid)
                                              for sid, name in query.services(self.journal)]),
                (self.cashier, "все кассиры", [(name, name)
                                               for name in query.cashiers(self.journal)])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for text, value in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)

    def current_filter(self) -> JournalFilter:
        """The filter as the supervisor set it; AmountError (Russian) for a bad amount."""
        first, last = _day(self.first), _day(self.last)
        if last < first:
            raise AmountError("Конец периода раньше начала")
        bounds = []
        for edit in (self.amount_min, self.amount_max):
            text = edit.text().strip()
            bounds.append(parse_user_amount(text) if text else None)
        state = self.state.currentData()
        return JournalFilter(first, last, State(state) if state else None,
                             self.service.currentData(), self.cashier.currentData(),
                             bounds[0], bounds[1], self.search.text().strip() or None)

    def apply(self) -> None:
        """Show the filter: the count and the first rows now, the totals when ready."""
        self._debounce.stop()
        try:
            chosen = self.current_filter()
        except AmountError as error:
            say(self.message, str(error), "error")
            return
        say(self.message, "")
        self.model.one_day = chosen.first == chosen.last
        self.column_fit.columns[0] = TIME_OF_DAY if self.model.one_day else COLUMNS[0]
        self.column_fit.apply()
        self.model.set_filter(chosen)
        self.count_label.setText(f"Показано платежей: {self.model.total}")
        if self.model.total:
            self.table.selectRow(0)
        self._start_totals(chosen)

    def follow(self) -> None:
        """The journal changed (the bridge's coalesced refresh): the rows are counted and
        read again; the payment chosen stays chosen when it is among the first rows."""
        if self.model.chosen is None:
            return
        chosen = self.selected_id()
        self.model.reload()
        self.count_label.setText(f"Показано платежей: {self.model.total}")
        row = self.model.row_of(chosen) if chosen is not None else None
        if row is not None:
            self.table.selectRow(row)

    def set_period(self, first: date, last: date) -> None:
        for edit, day in ((self.first, first), (self.last, last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)
        self.apply()

    # --- totals ---------------------------------------------------------------------------
    def _start_totals(self, chosen: JournalFilter) -> None:
        self._generation += 1
        generation = self._generation
        self.totals = None
        self.totals_tree.clear()
        QTreeWidgetItem(self.totals_tree, ["Итоги считаются…"])
        task = asyncio.ensure_future(self._totals(chosen, generation))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _totals(self, chosen: JournalFilter, generation: int) -> None:
        try:
            totals = await asyncio.to_thread(with_reader, self.journal.path,
                                             lambda reader: query.totals(reader, chosen))
        except Exception:
            log.exception("journal totals failed")
            if generation == self._generation:
                self.totals_tree.clear()
                QTreeWidgetItem(self.totals_tree, ["Итоги не посчитаны (подробности в журнале "
                                                   "программы)"])
            return
        if generation != self._generation:
            return  # the supervisor changed the filter meanwhile
        self.show_totals(totals)

    def show_totals(self, totals: Totals) -> None:
        """«Всего», by state and by service: every payment counted, money only where it was
        accepted (a refused payment's cash went back; see ACCEPTED_NOTE)."""
        self.totals = totals
        tree = self.totals_tree
        tree.setUpdatesEnabled(False)
        tree.clear()

        def add(parent: QTreeWidget | QTreeWidgetItem, title: str, sums: query.Sums, *,
                kept: bool = True) -> QTreeWidgetItem:
            counted = str(sums.count) if sums.accepted in (0, sums.count) or not kept else (
                f"{sums.count} (принято {sums.accepted})")
            amounts = ([money(value, rub=False) for value in (
                sums.amount_to, sums.amount_from, sums.commission)] if kept else ["—"] * 3)
            item = QTreeWidgetItem([title, counted, *amounts])
            for column in range(1, 5):
                item.setTextAlignment(column, RIGHT)
            item.setToolTip(0, title)
            if not kept:
                for column in range(2, 5):
                    item.setToolTip(column, "Деньги не приняты — в суммы не входят")
            if isinstance(parent, QTreeWidget):
                parent.addTopLevelItem(item)
            else:
                parent.addChild(item)
            return item

        everything = add(tree, "Всего", totals.all)
        font = everything.font(0)
        font.setBold(True)
        for column in range(5):
            everything.setFont(column, font)
            everything.setToolTip(column, ACCEPTED_NOTE)
        states = add(tree, "По состоянию", totals.all)
        for state, sums in totals.by_state.items():
            add(states, STATE_TITLES.get(state, str(state)), sums,
                kept=state in ACCEPTED_STATES)
        services = add(tree, "По услугам", totals.all)
        for service_id, name, sums in totals.by_service:
            add(services, service_text(name, service_id), sums)
        states.setExpanded(True)
        services.setExpanded(len(totals.by_service) <= 12)
        tree.setUpdatesEnabled(True)

    async def wait_totals(self) -> None:
        """For tests and the benchmark."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    # --- details and export ---------------------------------------------------------------
    def _details(self, row: int) -> None:
        tx_id = self.model.agent_transaction_id(row)
        if tx_id is not None:
            self.details_requested.emit(tx_id)

    def selected_id(self) -> int | None:
        return self.model.agent_transaction_id(self.table.currentIndex().row())

    def ask_export(self, kind: str) -> None:
        try:
            chosen = self.current_filter()
        except AmountError as error:
            say(self.message, str(error), "error")
            return
        name = f"журнал_{chosen.first:%Y-%m-%d}_{chosen.last:%Y-%m-%d}.{kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, "Выгрузка журнала", str(Path.home() / name),
            "Excel (*.xlsx)" if kind == "xlsx" else "CSV для Excel (*.csv)")
        if path:
            self.start_export(kind, Path(path))

    def start_export(self, kind: str, path: Path) -> asyncio.Future[Any]:
        chosen = self.current_filter()
        task = asyncio.ensure_future(self._export(kind, path, chosen))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _export(self, kind: str, path: Path, chosen: JournalFilter) -> None:
        write = export.write_xlsx if kind == "xlsx" else export.write_csv
        say(self.message, f"Выгрузка в {path.name}…", "info")
        for button in (self.csv_button, self.xlsx_button):
            button.setEnabled(False)
        try:
            count = await asyncio.to_thread(
                with_reader, self.journal.path,
                lambda reader: write(query.records(reader, chosen), path))
        except OSError as error:
            say(self.message, f"Не удалось записать {path}: {error.strerror or error}",
                "error")
            return
        finally:
            for button in (self.csv_button, self.xlsx_button):
                button.setEnabled(True)
        say(self.message, f"Выгружено платежей: {count} → {path}", "ok")
        self.exported.emit(kind, count, str(path))
