"""The supervisor's shifts of the last month: each one's count and difference, its totals
(fixed at the close, or as they are now for the open one); the open shift closed here with a
cash count; X and Z reports printed from here, their outcome shown here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from cashier_app.core.states import STATE_TITLES
from cashier_app.core.text import moment, money
from cashier_app.journal import Journal, Shift, ShiftError
from cashier_app.receipts.shift_report import ShiftTotals
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.tables import MEANING_COLOURS, Column, fill, fitted_table
from cashier_app.workplace import shifts

from .shift_dialogs import ask_cash_count

if TYPE_CHECKING:
    from .window import SupervisorWindow

COLUMNS = (Column("№", 50), Column("Кассир", 160, 90, stretch=True), Column("Открыта", 150),
           Column("Закрыта", 150, 100), Column("Размен", 110, 90),
           Column("Ожидалось", 115, 90), Column("Пересчитано", 120, 90),
           Column("Расхождение", 125, 95), Column("Закрыл(а)", 160, 90, stretch=True))
#: Colours of the difference in the details' rich text, by meaning (as the style sheet).
_HTML_COLOURS = {"ok": "#0f5132", "warn": "#8a5a00", "error": "#b00020"}


def _amount(value: Decimal | None) -> str:
    return money(value, rub=False) if value is not None else ""


class ShiftsView(QWidget):
    """The shifts of the last month: the count and difference of each; the open one can be
    closed here with a cash count."""

    shift_closed = Signal(object)  # Shift

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.rows: list[Shift] = []
        self.table = fitted_table(COLUMNS, "shiftsTable")
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.details = QLabel("")
        self.details.setObjectName("shiftDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.close_button = QPushButton("Закрыть смену с пересчётом…")
        self.close_button.setObjectName("supervisorCloseShift")
        self.close_button.clicked.connect(self.ask_close)
        self.x_button = QPushButton("X-отчёт")
        self.x_button.clicked.connect(lambda: self._report("x"))
        self.z_button = QPushButton("Z-отчёт (копия)")
        self.z_button.clicked.connect(lambda: self._report("z"))
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.x_button, self.z_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([300, 260])
        column = QVBoxLayout(self)
        column.addWidget(splitter, 1)
        column.addWidget(self.message)
        column.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        selected = self.selected()
        today = self.window_.today()
        self.rows = self.journal.shifts(today - timedelta(days=31), today)
        fill(self.table, [[str(s.id), s.cashier, moment(s.opened_at),
                           moment(s.closed_at) if s.closed_at else "открыта",
                           _amount(s.opening_cash), _amount(s.expected_cash),
                           _amount(s.counted_cash), _amount(s.cash_difference),
                           s.closed_by or ""]
                          for s in self.rows], right=(4, 5, 6, 7))
        for row, shift in enumerate(self.rows):
            item = self.table.item(row, 7)
            if shift.cash_difference is not None and item is not None:
                kind = shifts.difference_kind(shift.cash_difference)
                item.setForeground(MEANING_COLOURS[kind])
                item.setData(Qt.ItemDataRole.UserRole, kind)
                item.setToolTip(shifts.difference_text(shift.cash_difference))
        index = next((i for i, s in enumerate(self.rows)
                      if selected is not None and s.id == selected.id), 0)
        if self.rows:
            self.table.selectRow(index)
        self._show_selected()

    def selected(self) -> Shift | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _show_selected(self) -> None:
        shift = self.selected()
        self.close_button.setEnabled(shift is not None and shift.closed_at is None)
        self.x_button.setEnabled(shift is not None and shift.closed_at is None
                                 and self.window_.receipts is not None)
        self.z_button.setEnabled(shift is not None and shift.closed_at is not None
                                 and self.window_.receipts is not None)
        if shift is None:
            self.details.setText("Смен за последний месяц нет")
            return
        self.details.setText(shift_summary(self.journal, shift))

    def ask_close(self) -> None:
        shift = self.selected()
        if shift is None or shift.closed_at is not None:
            return
        busy = self.window_.session.shift_busy(shift.id)
        if busy:
            say(self.message, busy, "warn")
            return
        expected = shifts.expected_cash(self.journal, shift)
        self.count_dialog = ask_cash_count(
            self, f"Закрытие смены №{shift.id} ({shift.cashier})", expected,
            shift.opening_cash, lambda counted, pieces: self.close_shift(shift.id, counted,
                                                                         pieces))

    def close_shift(self, shift_id: int, counted: Decimal,
                    pieces: dict[str, int] | None) -> Shift | None:
        actor = self.window_.actor
        try:
            closed = shifts.close_shift(self.journal, shift_id, actor=actor.name,
                                        role=actor.role, counted=counted, denominations=pieces)
        except ShiftError as error:
            say(self.message, str(error), "error")
            return None
        assert closed.cash_difference is not None
        say(self.message, f"Смена №{shift_id} закрыта. "
                          f"{shifts.difference_text(closed.cash_difference)}",
            shifts.difference_kind(closed.cash_difference))
        self.reload()
        self.shift_closed.emit(closed)
        if self.window_.receipts is not None:
            self.window_.print(self.window_.receipts.z_report(shift_id))
        return closed

    def _report(self, kind: str) -> None:
        shift = self.selected()
        receipts = self.window_.receipts
        if shift is None or receipts is None:
            return
        stored = receipts.x_report(shift.id) if kind == "x" else receipts.z_report(shift.id)
        if kind == "z":
            self.window_.audit("reprint", f"Z-отчёт смены {shift.id}",
                               {"receipt": stored.number})
        self.window_.print(stored)


def shift_summary(journal: Journal, shift: Shift) -> str:
    """The shift's totals: fixed at the close, or as they are now for the open one."""
    if shift.totals is not None:
        head = (f"<b>Смена №{shift.id}</b>, {shift.cashier}: итоги зафиксированы при закрытии "
                f"{moment(shift.closed_at)} ({shift.closed_by or shift.cashier})")
        totals = ShiftTotals.from_json(shift.totals)
    else:
        totals = shifts.current_totals(journal, shift)
        state_word = "открыта" if shift.closed_at is None else "закрыта без пересчёта"
        head = (f"<b>Смена №{shift.id}</b>, {shift.cashier}: {state_word} с "
                f"{moment(shift.opened_at)}; итоги на сейчас")
    lines = [head, ""]
    for state, (count, total) in totals.by_state.items():
        lines.append(f"{STATE_TITLES.get(state, str(state))}: {count} на {money(total)}")
    for method, title in (("cash", "наличными"), ("sbp", "по QR СБП")):
        count, total = totals.by_method.get(method, (0, Decimal(0)))
        lines.append(f"Принято {title}: {count} на {money(total)}")
    lines.append(f"К зачислению {money(totals.amount_to)}, комиссия "
                 f"{money(totals.commission)}")
    expected = shift.opening_cash + totals.cash_expected
    lines.append(f"Наличных в кассе по журналу: <b>{money(expected)}</b> (размен "
                 f"{money(shift.opening_cash)})")
    if shift.counted_cash is not None and shift.cash_difference is not None:
        colour = _HTML_COLOURS[shifts.difference_kind(shift.cash_difference)]
        lines.append(f"Пересчитано: <b>{money(shift.counted_cash)}</b> — "
                     f"<b style=\"color:{colour}\">"
                     f"{shifts.difference_text(shift.cash_difference)}</b>")
        if shift.denominations:
            lines.append("По купюрам: " + ", ".join(
                f"{money(Decimal(face))} × {pieces}"
                for face, pieces in shift.denominations.items()))
    return "<br>".join(lines)
