"""The supervisor's window (старший кассир): the journal, shifts and the cash count, the agent
balance with the day's movement, the audit and the journal's integrity check.

It opens after a supervisor's PIN; everything done here is written to the audit under that
supervisor's name. Reads of a whole period (totals, export, the integrity check) run in a
worker thread on a read-only connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app import shifts
from cashier_app.core.balance import BalanceLevel, balance_level
from cashier_app.core.cashiers import ROLE_TITLES, Cashier
from cashier_app.core.money import format_amount
from cashier_app.core.states import STATE_TITLES, State
from cashier_app.engine import PaymentEngine
from cashier_app.journal import Journal, Shift, ShiftError, StoredReceipt, query
from cashier_app.journal.chain import Verification, verify
from cashier_app.journal.query import JournalFilter
from cashier_app.processing.errors import ProcessingError
from cashier_app.processing.models import AgentBalance
from cashier_app.receipts.document import ShiftTotals, when
from cashier_app.receipts.service import ReceiptService
from cashier_app.workplace import login

from .journal_view import JournalView, with_reader
from .pages import amount_text
from .payment_details import PaymentDetails
from .shift_dialogs import ask_cash_count

log = logging.getLogger(__name__)
ACTION_TITLES = {
    "supervisor_login": "вход в окно старшего", "shift_close": "закрытие смены",
    "reprint": "повторная печать", "void_attempt": "попытка аннулирования",
    "check_now": "проверка платежа", "export": "выгрузка журнала",
    "verify": "проверка целостности", "settings_change": "изменение настроек",
    "journal_new": "новый журнал", **login.ACTION_TITLES,
}


DETAIL_TITLES = {
    "ok": "журнал цел", "problems": "нарушений", "rows": "записей", "receipt": "чек №",
    "printed": "напечатан", "message": "итог", "before": "было", "after": "стало",
    "result": "код", "state": "состояние", "voided": "аннулирован", "format": "формат",
    "payments": "платежей", "cashier": "кассир", "expected": "ожидалось",
    "counted": "пересчитано", "difference": "расхождение", "failures": "неверных подряд",
    "retry_at": "следующая попытка", "locked_until": "заблокирован до",
    "after_failures": "после неверных", "os_user": "пользователь ОС", "command": "команда",
    "where": "где", "previous": "прежний файл", "last_issued_id": "последний номер",
    "reason": "причина",
}


def detail_text(details: dict[str, Any]) -> str:
    """An audit entry's details in Russian words (yes/no for flags)."""
    parts = []
    for key, value in details.items():
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            value = "да" if value else "нет"
        parts.append(f"{DETAIL_TITLES.get(key, key)}: {value}")
    return "; ".join(parts)


def _at(value: str | None) -> str:
    """A stored time as the receipts print it (``23.11.2026 14:05``); empty for none."""
    return when(value) if value else ""


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], right: tuple[int, ...] = ()) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, item)


