"""The supervisor's window (старший кассир): the journal, shifts and the cash count, the agent
balance with the day's movement, the audit and the journal's integrity check.

It opens after a supervisor's PIN; everything done here is written to the audit under that
supervisor's name. Reads of a whole period (totals, export, the integrity check) run in a
worker thread on a read-only connection. What the supervisor starts here (an X or Z report,
a reprint) reports its outcome here, not in the cashier's window behind. The window opens
sized to the screen it is on and closes from the keyboard (Esc, Ctrl+W).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.answers import AgentBalance
from cashier_app.core.balance import BalanceLevel, balance_level
from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import State
from cashier_app.core.text import day, moment, money
from cashier_app.engine import PaymentEngine
from cashier_app.journal import StoredReceipt, query
from cashier_app.journal.query import JournalFilter
from cashier_app.processing.errors import ProcessingError
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.widgets.screen_fit import place
from cashier_app.ui.widgets.tables import Column, fill, fitted_table

from .audit_view import AuditView
from .journal_view import JournalView, say
from .payment_details import PaymentDetails
from .shifts_view import ShiftsView

log = logging.getLogger(__name__)
#: The window's size on a large screen; a smaller one gets its whole free area.
PREFERRED_SIZE = QSize(1600, 1000)
#: Currency codes that mean the rouble: shown as «₽».
ROUBLE_CODES = {"", "RUB", "RUR", "643", "₽"}


def currency_sign(code: str | None) -> str:
    """The sign shown after an amount: ``₽`` for the rouble, else the center's code."""
    text = (code or "").strip()
    return "₽" if text.upper() in ROUBLE_CODES else text


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
        self.history = fitted_table((Column("Время", 175), Column("Баланс", 160, 110),
                                     Column("Изменение", 160, 110, stretch=True)),
                                    "balanceHistory")
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
        sign = currency_sign(answer.currency)

        def amount(value: Decimal) -> str:
            return f"{money(value, rub=False)} {sign}"

        self.values["balance"].setText(amount(answer.balance))
        self.values["overdraft"].setText(amount(answer.overdraft))
        self.values["notification"].setText(
            amount(answer.notification) if answer.notification is not None else "не задан")
        level = balance_level(answer.balance, answer.overdraft, answer.notification)
        self.values["level"].setText({
            BalanceLevel.OK: "в норме", BalanceLevel.LOW: "ниже порога уведомления — пополните",
            BalanceLevel.BLOCKED: "порог отключения достигнут: приём платежей остановлен"}[level])
        self.values["agent"].setText(f"{answer.agent_name} (№ {answer.agent_id})"
                                     if answer.agent_id else answer.agent_name or "—")
        self.values["fetched"].setText(moment(self.window_.now(), seconds=True))

    def show_movement(self) -> None:
        today = self.window_.today()
        totals = query.totals(self.journal, JournalFilter(today, today, state=State.PAID))
        pending = query.totals(self.journal, JournalFilter(today, today, state=State.PAYING))
        history = self.journal.balance_history(today)
        lines = [f"<b>Движение за {day(today)}</b> по журналу кассы:",
                 f"Проведено платежей: {totals.all.count}, списано с баланса (к зачислению) "
                 f"{money(totals.all.amount_to)}, комиссия {money(totals.all.commission)}"]
        if pending.all.count:
            lines.append(f"В обработке: {pending.all.count} на "
                         f"{money(pending.all.amount_to)} (спишутся при проведении)")
        if len(history) >= 2:
            change = history[-1][1] - history[0][1]
            lines.append(f"Баланс с {moment(history[0][0])[-5:]} до "
                         f"{moment(history[-1][0])[-5:]}: {money(history[0][1], rub=False)} → "
                         f"{money(history[-1][1])} ({'+' if change > 0 else ''}"
                         f"{money(change)}; пополнения видны как рост)")
        self.movement.setText("<br>".join(lines))
        rows = []
        previous: Decimal | None = None
        for at, value in history:
            delta = "" if previous is None else (
                ("+" if value > previous else "") + money(value - previous, rub=False))
            rows.append([moment(at, seconds=True), money(value, rub=False), delta])
            previous = value
        fill(self.history, list(reversed(rows)), right=(1, 2))


