"""The way from the cashier's desk to the supervisor: the supervisor's window (at once for a
supervisor at the desk, else after a supervisor's PIN), and a locked cashier's log-in opened
early by another supervisor's PIN. Every PIN goes through the desk's PIN guard (audited,
paused, locked out)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow

from cashier_app.core.answers import AgentBalance
from cashier_app.core.cashiers import Cashier
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.supervisor.shift_dialogs import SupervisorPinDialog
from cashier_app.workplace.login import PinGuard
from cashier_app.workplace.session import Session

if TYPE_CHECKING:
    from cashier_app.ui.supervisor.window import SupervisorWindow


class SupervisorAccess(QObject):
    shift_closed = Signal(object)  # Shift: a supervisor closed one from their window
    unlocked = Signal(object, object)  # the cashier let in early, by the supervisor

    def __init__(self, session: Session, guard: PinGuard, bridge: EngineBridge, *,
                 receipts: ReceiptService | None,
                 fetch_balance: Callable[[], Awaitable[AgentBalance]],
                 parent: QMainWindow) -> None:
        super().__init__(parent)
        self.session = session
        self.guard = guard
        self.bridge = bridge
        self.receipts = receipts
        self._fetch_balance = fetch_balance
        self._parent = parent
        self.window: SupervisorWindow | None = None
        self.pin_dialog: SupervisorPinDialog | None = None

    def open(self) -> None:
        """Ctrl+J: the supervisor's window (raised if it is open already)."""
        if self.window is not None and self.window.isVisible():
            self.window.raise_()
            self.window.activateWindow()
            return
        cashier = self.session.cashier
        if cashier is not None and cashier.role.supervises:
            self.show(cashier)
            return
        self._ask(self.session.supervisors(),
                  self.tr("Журнал, смены, сверка кассы и аудит — для старшего кассира. "
                          "Введите его PIN."), self.show)

    def ask_unlock(self, person: Cashier) -> None:
        """A locked cashier's log-in opened early by another supervisor's PIN (audited)."""
        def unlock(supervisor: Cashier) -> None:
            self.guard.unlock(person, supervisor)
            self.unlocked.emit(person, supervisor)

        self._ask(self.session.supervisors(besides=person.name),
                  self.tr("Снять блокировку входа кассира {0} — для старшего кассира. "
                          "Введите его PIN.").format(person.name), unlock)

    def _ask(self, people: list[Cashier], why: str,
             then: Callable[[Cashier], object]) -> None:
        dialog = SupervisorPinDialog(people, why, self.guard, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.authorized.connect(then)
        self.pin_dialog = dialog
        dialog.open()

    def show(self, actor: Cashier) -> SupervisorWindow:
        """The supervisor's window for ``actor`` (every action there is audited so)."""
        # imported when first asked for: the supervisor's window (journal view, export,
        # audit) is not on the way to the cashier's first screen
        from cashier_app.ui.supervisor.window import SupervisorWindow

        window = SupervisorWindow(self.session, actor, self.bridge, receipts=self.receipts,
                                  fetch_balance=self._fetch_balance, parent=self._parent)
        window.shift_closed.connect(self.shift_closed)
        self.window = window
        window.show()
        return window