class ShiftsView(QWidget):
    """The shifts of the last month: the count and difference of each; the open one can be
    closed here with a cash count."""

    shift_closed = Signal(object)  # Shift

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.rows: list[Shift] = []
        self.table = _table(["№", "Кассир", "Открыта", "Закрыта", "Размен", "Ожидалось",
                             "Пересчитано", "Расхождение", "Закрыл(а)"], "shiftsTable")
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
        _fill(self.table, [[str(s.id), s.cashier, _at(s.opened_at),
                            _at(s.closed_at) or "открыта", amount_text(s.opening_cash),
                            amount_text(s.expected_cash), amount_text(s.counted_cash),
                            amount_text(s.cash_difference), s.closed_by or ""]
                           for s in self.rows], right=(4, 5, 6, 7))
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
        busy = self.window_.shift_busy(shift.id)
        if busy:
            self.message.setText(busy)
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
            self.message.setText(str(error))
            return None
        assert closed.cash_difference is not None
        self.message.setText(f"Смена №{shift_id} закрыта. "
                             f"{shifts.difference_text(closed.cash_difference)}")
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
        fixed = shift.totals
        head = (f"<b>Смена №{shift.id}</b>, {shift.cashier}: итоги зафиксированы при закрытии "
                f"{_at(shift.closed_at)} ({shift.closed_by or shift.cashier})")
        totals = ShiftTotals.from_json(fixed)
    else:
        totals = shifts.current_totals(journal, shift.id)
        state_word = "открыта" if shift.closed_at is None else "закрыта без пересчёта"
        head = (f"<b>Смена №{shift.id}</b>, {shift.cashier}: {state_word} с "
                f"{_at(shift.opened_at)}; итоги на сейчас")
    amount_to, commission, cash = totals.amount_to, totals.commission, totals.cash_expected
    by_state, by_method = totals.by_state, totals.by_method
    lines = [head, ""]
    for state, (count, total) in by_state.items():
        lines.append(f"{STATE_TITLES.get(state, str(state))}: {count} на {format_amount(total)} ₽")
    for method, title in (("cash", "наличными"), ("sbp", "по QR СБП")):
        count, total = by_method.get(method, (0, Decimal(0)))
        lines.append(f"Принято {title}: {count} на {format_amount(total)} ₽")
    lines.append(f"К зачислению {format_amount(amount_to)} ₽, комиссия "
                 f"{format_amount(commission)} ₽")
    expected = shift.opening_cash + cash
    lines.append(f"Наличных в кассе по журналу: <b>{format_amount(expected)} ₽</b> (размен "
                 f"{format_amount(shift.opening_cash)} ₽)")
    if shift.counted_cash is not None and shift.cash_difference is not None:
        lines.append(f"Пересчитано: <b>{format_amount(shift.counted_cash)} ₽</b> — "
                     f"{shifts.difference_text(shift.cash_difference)}")
        if shift.denominations:
            lines.append("По купюрам: " + ", ".join(
                f"{format_amount(Decimal(face))} × {pieces}"
                for face, pieces in shift.denominations.items()))
    return "<br>".join(lines)


class BalanceView(QWidget):
    """The agent's balance, its thresholds and level; today's movement by the journal."""

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.balance: AgentBalance | None = None
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for key, title in (("balance", "Баланс"), ("overdraft", "Порог отключения "
                                                   "(овердрафт)"),
                           ("notification", "Порог уведомления"), ("level", "Состояние"),
                           ("agent", "Агент"), ("fetched", "Получено")):
            label = QLabel("—")
            label.setObjectName(f"balance_{key}")
            self.values[key] = label
            self.form.addRow(title, label)
        self.values["balance"].setStyleSheet("font-size: 22px; font-weight: bold")
        self.movement = QLabel("")
        self.movement.setObjectName("balanceMovement")
        self.movement.setWordWrap(True)
        self.movement.setTextFormat(Qt.TextFormat.RichText)
        self.history = _table(["Время", "Баланс", "Изменение"], "balanceHistory")
        self.refresh_button = QPushButton("Обновить  F5")
        self.refresh_button.clicked.connect(self.start_refresh)
        top = QWidget()
        top.setLayout(self.form)
        column = QVBoxLayout(self)
        column.addWidget(top)
        column.addWidget(self.movement)
        column.addWidget(QLabel("Баланс по запросам за сегодня"))
        column.addWidget(self.history, 1)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        column.addLayout(row)
        self.task: asyncio.Future[None] | None = None
        self.show_movement()

    def start_refresh(self) -> asyncio.Future[None]:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self.refresh())
        return self.task

    async def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.values["fetched"].setText("запрос…")
        try:
            answer = await self.window_.fetch_balance()
        except ProcessingError as error:
            self.values["fetched"].setText(f"нет ответа: {error}")
            answer = None
        finally:
            self.refresh_button.setEnabled(True)
        if answer is not None:
            self.show_balance(answer)
        self.show_movement()

    def show_balance(self, answer: AgentBalance) -> None:
        if not answer.ok:
            self.values["fetched"].setText(f"отказ процессинга: {answer.cashier_message}")
            return
        self.balance = answer
        currency = f" {answer.currency}" if answer.currency else " ₽"
        self.values["balance"].setText(format_amount(answer.balance) + currency)
        self.values["overdraft"].setText(format_amount(answer.overdraft) + currency)
        self.values["notification"].setText(
            format_amount(answer.notification) + currency if answer.notification is not None
            else "не задан")
        level = balance_level(answer.balance, answer.overdraft, answer.notification)
        self.values["level"].setText({
            BalanceLevel.OK: "в норме", BalanceLevel.LOW: "ниже порога уведомления — пополните",
            BalanceLevel.BLOCKED: "порог отключения достигнут: приём платежей остановлен"}[level])
        self.values["agent"].setText(f"{answer.agent_name} (№ {answer.agent_id})"
                                     if answer.agent_id else answer.agent_name or "—")
        self.values["fetched"].setText(self.window_.now().strftime("%d.%m.%Y %H:%M:%S"))

    def show_movement(self) -> None:
        today = self.window_.today()
        totals = query.totals(self.journal, JournalFilter(today, today, state=State.PAID))
        pending = query.totals(self.journal, JournalFilter(today, today, state=State.PAYING))
        history = self.journal.balance_history(today)
        lines = [f"<b>Движение за {today:%d.%m.%Y}</b> по журналу кассы:",
                 f"Проведено платежей: {totals.all.count}, списано с баланса (к зачислению) "
                 f"{format_amount(totals.all.amount_to)} ₽, комиссия "
                 f"{format_amount(totals.all.commission)} ₽"]
        if pending.all.count:
            lines.append(f"В обработке: {pending.all.count} на "
                         f"{format_amount(pending.all.amount_to)} ₽ (спишутся при проведении)")
        if len(history) >= 2:
            change = history[-1][1] - history[0][1]
            lines.append(f"Баланс с {_at(history[0][0])[-5:]} до {_at(history[-1][0])[-5:]}: "
                         f"{format_amount(history[0][1])} → {format_amount(history[-1][1])} ₽ "
                         f"({'+' if change > 0 else ''}{format_amount(change)} ₽; пополнения "
                         "видны как рост)")
        self.movement.setText("<br>".join(lines))
        rows = []
        previous: Decimal | None = None
        for at, value in history:
            delta = "" if previous is None else (
                ("+" if value > previous else "") + format_amount(value - previous))
            rows.append([_at(at), format_amount(value), delta])
            previous = value
        _fill(self.history, list(reversed(rows)), right=(1, 2))


