"""The cashier's «Сегодня»: today's payments, newest first, with the day's totals; the
attempts of the payment chosen below them.

The day's totals are counted by the same function as the X and Z reports
(:func:`cashier_app.receipts.shift_report.shift_totals`), so the screen and the paper agree. The
list only redraws: it follows the bridge's coalesced ``refresh`` while it is on screen, and
is read again when it comes back on screen after a change.

The table's columns share the width they are given (at 1366×768 too): long names and
messages elide, their tooltip shows them whole.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.states import STATE_TITLES, UNSETTLED, State
from cashier_app.core.text import money
from cashier_app.journal import Journal, PaymentRecord, query
from cashier_app.journal.query import JournalFilter
from cashier_app.receipts.shift_report import ShiftTotals, shift_totals
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.widgets.attempt_text import attempt_cells
from cashier_app.ui.widgets.tables import RIGHT, Column, fitted_table


def state_title(record: PaymentRecord) -> str:
    """The state as the cashier reads it; a QR СБП payment and a wallet operation say so."""
    title = STATE_TITLES.get(record.state, str(record.state))
    if record.by_qr and record.state is not State.QR_WAITING:
        title += " (QR)"
    elif record.by_wallet:
        title += " (кошелёк)"
    elif record.by_card and record.state is not State.QR_WAITING:
        title += " (карта)"
    return title

class TodayPage(QWidget):
    """The cashier's payments today, newest first; a payment's attempts below it."""

    COLUMNS = ("Время", "Услуга", "Счёт", "К зачислению", "Комиссия", "Принято", "Состояние",
               "Ответ процессинга", "Номер операции", "Чек")
    #: Widths (preferred, least) of COLUMNS; names and messages take the spare room.
    WIDTHS = ((80, 72), (200, 90), (120, 85), (135, 128), (95, 85), (100, 85), (130, 100),
              (240, 90), (155, 150), (110, 100))
    print_requested = Signal(object)  # agentTransactionId: 64-bit, too big for a C int
    preview_requested = Signal(object)

    def __init__(self, journal: Journal, receipts: object | None = None,
                 parent: QWidget | None = None, *, bridge: EngineBridge | None = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.cashier = ""
        self.records: list[PaymentRecord] = []
        self.only_pending = QCheckBox(self.tr("Только «в обработке»"))
        self.only_pending.toggled.connect(self.reload)
        self.summary = QLabel("")
        self.summary.setObjectName("todaySummary")
        self.summary.setWordWrap(True)
        self.table = fitted_table(
            [Column(self.tr(title), preferred, least, stretch=index in (1, 7))
             for index, (title, (preferred, least)) in enumerate(zip(self.COLUMNS,
                                                                     self.WIDTHS,
                                                                     strict=True))],
            "todayTable")
        self.table.itemSelectionChanged.connect(self._show_attempts)
        self.attempts = fitted_table(
            [Column(self.tr("Время"), 110), Column(self.tr("Запрос"), 150, 100),
             Column(self.tr("Длительность, мс"), 165, 70), Column(self.tr("Итог"), 140, 90),
             Column(self.tr("Ответ"), 400, 120, stretch=True)], "attemptsTable")
        self.attempts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.attempts_title = QLabel(self.tr("Попытки выбранного платежа"))
        lower = QWidget()
        lower_column = QVBoxLayout(lower)
        lower_column.setContentsMargins(0, 0, 0, 0)
        lower_column.addWidget(self.attempts_title)
        lower_column.addWidget(self.attempts)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([400, 180])
        self.print_button = QPushButton(self.tr("Печать чека  Ctrl+P"))
        self.print_button.setObjectName("todayPrintButton")
        self.print_button.clicked.connect(self._print_selected)
        self.preview_button = QPushButton(self.tr("Чек на экране"))
        self.preview_button.clicked.connect(self._preview_selected)
        for button in (self.print_button, self.preview_button):
            button.setVisible(receipts is not None)
        QShortcut(QKeySequence("Ctrl+P"), self, self._print_selected,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        top = QHBoxLayout()
        top.addWidget(self.only_pending)
        top.addStretch(1)
        top.addWidget(self.print_button)
        top.addWidget(self.preview_button)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addLayout(top)
        column.addWidget(splitter, 1)
        #: something changed since the list was read (it is read again when shown)
        self.dirty = True
        if bridge is not None:
            bridge.payment_changed.connect(self._changed)
            bridge.receipt_printed.connect(self._changed)
            bridge.refresh.connect(self._redraw)

    def _changed(self, _what: object) -> None:
        self.dirty = True

    def _redraw(self) -> None:
        if self.dirty and self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        if self.dirty:
            self.reload()
        super().showEvent(event)

    def show_for(self, cashier: str) -> None:
        self.cashier = cashier
        self.reload()

    def reload(self) -> None:
        self.dirty = False
        if not self.cashier:
            return
        today = date.today()
        records = list(query.records(self.journal, JournalFilter(today, today,
                                                                 cashier=self.cashier),
                                     newest_first=True))
        self.summary.setText(self.day_summary(shift_totals(records)))
        if self.only_pending.isChecked():
            records = [record for record in records if record.state in UNSETTLED]
        selected = self.selected_id()
        self.records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = [record.created_at[11:19], record.service_name, record.account,
                     amount_text(record.amount_to), amount_text(record.commission),
                     amount_text(record.amount_from), state_title(record),
                     record.result_message or "", str(record.transaction_id or ""),
                     _receipt_state(record)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (3, 4, 5):
                    item.setTextAlignment(RIGHT)
                if column == 6:
                    item.setData(Qt.ItemDataRole.UserRole, str(record.state))
                self.table.setItem(row, column, item)
            if record.agent_transaction_id == selected:
                self.table.selectRow(row)
        self._show_attempts()

    def day_summary(self, totals: ShiftTotals) -> str:
        """The day in one line: paid, «в обработке», refused; the money taken (by QR)."""
        def count(*states: State) -> int:
            return sum(totals.by_state.get(state, (0, Decimal(0)))[0] for state in states)

        wallets = totals.by_method.get("wallet", (0, Decimal(0)))[1]
        taken = sum((total for method, (_, total) in totals.by_method.items()
                     if method != "wallet"), Decimal(0))
        summary = self.tr(
            "Сегодня: оплачено {0}, в обработке {1}, не проведено {2}; принято {3}").format(
            count(State.PAID), count(*UNSETTLED), count(State.FAILED), money(taken))
        if totals.sbp[1]:
            summary += self.tr(", из них по QR СБП {0}").format(money(totals.sbp[1]))
        if wallets:  # not money the desk took: the person's wallet and bank
            summary += self.tr("; операции с кошельками {0} (не наличные)").format(
                money(wallets))
        return summary

    def _print_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.print_requested.emit(selected)

    def _preview_selected(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self.preview_requested.emit(selected)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()].agent_transaction_id

    def _show_attempts(self) -> None:
        selected = self.selected_id()
        attempts = self.journal.attempts(selected) if selected is not None else []
        self.attempts.setRowCount(len(attempts))
        for row, attempt in enumerate(attempts):
            for column, text in enumerate(attempt_cells(attempt)):
                self.attempts.setItem(row, column, QTableWidgetItem(text))
        if selected is not None:
            self.attempts_title.setText(self.tr("Попытки платежа {0}: {1}").format(
                selected, len(attempts)))

def _receipt_state(record: PaymentRecord) -> str:
    if record.receipt_printed_at:
        return "напечатан"
    if record.receipt_error:
        return "НЕ напечатан"
    return ""


def amount_text(value: Decimal | None) -> str:
    """An amount as the tables show it; empty for none."""
    return money(value, rub=False) if value is not None else ""