class SupervisorWindow(QMainWindow):
    """Opened for one supervisor (``actor``); every action is audited under that name. A
    report printed from here shows its outcome here (the cashier's window may be hidden
    behind this one)."""

    shift_closed = Signal(object)  # Shift
    payment_changed = Signal(object)

    def __init__(self, engine: PaymentEngine, actor: Cashier, *,
                 receipts: ReceiptService | None,
                 fetch_balance: Callable[[], Awaitable[AgentBalance]],
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
        self.shift_busy = shift_busy
        self.payment_busy = payment_busy
        self.today = today
        self.now = datetime.now
        self.setWindowTitle(f"Касса — старший кассир: {actor.name}")
        self.print_tasks: set[asyncio.Future[Any]] = set()
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
        self.close_button = QPushButton("Закрыть  Esc")
        self.close_button.setObjectName("supervisorClose")
        self.close_button.setToolTip("Закрыть окно старшего кассира (Esc, Ctrl+W)")
        self.close_button.clicked.connect(self.close)
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 2, 4, 2)
        corner_row.addWidget(self.close_button)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.setCentralWidget(self.tabs)
        for number in range(4):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self,
                      lambda n=number: self.tabs.setCurrentIndex(n))
        QShortcut(QKeySequence("F5"), self, self.refresh)
        # one shortcut per key: two for the same key (StandardKey.Close is Ctrl+W too) would
        # be ambiguous and neither would fire
        for keys in (Qt.Key.Key_Escape, Qt.Modifier.CTRL | Qt.Key.Key_W,
                     Qt.Modifier.CTRL | Qt.Key.Key_F4):
            QShortcut(QKeySequence(keys), self, self.close)
        self.who = QLabel(f"Старший кассир: {actor.name} ({actor.role.russian}). Действия "
                          "записываются в аудит.")
        self.statusBar().addPermanentWidget(self.who)
        self.details: PaymentDetails | None = None
        self.place_on_screen()
        self.audit("supervisor_login", "окно старшего кассира", {})

    def place_on_screen(self, area: QRect | None = None) -> None:
        """As large as the free area of the screen allows (up to PREFERRED_SIZE), centred:
        at 1366×768 the status bar and the buttons stay on the screen."""
        place(self, PREFERRED_SIZE, area)

    def show_feedback(self, text: str, kind: str = "info") -> None:
        """An outcome the supervisor must see (a report printed or not): here, in the
        shifts view and the status bar."""
        say(self.shifts_view.message, text, kind)
        self.statusBar().showMessage(text, 15000)

    def print(self, stored: StoredReceipt) -> asyncio.Future[None]:
        """Print a report (or a receipt) started here; its outcome is shown here."""
        task = asyncio.ensure_future(self._print(stored))
        self.print_tasks.add(task)
        task.add_done_callback(self.print_tasks.discard)
        return task

    async def _print(self, stored: StoredReceipt) -> None:
        if self.receipts is None:
            return
        what = {"x": "X-отчёт", "z": "Z-отчёт"}.get(stored.kind, "Чек")
        self.show_feedback(f"{what} № {stored.number}: печатаем…")
        outcome = await self.receipts.print_receipt(stored)
        if outcome.printed:
            self.show_feedback(outcome.message, "ok")
        else:
            self.show_feedback(f"{what} № {stored.number} не напечатан: {outcome.message}. "
                               "Проверьте принтер и нажмите кнопку отчёта ещё раз", "error")

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
        found: list[asyncio.Future[Any]] = [*self.journal_view.tasks, *self.print_tasks]
        for task in (self.balance_view.task, self.audit_view.task):
            if task is not None:
                found.append(task)
        if self.details is not None:
            found += list(self.details.tasks)
        return found

