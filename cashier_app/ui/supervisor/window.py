"""The supervisor's window (старший кассир): the journal, shifts and the cash count, the agent
balance with the day's movement, the audit and the journal's integrity check.

It opens after a supervisor's PIN; everything done here is written to the audit under that
supervisor's name. Reads of a whole period (totals, export, the integrity check) run in a
worker thread on a read-only connection. What the supervisor starts here (an X or Z report,
a reprint) reports its outcome here, not in the cashier's window behind. The window opens
sized to the screen it is on and closes from the keyboard (Esc, Ctrl+W).

What the engine does reaches it through the cashier window's bridge, the one path the news
takes: the journal list follows the coalesced ``refresh``, and stops following when the
window closes. Whether a payment or a shift is busy at the desk is asked of the desk's
session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app.core.answers import AgentBalance
from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import State
from cashier_app.journal import StoredReceipt
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.screen_fit import place
from cashier_app.workplace.session import Session

from .audit_view import AuditView
from .balance_view import BalanceView
from .cassette_view import CassetteView
from .journal_view import JournalView
from .payment_details import PaymentDetails
from .shifts_view import ShiftsView

log = logging.getLogger(__name__)
#: The window's size on a large screen; a smaller one gets its whole free area.
PREFERRED_SIZE = QSize(1600, 1000)


class SupervisorWindow(QMainWindow):
    """Opened for one supervisor (``actor``); every action is audited under that name. A
    report printed from here shows its outcome here (the cashier's window may be hidden
    behind this one)."""

    shift_closed = Signal(object)  # Shift

    def __init__(self, session: Session, actor: Cashier, bridge: EngineBridge, *,
                 receipts: ReceiptService | None,
                 fetch_balance: Callable[[], Awaitable[AgentBalance]],
                 today: Callable[[], date] = date.today,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorWindow")
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.session = session
        self.engine = session.engine
        self.journal = self.engine.journal
        self.actor = actor
        self.receipts = receipts
        self.fetch_balance = fetch_balance
        self.today = today
        self.now = datetime.now
        # Qt adds the application's name («Касса», «Касса — демо-режим») after it
        self.setWindowTitle(f"Старший кассир: {actor.name}")
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
        self.cassette_view = CassetteView(self.journal, actor.name, self.audit)
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.addTab(self.journal_view, "Журнал  Ctrl+1")
        self.tabs.addTab(self.shifts_view, "Смены и пересчёт  Ctrl+2")
        self.tabs.addTab(self.balance_view, "Баланс агента  Ctrl+3")
        self.tabs.addTab(self.audit_view, "Аудит и целостность  Ctrl+4")
        self.tabs.addTab(self.cassette_view, "Купюроприёмник  Ctrl+5")
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
        # operations nothing can settle wait for this supervisor: said above every tab
        self.decisions = QLabel("")
        self.decisions.setObjectName("fieldError")
        self.decisions.setWordWrap(True)
        self.decide_button = QPushButton("Открыть первую…")
        self.decide_button.clicked.connect(self.open_first_decision)
        decisions_row = QHBoxLayout()
        decisions_row.setContentsMargins(8, 4, 8, 0)
        decisions_row.addWidget(self.decisions, 1)
        decisions_row.addWidget(self.decide_button)
        central = QWidget()
        central_column = QVBoxLayout(central)
        central_column.setContentsMargins(0, 0, 0, 0)
        central_column.addLayout(decisions_row)
        central_column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        for number in range(self.tabs.count()):
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
        self._bridge: EngineBridge | None = bridge
        bridge.refresh.connect(self._follow)
        self.show_decisions()

    def _follow(self) -> None:
        """The engine did something: the journal list and the decisions line follow."""
        self.journal_view.follow()
        self.show_decisions()

    def waiting_decisions(self) -> list[int]:
        """The operations in progress that nothing settles (a wallet withdrawal whose answer
        was lost and which the wallet's report does not show), oldest first."""
        return [record.agent_transaction_id
                for record in self.journal.in_state(State.PAYING, State.QR_WAITING)
                if record.needs_decision]

    def show_decisions(self) -> None:
        waiting = self.waiting_decisions()
        self.decisions.setText(
            f"Ждут вашего решения: {len(waiting)} — операции с кошельками, исход которых "
            "неизвестен (в карточке платежа: «Отправить снова» или «Признать не "
            "проведённым»)" if waiting else "")
        self.decisions.setVisible(bool(waiting))
        self.decide_button.setVisible(bool(waiting))

    def open_first_decision(self) -> None:
        waiting = self.waiting_decisions()
        if waiting:
            self.open_details(waiting[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        """A closed window follows nothing (it may stay alive until the cashier's closes)."""
        if self._bridge is not None:
            self._bridge.refresh.disconnect(self._follow)
            self._bridge = None
        super().closeEvent(event)

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
        self._audited()

    def open_details(self, agent_transaction_id: int) -> PaymentDetails:
        dialog = PaymentDetails(self.session, self.receipts, agent_transaction_id,
                                actor=self.actor, audit=self.audit, parent=self)
        dialog.audited.connect(self._audited)
        self.details = dialog
        dialog.open()
        return dialog

    def _audited(self) -> None:
        """Something was written to the audit elsewhere: the audit list shows it."""
        if self.tabs.currentWidget() is self.audit_view:
            self.audit_view.reload()

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.balance_view and self.balance_view.balance is None:
            self.balance_view.start_refresh()
        elif widget is self.audit_view:
            self.audit_view.reload()
        elif widget is self.shifts_view:
            self.shifts_view.reload()
        elif widget is self.cassette_view:
            self.cassette_view.reload()

    def refresh(self) -> None:
        widget = self.tabs.currentWidget()
        if widget is self.journal_view:
            self.journal_view.fill_choices()
            self.journal_view.apply()
        elif widget is self.balance_view:
            self.balance_view.start_refresh()
        elif widget is self.shifts_view:
            self.shifts_view.reload()
        elif widget is self.cassette_view:
            self.cassette_view.reload()
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
