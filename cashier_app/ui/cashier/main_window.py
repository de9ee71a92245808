"""The cashier's window: log-in and shift, the service catalog with search, the payment panel,
«Сегодня», a notice row for news, and a status bar with who, which shift, the connection, the
balance and what is still «в обработке».

Network work runs as asyncio tasks on the Qt thread (qasync): the window never waits. Payment
state is read from the engine and its journal, never kept here. The catalog side lives in
:mod:`.catalog_panel`, the status bar in :mod:`.statusbar`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app.bootstrap import Point
from cashier_app.core.answers import AgentBalance
from cashier_app.core.cashiers import Cashier
from cashier_app.core.money import AmountError
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.engine.attempts import Sent
from cashier_app.engine.catalog import Catalog, CatalogError
from cashier_app.journal import PaymentRecord, Shift, ShiftError, StoredReceipt
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ProcessingError
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.printers import PrinterError
from cashier_app.receipts.service import PrintOutcome
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.cashier.payment.panel import PaymentPanel, Step
from cashier_app.ui.supervisor.shift_dialogs import SupervisorPinDialog, ask_cash_count
from cashier_app.ui.supervisor.window import SupervisorWindow
from cashier_app.ui.widgets.receipt_view import ReceiptDialog, open_payment_receipt
from cashier_app.workplace import shifts
from cashier_app.workplace.login import PinGuard
from cashier_app.workplace.session import Session

from .catalog_panel import MAX_RESULTS, PREFILL_ROLE, SERVICE_ROLE, CatalogPanel, phone_digits
from .customer_display import CustomerDisplay
from .login_page import LoginPage
from .shift_page import ShiftPage
from .statusbar import CashierStatusBar, clock_time, outcome_of
from .today_page import TodayPage

__all__ = ["MAX_RESULTS", "PREFILL_ROLE", "SERVICE_ROLE", "MainWindow", "phone_digits"]

log = logging.getLogger(__name__)
#: What the window asks for where the screen has room: the catalog and the form side by side.
PREFERRED_SIZE = QSize(1280, 800)
#: Room left for a window manager's frame and title bar, which are not known before the
#: window is first shown.
FRAME_ALLOWANCE = QSize(16, 40)
#: After a paid payment the balance is asked again — but not more often than this: a busy
#: desk pays every few seconds, and each balance is a request and a row in ``balance_log``.
BALANCE_GAP_SECONDS = 5.0
#: A word longer than this in a notice (a file path, an address) is given places to wrap: a
#: word-wrapped label is never narrower than its longest word, and the row's × would be
#: pushed off the screen.
_LONG_WORD = 40


def _breakable(text: str) -> str:
    """``text`` with zero-width spaces in words longer than :data:`_LONG_WORD` (after each
    ``/``, ``\\``, ``.``, ``_`` or every 20 characters), so a label can wrap them."""
    words = []
    for word in text.split(" "):
        if len(word) > _LONG_WORD:
            out, run = [], 0
            for char in word:
                out.append(char)
                run += 1
                if char in "/\\._-" or run >= 20:
                    out.append("\u200b")
                    run = 0
            word = "".join(out)
        words.append(word)
    return " ".join(words)


class MainWindow(QMainWindow):
    #: the cashier closed the window (Ctrl+Q, the close button): the program ends after its
    #: shutdown, which still needs the event loop — so Qt itself is not told to quit
    closed = Signal()

    def __init__(self, point: Point, *, cashiers: list[Cashier], demo: bool = False,
                 identity_fields: bool = False, refresh_minutes: float = 30.0,
                 ui_state: Path | None = None, customer_display: str = "off",
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 parent: QWidget | None = None) -> None:
        """The cashier's window over ``point`` (see :mod:`cashier_app.bootstrap`): the point
        resumes and schedules payments; the window shows them and takes new ones."""
        super().__init__(parent)
        self.point = point
        self._client_factory = point.new_client
        self._store = point.catalog
        self.engine = engine = point.engine
        self.journal = engine.journal
        self.receipts = receipts = point.receipts
        #: who is at the desk, the open shift, the payment gate, the payment on the desk
        self.session = Session(engine, cashiers)
        self._refresh_seconds = refresh_minutes * 60
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._watched: set[int] = set()  # payments seen «в обработке»: their outcome is news
        self.notices: list[str] = []
        #: what the notice on screen is about, so it is replaced once it is no longer true:
        #: ("payment", id, state), ("receipt", id), ("pending",) or None
        self._notice_about: tuple[Any, ...] | None = None
        self.balance_gap = BALANCE_GAP_SECONDS
        self._balance_asked = float("-inf")  # time.monotonic() of the last balance request
        self._balance_due: asyncio.Task[None] | None = None
        self.setWindowTitle(self.title(demo))
        # the engine's and the printer's news, as Qt signals (the panel listens first)
        hubs = [engine.events] + ([receipts.events] if receipts is not None else [])
        self.bridge = EngineBridge(*hubs, parent=self)
        self.bridge.recovery_failed.connect(self._recovery_failed)

        # --- pages ------------------------------------------------------------------------
        self.pin_guard = PinGuard(self.journal)  # every PIN typed here goes through it
        self.login_page = LoginPage(cashiers, self.pin_guard)
        self.login_page.logged_in.connect(self._logged_in)
        self.login_page.unlock_requested.connect(self.ask_unlock)
        self.shift_page = ShiftPage()
        self.shift_page.open_requested.connect(self.open_shift)
        self.shift_page.logout_requested.connect(self.logout)

        self.catalog_panel = CatalogPanel(usage=self.journal.service_usage,
                                          lookup_phone=self._lookup_phone,
                                          request_done=self._request_outcome)
        self.catalog_panel.service_chosen.connect(self.open_service)
        self.search_box = self.catalog_panel.search_box
        self.tree = self.catalog_panel.tree
        self.results = self.catalog_panel.results
        self.catalog_stack = self.catalog_panel.stack

        self.panel = PaymentPanel(engine, self.session, identity_fields=identity_fields,
                                  receipts=receipts, bank=bank, bridge=self.bridge)
        self.panel.qr_left.connect(self._qr_left)
        self.customer_display: CustomerDisplay | None = None
        self._customer_display_at = customer_display
        if customer_display != "off":
            self.customer_display = CustomerDisplay()
            self.panel.qr_changed.connect(self.customer_display.show_payment)
        self.panel.reset_requested.connect(self._focus_search)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.catalog_panel)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 1)  # a wider window widens the form, not the list
        self.splitter.setChildrenCollapsible(False)  # sized with the window (fit_to_screen)

        # the notice row is above every page: news (a payment settled in the background, a
        # settings warning, a shift closed by the supervisor) is seen on the log-in and shift
        # pages too, and never covers the status bar's fields
        self.notice = QLabel("")
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        policy = self.notice.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # wraps, never widens the row
        self.notice.setSizePolicy(policy)
        self.notice_close = QPushButton("✕")
        self.notice_close.setObjectName("noticeClose")
        self.notice_close.setToolTip(self.tr("Скрыть уведомление"))
        self.notice_close.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.notice_close.clicked.connect(self._hide_notice)
        notice_row = QWidget()
        notice_row.setObjectName("noticeRow")
        notice_row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        notice_layout = QHBoxLayout(notice_row)
        notice_layout.setContentsMargins(8, 4, 8, 4)
        notice_layout.addWidget(self.notice, 1)
        notice_layout.addWidget(self.notice_close, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_row = notice_row
        notice_row.hide()

        self.today_page = TodayPage(self.journal, receipts)
        self.today_page.print_requested.connect(self.print_payment_receipt)
        self.today_page.preview_requested.connect(self.preview_payment_receipt)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, self.tr("Платёж  Ctrl+1"))
        self.tabs.addTab(self.today_page, self.tr("Сегодня  Ctrl+2"))
        self.tabs.currentChanged.connect(self._tab_changed)
        work = QWidget()
        work_column = QVBoxLayout(work)
        work_column.setContentsMargins(4, 4, 4, 4)
        work_column.addWidget(self.tabs)
        self.work_page = work

        self.pages = QStackedWidget()
        for page in (self.login_page, self.shift_page, self.work_page):
            self.pages.addWidget(page)
        central = QWidget()
        central_column = QVBoxLayout(central)
        central_column.setContentsMargins(0, 0, 0, 0)
        central_column.setSpacing(0)
        central_column.addWidget(notice_row)
        central_column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # --- menus and shortcuts ----------------------------------------------------------
        menu = self.menuBar().addMenu(self.tr("&Касса"))
        self.search_action = menu.addAction(self.tr("Найти услугу"))
        self.search_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_F))
        self.search_action.triggered.connect(self._focus_search)
        self.payment_tab_action = menu.addAction(self.tr("Платёж"))
        self.payment_tab_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_1))
        self.payment_tab_action.triggered.connect(lambda: self.tabs.setCurrentIndex(0))
        self.today_action = menu.addAction(self.tr("Платежи за сегодня"))
        self.today_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_2))
        self.today_action.triggered.connect(lambda: self.tabs.setCurrentIndex(1))
        self.refresh_action = menu.addAction(self.tr("Обновить каталог и баланс"))
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.start_refresh)
        menu.addSeparator()
        self.logout_action = menu.addAction(self.tr("Сменить кассира"))
        self.logout_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.logout_action.triggered.connect(self.logout)
        self.quit_action = menu.addAction(self.tr("Выход"))
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.triggered.connect(self.close)
        shift_menu = self.menuBar().addMenu(self.tr("&Смена"))
        self.x_report_action = shift_menu.addAction(self.tr("X-отчёт (без закрытия)"))
        self.x_report_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_X))
        self.x_report_action.triggered.connect(self.print_x_report)
        self.close_shift_action = shift_menu.addAction(self.tr("Закрыть смену…"))
        self.close_shift_action.triggered.connect(self._confirm_close_shift)
        self.z_again_action = shift_menu.addAction(self.tr("Z-отчёт закрытой смены ещё раз"))
        self.z_again_action.triggered.connect(self.print_z_again)
        self.z_again_action.setEnabled(False)
        supervisor_menu = self.menuBar().addMenu(self.tr("Ст&арший кассир"))
        self.supervisor_action = supervisor_menu.addAction(
            self.tr("Журнал, смены, баланс, аудит…"))
        self.supervisor_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_J))
        self.supervisor_action.triggered.connect(self.open_supervisor)
        self.supervisor_window: SupervisorWindow | None = None
        printer_menu = self.menuBar().addMenu(self.tr("&Принтер"))
        self.test_page_action = printer_menu.addAction(self.tr("Пробная страница"))
        self.test_page_action.triggered.connect(self.print_test_page)
        self.test_page_action.setEnabled(receipts is not None)
        for action in (self.search_action, self.payment_tab_action, self.today_action,
                       self.logout_action, self.close_shift_action, self.x_report_action):
            action.setEnabled(False)  # until a cashier is in a shift
        self.bridge.receipt_printed.connect(self._receipt_printed)

        # --- status bar -------------------------------------------------------------------
        self.status = CashierStatusBar()
        self.setStatusBar(self.status)
        self.cashier_label = self.status.cashier_label
        self.shift_label = self.status.shift_label
        self.connection_label = self.status.connection_label
        self.catalog_label = self.status.catalog_label
        self.pending_label = self.status.pending_label
        self.balance_label = self.status.balance_label
        self.balance_label.setText(self.tr("Баланс: нет данных"))
        self.bridge.payment_changed.connect(self._payment_changed)
        self.bridge.request_answered.connect(self._request_sent)
        for record in self.journal.unsettled():
            self._watched.add(record.agent_transaction_id)
        self._show_pending()

        self._ui_state = QSettings(str(ui_state), QSettings.Format.IniFormat) if ui_state else None
        if not self._restore_state():
            self.fit_to_screen()
        self.pages.setCurrentWidget(self.login_page)

    @staticmethod
    def title(demo: bool) -> str:
        """«Касса» or «Касса — демо-режим». Qt adds the application's display name to a
        title that does not end with it; launch names the application with this text, so
        the title bar shows it once."""
        return (QCoreApplication.translate("MainWindow", "Касса — демо-режим") if demo
                else QCoreApplication.translate("MainWindow", "Касса"))

    @property
    def catalog(self) -> Catalog | None:
        return self.catalog_panel.catalog

    @property
    def cashier(self) -> Cashier | None:
        return self.session.cashier

    @property
    def shift(self) -> Shift | None:
        return self.session.shift

    @shift.setter
    def shift(self, shift: Shift | None) -> None:
        self.session.shift = shift

    @property
    def last_closed_shift(self) -> int | None:
        return self.session.last_closed_shift

    # --- lifecycle ------------------------------------------------------------------------
    def show_customer_display(self) -> None:
        """Where ``customer_display`` says: ``window`` — a window of its own; ``screen:N`` —
        full screen on screen N (the customer's monitor); a screen that is not there gives a
        window and a notice; ``off`` — nothing."""
        display = self.customer_display
        where = self._customer_display_at
        if display is None:
            return
        screens = QGuiApplication.screens()
        if where.startswith("screen:"):
            number = int(where.split(":", 1)[1])
            if 1 <= number <= len(screens):
                display.setScreen(screens[number - 1])
                display.setGeometry(screens[number - 1].geometry())
                display.showFullScreen()
                return
            self.show_notice(self.tr("Экран покупателя: экрана {0} нет (подключено {1}), "
                                     "показываю окном").format(number, len(screens)), "warn")
        display.resize(640, 760)
        display.show()

    def start(self) -> None:
        """Begin loading in the background; returns at once."""
        self._keep(asyncio.ensure_future(self.refresh()))
        self._keep(asyncio.ensure_future(self._refresh_periodically()))

    def start_refresh(self) -> None:
        self._keep(asyncio.ensure_future(self.refresh()))

    def _keep(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self._tasks.discard)

    def stop_background(self) -> None:
        self._stop.set()

    async def shutdown(self) -> None:
        """Stop background work and let an attempt in flight finish (its outcome is stored;
        an unfinished one stays «в обработке» and is resumed at the next start)."""
        self.stop_background()
        self.catalog_panel.cancel_lookup()
        if self.customer_display is not None:
            self.customer_display.close()
        tasks: list[asyncio.Future[Any]] = [*self._tasks, *self.panel.tasks]
        if self.supervisor_window is not None:
            tasks += self.supervisor_window.tasks
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=5)
            for task in unfinished:
                task.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        self._save_state()
        self.stop_background()
        if self.customer_display is not None:
            self.customer_display.close()
        super().closeEvent(event)

    # --- size and place -------------------------------------------------------------------
    def fit_to_screen(self) -> None:
        """Open as large as the work wants, never larger than the screen's free area (the
        task bar excluded): at 1366×768 a 1280×800 window had its status bar below the
        screen. Where the preferred size does not fit, the window opens maximized — the
        window manager then fits the frame too, which nobody knows before the window is
        shown — and its normal size is the free area less a frame's room."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        room = available.size() - FRAME_ALLOWANCE
        # the catalog a third of a narrow window, never more than it needs on a wide one
        width = min(PREFERRED_SIZE.width(), available.width())
        left = min(430, max(self.catalog_panel.minimumWidth(), width * 34 // 100))
        self.splitter.setSizes([left, max(1, width - left)])
        if (PREFERRED_SIZE.width() <= room.width()
                and PREFERRED_SIZE.height() <= room.height()):
            self.resize(PREFERRED_SIZE)
            self.move(available.x() + (available.width() - PREFERRED_SIZE.width()) // 2,
                      available.y() + (available.height() - PREFERRED_SIZE.height()) // 2)
            return
        self.resize(room.boundedTo(PREFERRED_SIZE).expandedTo(QSize(640, 480)))
        self.move(available.topLeft())
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def fits_screen(self) -> bool:
        """Is the whole window — frame, status bar — on the screen's free area?"""
        if self.isMaximized() or self.isFullScreen():
            return True
        screen = self.screen() or QGuiApplication.primaryScreen()
        frame = self.frameGeometry()
        if frame.size() == self.size():  # not shown yet: room for the frame to come
            frame = frame.adjusted(0, 0, FRAME_ALLOWANCE.width(), FRAME_ALLOWANCE.height())
        return screen.availableGeometry().contains(frame)

    def _restore_state(self) -> bool:
        """The size, place and catalog width of the last session — the size and place only
        if the window fits this screen with them (the screen may be another one now).
        True: restored."""
        if self._ui_state is None:
            return False
        restored = False
        geometry = self._ui_state.value("window/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            restored = self.fits_screen()
        splitter = self._ui_state.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        return restored

    def _save_state(self) -> None:
        if self._ui_state is None:
            return
        self._ui_state.setValue("window/geometry", self.saveGeometry())
        self._ui_state.setValue("window/splitter", self.splitter.saveState())
        self._ui_state.sync()

    # --- log-in and shift -----------------------------------------------------------------
    def _who(self) -> tuple[str, int | None]:
        return self.session.who()

    def _logged_in(self, cashier: Cashier) -> None:
        current = self.session.log_in(cashier)
        self.status.show_cashier(cashier.name)
        self.logout_action.setEnabled(True)
        if self.session.shift is not None:
            self._enter_shift(self.session.shift)
            return
        self.pages.setCurrentWidget(self.shift_page)
        self.shift_page.show_for(cashier.name, current)

    def open_shift(self) -> None:
        if self.cashier is None:
            return
        try:
            shift = self.session.open_shift(self.shift_page.opening_cash())
        except (ShiftError, AmountError) as error:
            self.shift_page.message.setText(str(error))
            return
        self._enter_shift(shift)

    def _enter_shift(self, shift: Shift) -> None:
        self.status.show_shift(shift.id, shift.opened_at)
        for action in (self.search_action, self.payment_tab_action, self.today_action,
                       self.close_shift_action, self.x_report_action):
            action.setEnabled(True)
        self.pages.setCurrentWidget(self.work_page)
        self.tabs.setCurrentIndex(0)
        self.today_page.show_for(shift.cashier)
        self._focus_search()

    def logout(self) -> None:
        """Back to the log-in screen; the shift stays open (a break, a change of cashier)."""
        self.panel.clear()
        self.session.log_out()
        self.status.show_cashier(None)
        self.status.show_shift(None)
        for action in (self.search_action, self.payment_tab_action, self.today_action,
                       self.logout_action, self.close_shift_action, self.x_report_action):
            action.setEnabled(False)
        self.pages.setCurrentWidget(self.login_page)
        self.login_page.pin.setFocus()

    def shift_busy(self, shift_id: int) -> str | None:
        """Why the shift cannot be closed right now (a payment is on its way), or None."""
        return self.session.shift_busy(shift_id)

    def payment_busy(self, agent_transaction_id: int) -> bool:
        """The payment is open in the panel (the cashier is working with it)."""
        return self.session.payment_busy(agent_transaction_id)

    def _confirm_close_shift(self) -> None:
        """The cash count is the confirmation: the drawer is counted, then the shift closes."""
        if self.shift is None:
            return
        busy = self.shift_busy(self.shift.id)
        if busy:
            self.show_notice(busy, "warn", about=self.panel.record)
            return
        shift = self.journal.shift(self.shift.id)
        title = self.tr("Закрытие смены №{0}").format(shift.id)
        pending = self.journal.count_pending()
        if pending:
            title += self.tr(" (в обработке: {0} — будут проведены в фоне)").format(pending)
        self.count_dialog = ask_cash_count(self, title, shifts.expected_cash(self.journal, shift),
                                           shift.opening_cash, self.close_shift)

    def close_shift(self, counted: Decimal | None = None,
                    pieces: dict[str, int] | None = None) -> None:
        """Close the cashier's shift with the drawer counted (``counted``), print the Z."""
        if self.shift is None or self.cashier is None:
            return
        busy = self.shift_busy(self.shift.id)
        if busy:
            self.show_notice(busy, "warn", about=self.panel.record)
            return
        self.panel.clear()
        try:
            closed = self.session.close_shift(counted, pieces)
        except ShiftError as error:
            self.show_notice(str(error), "error")
            return
        self._left_shift(closed)
        if closed.cash_difference is not None:
            self.shift_page.show_closed(closed)
            self.show_notice(self.shift_page.message.text(),
                             shifts.difference_kind(closed.cash_difference))

    def _left_shift(self, closed: Shift) -> None:
        self.session.left_shift(closed)
        self.status.show_shift(closed.id, closed=True)
        for action in (self.search_action, self.payment_tab_action, self.today_action,
                       self.close_shift_action, self.x_report_action):
            action.setEnabled(False)
        if self.receipts is not None:  # the Z report prints at the close
            self.z_again_action.setEnabled(True)
            if closed.closed_by == (self.cashier.name if self.cashier else None):
                self._keep(asyncio.ensure_future(self._print_stored(
                    self.receipts.z_report(closed.id))))
        self.pages.setCurrentWidget(self.shift_page)
        if self.cashier is not None:
            self.shift_page.show_for(self.cashier.name, None)

    def _shift_closed_by_supervisor(self, closed: Shift) -> None:
        if self.session.in_shift(closed.id):
            self.panel.clear()
            self._left_shift(closed)
            self.show_notice(self.tr("Смену №{0} закрыл(а) {1}").format(
                closed.id, closed.closed_by or ""), "warn")

    # --- the supervisor -------------------------------------------------------------------
    def supervisors(self) -> list[Cashier]:
        return self.session.supervisors()

    def open_supervisor(self) -> None:
        """The supervisor's window: at once for a supervisor at the desk, else after a
        supervisor's PIN."""
        if self.supervisor_window is not None and self.supervisor_window.isVisible():
            self.supervisor_window.raise_()
            self.supervisor_window.activateWindow()
            return
        if self.cashier is not None and self.cashier.role.supervises:
            self.show_supervisor(self.cashier)
            return
        dialog = SupervisorPinDialog(
            self.supervisors(), self.tr("Журнал, смены, сверка кассы и аудит — для старшего "
                                        "кассира. Введите его PIN."), self.pin_guard, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.authorized.connect(self.show_supervisor)
        self.pin_dialog = dialog
        dialog.open()

    def ask_unlock(self, person: Cashier) -> None:
        """A locked cashier's log-in opened early by another supervisor's PIN (audited)."""
        others = self.session.supervisors(besides=person.name)
        dialog = SupervisorPinDialog(
            others, self.tr("Снять блокировку входа кассира {0} — для старшего кассира. "
                            "Введите его PIN.").format(person.name), self.pin_guard, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def unlock(supervisor: Cashier) -> None:
            self.pin_guard.unlock(person, supervisor)
            self.login_page.show_state()
            self.login_page.message.setText(self.tr("Блокировка снята ({0}): {1} может "
                                                    "войти").format(supervisor.name,
                                                                    person.name))

        dialog.authorized.connect(unlock)
        self.pin_dialog = dialog
        dialog.open()

    def show_supervisor(self, actor: Cashier) -> SupervisorWindow:
        async def fetch() -> AgentBalance:
            async with self._client_factory() as client:
                try:
                    answer = await client.balance()
                except ProcessingError as error:
                    self._request_outcome(outcome_of(error), str(error))
                    raise
            self._request_outcome("answer", "")
            self._note_balance(answer)
            return answer

        window = SupervisorWindow(
            self.engine, actor, receipts=self.receipts, fetch_balance=fetch,
            shift_busy=self.shift_busy, payment_busy=self.payment_busy, parent=self)
        window.shift_closed.connect(self._shift_closed_by_supervisor)
        window.payment_changed.connect(self._payment_changed)
        self.supervisor_window = window
        window.show()
        return window

    def payment_blocker(self) -> str | None:
        """Why a new payment cannot be taken now, or None."""
        return self.session.payment_blocker()

    # --- background loading ---------------------------------------------------------------
    def _recovery_failed(self, message: str) -> None:
        self.show_notice(self.tr("Платежи «в обработке» не возобновлены при запуске: {0}. "
                                 "Программа повторит их в фоне").format(message), "error",
                         about=("pending",))

    async def refresh(self) -> None:
        cached = self._store.load()  # from disk, no network: shown at once
        if cached is not None and self.catalog is None:
            self._show_catalog(cached)
        async with self._client_factory() as client:
            await asyncio.gather(self._load_catalog(client), self._load_balance(client))

    async def _refresh_periodically(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self._refresh_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self.refresh()
            except Exception:
                log.exception("background refresh failed")

    async def _load_catalog(self, client: ProcessingClient) -> None:
        try:
            catalog = await self._store.refresh(client)
        except (ProcessingError, CatalogError) as error:
            log.warning("catalog refresh failed: %s", error)
            self._request_outcome(outcome_of(error), str(error))
            if self.catalog is None:
                self.status.catalog_unavailable()
            return
        self._request_outcome("answer", "")
        self._show_catalog(catalog)

    async def refresh_balance(self) -> None:
        async with self._client_factory() as client:
            await self._load_balance(client)

    async def _load_balance(self, client: ProcessingClient) -> None:
        self._balance_asked = time.monotonic()
        try:
            answer = await client.balance()
        except ProcessingError as error:
            log.warning("balance failed: %s", error)
            self._request_outcome(outcome_of(error), str(error))
            self.status.balance_failed(str(error))
            return
        self._request_outcome("answer", "")
        if not answer.ok:
            self.status.balance_failed(answer.cashier_message)
            return
        self._note_balance(answer)

    def _balance_after_payment(self) -> None:
        """A payment was paid: the balance moved. Asked again now — or, when it was asked
        less than :attr:`balance_gap` seconds ago, once that long after (every payment paid
        meanwhile is in that one answer)."""
        if self._balance_due is not None or self._stop.is_set():
            return
        now = time.monotonic()
        delay = max(0.0, self._balance_asked + self.balance_gap - now)
        self._balance_due = asyncio.ensure_future(self._balance_later(delay, now))
        self._keep(self._balance_due)

    async def _balance_later(self, delay: float, paid_at: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
            return  # the window is closing
        except TimeoutError:
            pass
        finally:
            self._balance_due = None  # a payment paid from now on needs a newer answer
        if self._balance_asked >= paid_at:
            return  # a balance asked since then (F5, the periodic refresh) has it already
        await self.refresh_balance()

    def _note_balance(self, answer: AgentBalance) -> None:
        """A fetched balance: the payment gate (the session) and the status bar."""
        if self.session.note_balance(answer):
            self.status.show_balance(answer.balance, answer.currency, self.session.level)

    def _request_sent(self, sent: Sent[Any]) -> None:
        """The engine's check, pay or QR request came back."""
        self._request_outcome(sent.outcome, sent.message)

    def _request_outcome(self, outcome: str, message: str) -> None:
        """Any request to the processing center came back: the connection field follows."""
        self.status.request_done(outcome, message)

    # --- catalog and search ---------------------------------------------------------------
    def _show_catalog(self, catalog: Catalog) -> None:
        """A new catalog replaces the lists; what the cashier is typing or filling stays."""
        self.catalog_panel.show_catalog(catalog)
        self.status.show_catalog(len(catalog.services), catalog.fetched_at,
                                 from_cache=catalog.from_cache)

    def service(self, service_id: str) -> ServiceDefinition | None:
        return self.catalog_panel.service(service_id)

    def _focus_search(self) -> None:
        if self.pages.currentWidget() is not self.work_page:
            return
        self.tabs.setCurrentIndex(0)
        self.catalog_panel.focus_search()

    def result_ids(self) -> list[str]:
        return self.catalog_panel.result_ids()

    async def wait_phone_lookup(self) -> None:
        """For tests and the benchmark: let a running operator lookup finish."""
        await self.catalog_panel.wait_phone_lookup()

    def _lookup_phone(self, phone: str) -> Awaitable[Any]:
        return self.engine.client.operator_by_phone(phone)

    def open_service(self, service_id: str, prefill: dict[str, str] | None = None) -> bool:
        service = self.service(service_id)
        if service is None:
            return False
        if self.panel.step in (Step.CHECKING, Step.PAYING, Step.QR):
            self.show_notice(self.tr("Дождитесь ответа по текущему платежу или нажмите Esc"),
                             "warn", about=self.panel.record)
            return False
        self.panel.open_service(service, prefill)
        return True

    # --- payments -------------------------------------------------------------------------
    def _payment_changed(self, record: PaymentRecord) -> None:
        self.catalog_panel.usage_changed()
        about = self._notice_about
        if about is not None and about[0] == "payment" and (
                about[1] == record.agent_transaction_id and about[2] is not record.state):
            self._hide_notice()  # it spoke of the payment as it was; the news follows, if any
        self._show_pending()
        if record.state is State.PAID:
            self._balance_after_payment()
        if record.state is State.PAYING and record.attempts > 0:
            self._watched.add(record.agent_transaction_id)
        elif record.state in (State.PAID, State.FAILED, State.CANCELLED) and (
                record.agent_transaction_id in self._watched):
            self._watched.discard(record.agent_transaction_id)
            self._settled_in_background(record)
        if self.tabs.currentWidget() is self.today_page:
            self.today_page.reload()
        else:
            self.today_page.dirty = True

    def _qr_left(self, record: PaymentRecord) -> None:
        """The cashier cancelled a QR code that the person could still pay until it expires:
        watched, and its outcome is news."""
        self._watched.add(record.agent_transaction_id)
        until = clock_time(record.qr_expires_at) if record.qr_expires_at else ""
        self.show_notice(self.tr("Оплата по QR отменена. Код действует до {0}: если клиент всё "
                                 "же оплатит его, платёж будет проведён и здесь появится "
                                 "уведомление.").format(until or self.tr("истечения срока")),
                         "warn", about=record)

    def _settled_in_background(self, record: PaymentRecord) -> None:
        amount = money(record.amount_to or Decimal(0))
        if record.by_qr:
            if record.state is State.PAID:
                text = self.tr("Пришла оплата по QR-коду, которого уже нет на экране: {0}, счёт "
                               "{1}, {2}, номер операции {3}. Деньги пришли по СБП, "
                               "наличных нет."
                               ).format(record.service_name, record.account, amount,
                                        record.transaction_id or "—")
                if self.receipts is not None:
                    text += self.tr(" Чек: «Сегодня» → Печать чека (Ctrl+P)")
                self.show_notice(text, "ok", about=record)
            else:
                self.show_notice(self.tr("QR-код на {0} ({1}, счёт {2}) так и не оплачен: {3}"
                                         ).format(amount, record.service_name, record.account,
                                                  record.result_message or ""),
                                 "info", about=record)
            return
        if record.state is State.CANCELLED:
            return
        if record.state is State.PAID:
            text = self.tr("Платёж из обработки проведён: {0}, счёт {1}, {2}, номер "
                           "операции {3}").format(record.service_name, record.account, amount,
                                                  record.transaction_id or "—")
            if self.receipts is not None:
                text += self.tr(". Чек о проведении: «Сегодня» → Печать чека (Ctrl+P)")
            kind = "ok"
        else:
            text = self.tr("Платёж из обработки НЕ проведён: {0}, счёт {1}, {2} — {3}. "
                           "Верните клиенту {4}.").format(
                record.service_name, record.account, amount, record.result_message or "",
                money(record.amount_from or Decimal(0)))
            kind = "error"
        self.show_notice(text, kind, about=record)
        if self.panel.record is not None and (
                self.panel.record.agent_transaction_id == record.agent_transaction_id
                and self.panel.step is Step.DONE):
            self.panel.show_outcome(record)

    # --- receipts and reports -------------------------------------------------------------
    def print_x_report(self) -> None:
        if self.receipts is None or self.shift is None:
            return
        self._keep(asyncio.ensure_future(self._print_stored(
            self.receipts.x_report(self.shift.id))))

    def print_z_again(self) -> None:
        if self.receipts is None or self.last_closed_shift is None:
            return
        self._keep(asyncio.ensure_future(self._print_stored(
            self.receipts.z_report(self.last_closed_shift))))

    async def _print_stored(self, stored: StoredReceipt) -> None:
        assert self.receipts is not None
        self.show_notice(self.tr("Печатаем…"), "info")
        outcome = await self.receipts.print_receipt(stored)
        if not outcome.printed:
            again = (self.tr("Смена → Z-отчёт закрытой смены ещё раз") if stored.kind == "z"
                     else self.tr("Смена → X-отчёт"))
            self.show_notice(self.tr("{0} № {1} не напечатан: {2}. Повторить: {3}").format(
                self.tr("Z-отчёт") if stored.kind == "z" else self.tr("X-отчёт"),
                stored.number, outcome.message, again), "error")

    def print_payment_receipt(self, agent_transaction_id: int) -> None:
        if self.receipts is None:
            return
        self._keep(asyncio.ensure_future(self._print_payment(agent_transaction_id)))

    async def _print_payment(self, agent_transaction_id: int) -> None:
        assert self.receipts is not None
        try:
            await self.receipts.print_payment(agent_transaction_id)
        except ReceiptError as error:
            self.show_notice(str(error), "warn", about=("receipt", agent_transaction_id))

    def preview_payment_receipt(self, agent_transaction_id: int) -> None:
        if self.receipts is None:
            return
        try:
            self.receipt_dialog = open_payment_receipt(
                self, self.receipts, agent_transaction_id,
                lambda: self.print_payment_receipt(agent_transaction_id))
        except ReceiptError as error:
            self.show_notice(str(error), "warn")

    def print_test_page(self) -> None:
        if self.receipts is None:
            return
        dialog = ReceiptDialog(self.tr("Пробная страница"), self.receipts.test_lines(),
                               self.receipts.printer.columns, on_print=self._send_test_page,
                               note=self.tr("Принтер: {0}, профиль {1}").format(
                                   self.receipts.printer.describe() or self.tr("не настроен"),
                                   self.receipts.printer.profile), parent=self)
        self.receipt_dialog = dialog
        dialog.open()

    def _send_test_page(self) -> None:
        self._keep(asyncio.ensure_future(self._test_page()))

    async def _test_page(self) -> None:
        assert self.receipts is not None
        try:
            message = await self.receipts.print_test_page()
        except PrinterError as error:
            self.show_notice(self.tr("Пробная страница не напечатана: {0}").format(error),
                             "error")
            return
        self.show_notice(message, "ok")

    def _receipt_printed(self, outcome: PrintOutcome) -> None:
        """Any print's outcome: the lists show it; a failure the panel is not showing (a
        reprint from «Сегодня», a report) becomes a notice."""
        self.today_page.dirty = True
        if self.tabs.currentWidget() is self.today_page:
            self.today_page.reload()
        payment = outcome.receipt.agent_transaction_id
        shown = self.panel.record is not None and self.panel.step is Step.DONE and (
            self.panel.record.agent_transaction_id == payment)
        if shown:
            if outcome.printed and self._notice_about == ("receipt", payment):
                self._hide_notice()  # «не напечатан» is no longer true; the panel says so
            return
        if outcome.printed:
            self.show_notice(outcome.message, "ok", about=("receipt", payment))
        elif outcome.receipt.kind == "payment":
            self.show_notice(self.tr("Чек не напечатан ({0}): {1}. Напечатать ещё раз: "
                                     "«Сегодня» → Печать чека (Ctrl+P)").format(
                self._payment_words(payment), outcome.message), "error",
                about=("receipt", payment))

    def _payment_words(self, agent_transaction_id: int | None) -> str:
        """A payment as the cashier knows it: service, account, amount (not its 18 digits)."""
        if agent_transaction_id is None:
            return self.tr("отчёт")
        try:
            record = self.journal.get(agent_transaction_id)
        except Exception:  # a notice must not fail over a lookup
            return str(agent_transaction_id)
        return f"{record.service_name}, {record.account}, {money(record.amount_to)}"

    # --- the notice row -------------------------------------------------------------------
    def show_notice(self, text: str, kind: str = "info",
                    about: PaymentRecord | tuple[Any, ...] | None = None) -> None:
        """News in the row above the pages (it replaces the one shown). ``about`` — the
        payment (as it is now), ``("receipt", id)`` or ``("pending",)`` — lets the window
        take the notice down once what it says is no longer so."""
        self.notices.append(text)
        if isinstance(about, PaymentRecord):
            about = ("payment", about.agent_transaction_id, about.state)
        self._notice_about = about
        self.notice.setText(_breakable(text))
        self.notice.setToolTip(text)
        self.notice_row.setProperty("kind", kind)
        self.notice_row.style().unpolish(self.notice_row)
        self.notice_row.style().polish(self.notice_row)
        self.notice.style().polish(self.notice)
        self.notice_row.show()

    def _hide_notice(self) -> None:
        self._notice_about = None
        self.notice_row.hide()

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.today_page and self.today_page.dirty:
            self.today_page.reload()

    def _show_pending(self) -> None:
        count = self.journal.count_pending()
        self.status.show_pending(count)
        if not count and self._notice_about == ("pending",):
            self._hide_notice()  # «не возобновлены… повторит в фоне»: nothing is left to do