class AuditView(QWidget):
    """Who did what here (the last month), and the integrity check of the whole journal."""

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.table = _table(["Время", "Кто", "Роль", "Действие", "Что", "Подробности"],
                            "auditTable")
        self.verify_button = QPushButton("Проверить целостность журнала")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.clicked.connect(self.start_verify)
        self.result = QLabel("Целостность не проверялась в этом окне")
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("verifyProblems")
        self.problems.hide()
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.result, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 2)
        column.addLayout(row)
        column.addWidget(self.problems, 1)
        self.task: asyncio.Future[Verification] | None = None
        self.reload()

    def reload(self) -> None:
        today = self.window_.today()
        entries = self.journal.audit_entries(today - timedelta(days=31), today)
        rows = []
        for entry in entries:
            details = detail_text(entry.details)
            role = ROLE_TITLES.get(entry.role, entry.role)  # type: ignore[call-overload]
            rows.append([_at(entry.at), entry.actor, role,
                         ACTION_TITLES.get(entry.action, entry.action), entry.target, details])
        _fill(self.table, rows)

    def start_verify(self) -> asyncio.Future[Verification]:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self.verify())
        return self.task

    async def verify(self) -> Verification:
        self.verify_button.setEnabled(False)
        self.result.setText("Проверка… (журнал за всё время)")
        self.result.setProperty("kind", "")
        try:
            outcome: Verification = await asyncio.to_thread(with_reader, self.journal.path,
                                                              verify)
        finally:
            self.verify_button.setEnabled(True)
        self.result.setText(outcome.summary())
        self.result.setProperty("kind", "ok" if outcome.ok else "error")
        self.result.style().polish(self.result)
        self.problems.clear()
        for problem in outcome.problems[:1000]:
            self.problems.addItem(problem.message)
        if len(outcome.problems) > 1000:
            self.problems.addItem(f"… и ещё {len(outcome.problems) - 1000}")
        self.problems.setVisible(not outcome.ok)
        self.window_.audit("verify", "журнал", {"ok": outcome.ok,
                                                "problems": len(outcome.problems),
                                                "rows": outcome.rows})
        self.reload()
        return outcome


