"""The cashier's day at the desk, as the window shows it: log-in, the shift page, work; a
break (log-out, the shift stays open); the shift closed with a cash count — by the cashier,
or by a supervisor from their window — and its Z report.

What may be done is the session's to say (:class:`~cashier_app.workplace.session.Session`);
this module moves the window between its pages, its menu actions and its status bar fields
accordingly. It works on its :class:`.main_window.MainWindow`, as the window's hands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from cashier_app.core.cashiers import Cashier
from cashier_app.core.money import AmountError
from cashier_app.journal import Shift, ShiftError
from cashier_app.ui.supervisor.shift_dialogs import ask_cash_count
from cashier_app.workplace import shifts

if TYPE_CHECKING:
    from .main_window import MainWindow


class ShiftDesk(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.journal = window.journal
        #: the cash count asked before the close (the confirmation is the count)
        self.count_dialog: QWidget | None = None

    def logged_in(self, cashier: Cashier) -> None:
        """Into the cashier's own open shift, else to the shift page."""
        window = self.window
        current = self.session.log_in(cashier)
        window.status.show_cashier(cashier.name)
        window.logout_action.setEnabled(True)
        if self.session.shift is not None:
            self._enter(self.session.shift)
            return
        window.pages.setCurrentWidget(window.shift_page)
        window.shift_page.show_for(cashier.name, current)

    def unlocked(self, person: Cashier, supervisor: Cashier) -> None:
        page = self.window.login_page
        page.show_state()
        page.message.setText(self.tr("Блокировка снята ({0}): {1} может войти").format(
            supervisor.name, person.name))

    def open_shift(self) -> None:
        if self.session.cashier is None:
            return
        try:
            shift = self.session.open_shift(self.window.shift_page.opening_cash())
        except (ShiftError, AmountError) as error:
            self.window.shift_page.message.setText(str(error))
            return
        self._enter(shift)

    def _actions(self, enabled: bool) -> None:
        for action in self.window.shift_actions:
            action.setEnabled(enabled)

    def _enter(self, shift: Shift) -> None:
        window = self.window
        window.status.show_shift(shift.id, shift.opened_at)
        self._actions(True)
        window.pages.setCurrentWidget(window.work_page)
        window.tabs.setCurrentIndex(0)
        window.today_page.show_for(shift.cashier)
        window.focus_search()

    def logout(self) -> None:
        """Back to the log-in screen; the shift stays open (a break, a change of cashier)."""
        window = self.window
        window.panel.clear()
        self.session.log_out()
        window.status.show_cashier(None)
        window.status.show_shift(None)
        window.logout_action.setEnabled(False)
        self._actions(False)
        window.pages.setCurrentWidget(window.login_page)
        window.login_page.pin.setFocus()

    def _busy(self) -> bool:
        """A payment on its way keeps the shift open: said, and True."""
        shift = self.session.shift
        busy = self.session.shift_busy(shift.id) if shift is not None else None
        if busy:
            self.window.show_notice(busy, "warn", about=self.window.panel.record)
        return bool(busy)

    def confirm_close(self) -> None:
        """The cash count is the confirmation: the drawer is counted, then the shift closes."""
        if self.session.shift is None or self._busy():
            return
        shift = self.journal.shift(self.session.shift.id)
        title = self.tr("Закрытие смены №{0}").format(shift.id)
        pending = self.journal.count_pending()
        if pending:
            title += self.tr(" (в обработке: {0} — будут проведены в фоне)").format(pending)
        self.count_dialog = ask_cash_count(self.window, title,
                                           shifts.expected_cash(self.journal, shift),
                                           shift.opening_cash, self.close_shift)

    def close_shift(self, counted: Decimal | None = None,
                    pieces: dict[str, int] | None = None) -> None:
        """Close the cashier's shift with the drawer counted (``counted``), print the Z."""
        if self.session.shift is None or self.session.cashier is None or self._busy():
            return
        window = self.window
        window.panel.clear()
        try:
            closed = self.session.close_shift(counted, pieces)
        except ShiftError as error:
            window.show_notice(str(error), "error")
            return
        self._left(closed)
        if closed.cash_difference is not None:
            window.shift_page.show_closed(closed)
            window.show_notice(window.shift_page.message.text(),
                               shifts.difference_kind(closed.cash_difference))

    def _left(self, closed: Shift) -> None:
        window = self.window
        self.session.left_shift(closed)
        cashier = self.session.cashier
        window.status.show_shift(closed.id, closed=True)
        self._actions(False)
        if window.receipts is not None:  # the Z report prints at the close
            window.z_again_action.setEnabled(True)
            if closed.closed_by == (cashier.name if cashier else None):
                window.printing.print_z_report(closed.id)
        window.pages.setCurrentWidget(window.shift_page)
        if cashier is not None:
            window.shift_page.show_for(cashier.name, None)

    def closed_elsewhere(self, closed: Shift) -> None:
        """A supervisor closed a shift from their window: if it was this desk's, the cashier
        is out of it (and told)."""
        if self.session.in_shift(closed.id):
            self.window.panel.clear()
            self._left(closed)
            self.window.show_notice(self.tr("Смену №{0} закрыл(а) {1}").format(
                closed.id, closed.closed_by or ""), "warn")