class SupervisorWindow(QMainWindow):
    """Opened for one supervisor (``actor``); every action is audited under that name."""

    shift_closed = Signal(object)  # Shift
    payment_changed = Signal(object)

    def __init__(self, engine: PaymentEngine, actor: Cashier, *,
                 receipts: ReceiptService | None,
                 fetch_balance: Callable[[], Awaitable[AgentBalance]],
                 print_stored: Callable[[StoredReceipt], None],
                 shift_busy: Callable[[int], str | None] = lambda _id: None,
                 payment_busy: Callable[[int], bool] = lambda _id: False,
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorWindow")
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.engine = engine
        self.journal = engine.journal
        self.actor = actor
        self.receipts = receipts
        self.fetch_balance = fetch_balance
        self.print = print_stored
        self.shift_busy = shift_busy
        self.payment_busy = payment_busy
        self.today = today
        self.now = datetime.now
        self.setWindowTitle(f"Касса — старший кассир: {actor.name}")
        self.resize(1280, 800)
        self.journal_view = JournalView(self.journal, today=today)
        self.journal_view.details_requested.connect(self.open_details)
        self.journal_view.exported.connect(
            lambda kind, count, path: self.audit("export", path, {"format": kind,
                                                                  "payments": count}))
        self.shifts_view = ShiftsView(self)
        self.shifts_view.shift_closed.connect(self.shift_closed)
        self.balance_view = BalanceView(self)
        self.audit_view = AuditView(self)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.addTab(self.journal_view, "Журнал  Ctrl+1")
        self.tabs.addTab(self.shifts_view, "Смены и пересчёт  Ctrl+2")
        self.tabs.addTab(self.balance_view, "Баланс агента  Ctrl+3")
        self.tabs.addTab(self.audit_view, "Аудит и целостность  Ctrl+4")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        for number in range(4):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self,
                      lambda n=number: self.tabs.setCurrentIndex(n))
        QShortcut(QKeySequence("F5"), self, self.refresh)
        who = QLabel(f"Старший кассир: {actor.name} ({actor.role.russian}). Действия "
                     "записываются в аудит.")
        self.statusBar().addWidget(who)
        self.details: PaymentDetails | None = None
        self.audit("supervisor_login", "окно старшего кассира", {})

    def audit(self, action: str, target: str, details: dict[str, Any]) -> None:
        self.journal.audit(self.actor.name, str(self.actor.role), action, target, details)
        if self.tabs.currentWidget() is self.audit_view:
            self.audit_view.reload()

    def open_details(self, agent_transaction_id: int) -> PaymentDetails:
        dialog = PaymentDetails(self.engine, self.receipts, agent_transaction_id,
                                audit=self.audit, busy=self.payment_busy, parent=self)
        dialog.changed.connect(self._payment_changed)
        self.details = dialog
        dialog.open()
        return dialog

    def _payment_changed(self, record: Any) -> None:
        self.journal_view.model.reload()
        self.payment_changed.emit(record)

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.balance_view and self.balance_view.balance is None:
            self.balance_view.start_refresh()
        elif widget is self.audit_view:
            self.audit_view.reload()
        elif widget is self.shifts_view:
            self.shifts_view.reload()

    def refresh(self) -> None:
        widget = self.tabs.currentWidget()
        if widget is self.journal_view:
            self.journal_view.fill_choices()
            self.journal_view.apply()
        elif widget is self.balance_view:
            self.balance_view.start_refresh()
        elif widget is self.shifts_view:
            self.shifts_view.reload()
        else:
            self.audit_view.reload()

    @property
    def tasks(self) -> list[asyncio.Future[Any]]:
        found: list[asyncio.Future[Any]] = list(self.journal_view.tasks)
        for task in (self.balance_view.task, self.audit_view.task):
            if task is not None:
                found.append(task)
        if self.details is not None:
            found += list(self.details.tasks)
        return found

