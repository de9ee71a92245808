"""The cashier's window: log-in and shift, the service catalog with search, the payment panel,
«Сегодня», and a status bar with who, which shift, the connection, the balance and what is
still «в обработке».

Network work runs as asyncio tasks on the Qt thread (qasync): the window never waits. Payment
state is read from the engine and its journal, never kept here.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app import shifts
from cashier_app.catalog import Catalog, CatalogError, CatalogStore
from cashier_app.core.balance import BalanceLevel, balance_level
from cashier_app.core.cashiers import Cashier
from cashier_app.core.money import AmountError, format_amount
from cashier_app.core.search import SearchIndex
from cashier_app.core.services import ACCOUNT, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine
from cashier_app.journal import JournalError, PaymentRecord, Shift, ShiftError, StoredReceipt
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ProcessingError
from cashier_app.processing.models import AgentBalance
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.printers import PrinterError
from cashier_app.receipts.service import PrintOutcome, ReceiptService
from cashier_app.workplace.login import PinGuard

from .pages import LoginPage, ShiftPage, TodayPage
from .payment_panel import PaymentPanel, Step
from .qr_view import CustomerDisplay
from .receipt_view import ReceiptDialog, open_payment_receipt
from .shift_dialogs import SupervisorPinDialog, ask_cash_count
from .supervisor import SupervisorWindow

log = logging.getLogger(__name__)
SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1
PREFILL_ROLE = Qt.ItemDataRole.UserRole + 2
#: Search shows at most this many matches; the cashier narrows the query for the rest.
MAX_RESULTS = 100
_PHONE_CHARS = re.compile(r"^[\d\s()+\-]+$")


def phone_digits(text: str) -> str | None:
    """``+7 (903) 123-45-67``, ``89031234567``, ``9031234567`` → ``9031234567``; else None."""
    if not _PHONE_CHARS.match(text.strip() or "x"):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) == 10 else None


class MainWindow(QMainWindow):
    #: the cashier closed the window (Ctrl+Q, the close button): the program ends after its
    #: shutdown, which still needs the event loop — so Qt itself is not told to quit
    closed = Signal()

    def __init__(self, client_factory: Callable[[], ProcessingClient], store: CatalogStore,
                 *, engine: PaymentEngine, cashiers: list[Cashier], demo: bool = False,
                 identity_fields: bool = False, refresh_minutes: float = 30.0,
                 ui_state: Path | None = None, receipts: ReceiptService | None = None,
                 customer_display: str = "off",
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._store = store
        self.engine = engine
        self.journal = engine.journal
        self.receipts = receipts
        self.last_closed_shift: int | None = None
        self.cashier: Cashier | None = None
        self.shift: Shift | None = None
        self.balance: AgentBalance | None = None
        self.level = BalanceLevel.OK
        self.catalog: Catalog | None = None
        self._by_id: dict[str, ServiceDefinition] = {}
        self._index = SearchIndex(())
        self._refresh_seconds = refresh_minutes * 60
        self._resumed = False
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._phone_task: asyncio.Task[None] | None = None
        self._usage: dict[str, int] | None = None  # service use counts, read when searching
        self._watched: set[int] = set()  # payments seen «в обработке»: their outcome is news
        self.notices: list[str] = []
        self.setWindowTitle(self.tr("Касса — демо-режим") if demo else self.tr("Касса"))
        self.resize(1280, 800)

        # --- pages ------------------------------------------------------------------------
        self.pin_guard = PinGuard(self.journal)  # every PIN typed here goes through it
        self.login_page = LoginPage(cashiers, self.pin_guard)
        self.login_page.logged_in.connect(self._logged_in)
        self.login_page.unlock_requested.connect(self.ask_unlock)
        self.shift_page = ShiftPage()
        self.shift_page.open_requested.connect(self.open_shift)
        self.shift_page.logout_requested.connect(self.logout)

        self.search_box = QLineEdit()
        self.search_box.setObjectName("serviceSearch")
        self.search_box.setPlaceholderText(
            self.tr("Поиск: название, группа, код услуги или номер телефона"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._filter)
        self.search_box.returnPressed.connect(self._open_current_result)
        self.tree = QTreeWidget()
        self.tree.setObjectName("catalogTree")
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([self.tr("Услуга"), self.tr("Код")])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._tree_activated)
        self.tree.itemClicked.connect(self._tree_activated)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setUniformItemSizes(True)  # no per-item size pass on every keystroke
        self.results.itemActivated.connect(self._result_activated)
        self.results.itemClicked.connect(self._result_activated)
        self.catalog_stack = QStackedWidget()
        self.catalog_stack.addWidget(self.tree)
        self.catalog_stack.addWidget(self.results)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.search_box)
        column.addWidget(self.catalog_stack)

        self.panel = PaymentPanel(engine, who=self._who, gate=self.payment_blocker,
                                  identity_fields=identity_fields, receipts=receipts,
                                  bank=bank)
        self.panel.outcome.connect(self._panel_outcome)
        self.panel.qr_left.connect(self._qr_left)
        self.customer_display: CustomerDisplay | None = None
        self._customer_display_at = customer_display
        if customer_display != "off":
            self.customer_display = CustomerDisplay()
            self.panel.qr_changed.connect(self.customer_display.show_payment)
        self.panel.reset_requested.connect(self._focus_search)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        self.splitter.setSizes([430, 850])
        self.splitter.setChildrenCollapsible(False)

        self.notice = QLabel("")
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice_close = QPushButton("✕")
        self.notice_close.setObjectName("noticeClose")
        self.notice_close.setToolTip(self.tr("Скрыть уведомление"))
        self.notice_close.clicked.connect(self._hide_notice)
        notice_row = QWidget()
        notice_row.setObjectName("noticeRow")
        notice_layout = QHBoxLayout(notice_row)
        notice_layout.setContentsMargins(8, 4, 8, 4)
        notice_layout.addWidget(self.notice, 1)
        notice_layout.addWidget(self.notice_close)
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
        work_column.addWidget(notice_row)
        work_column.addWidget(self.tabs)
        self.work_page = work

        self.pages = QStackedWidget()
        for page in (self.login_page, self.shift_page, self.work_page):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)

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
        if receipts is not None:
            receipts.listeners.append(self._receipt_printed)

        # --- status bar -------------------------------------------------------------------
        self.cashier_label = QLabel(self.tr("Кассир не вошёл"))
        self.shift_label = QLabel("")
        self.connection_label = QLabel(self.tr("Процессинг: подключение…"))
        self.catalog_label = QLabel("")
        self.pending_label = QLabel("")
        self.pending_label.setObjectName("pendingLabel")
        self.balance_label = QLabel("")
        self.balance_label.setObjectName("balanceLabel")
        status = self.statusBar()
        for label in (self.cashier_label, self.shift_label, self.connection_label,
                      self.catalog_label, self.pending_label):
            status.addWidget(label)
        status.addPermanentWidget(self.balance_label)
        engine.listeners.append(self._payment_changed)
        for record in self.journal.unsettled():
            self._watched.add(record.agent_transaction_id)
        self._show_pending()

        self._ui_state = QSettings(str(ui_state), QSettings.Format.IniFormat) if ui_state else None
        self._restore_state()
        self.pages.setCurrentWidget(self.login_page)

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

    def _restore_state(self) -> None:
        if self._ui_state is None:
            return
        geometry = self._ui_state.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self._ui_state.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _save_state(self) -> None:
        if self._ui_state is None:
            return
        self._ui_state.setValue("window/geometry", self.saveGeometry())
        self._ui_state.setValue("window/splitter", self.splitter.saveState())
        self._ui_state.sync()

    # --- log-in and shift -----------------------------------------------------------------
    def _who(self) -> tuple[str, int | None]:
        return (self.cashier.name if self.cashier else "",
                self.shift.id if self.shift else None)

    def _logged_in(self, cashier: Cashier) -> None:
        self.cashier = cashier
        self.cashier_label.setText(self.tr("Кассир: {0}").format(cashier.name))
        self.logout_action.setEnabled(True)
        current = self.journal.open_shift_now()
        if current is not None and current.cashier == cashier.name:
            self._enter_shift(current)
            return
        self.pages.setCurrentWidget(self.shift_page)
        self.shift_page.show_for(cashier.name, current)

    def open_shift(self) -> None:
        if self.cashier is None:
            return
        try:
            shift = shifts.open_shift(self.journal, self.cashier.name,
                                      self.shift_page.opening_cash())
        except (ShiftError, AmountError) as error:
            self.shift_page.message.setText(str(error))
            return
        self._enter_shift(shift)

    def _enter_shift(self, shift: Shift) -> None:
        self.shift = shift
        opened = datetime.fromisoformat(shift.opened_at)
        since = opened.strftime("%H:%M" if opened.date() == date.today() else "%d.%m %H:%M")
        self.shift_label.setText(self.tr("Смена №{0} с {1}").format(shift.id, since))
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
        self.cashier = None
        self.shift = None
        self.cashier_label.setText(self.tr("Кассир не вошёл"))
        self.shift_label.setText("")
        for action in (self.search_action, self.payment_tab_action, self.today_action,
                       self.logout_action, self.close_shift_action, self.x_report_action):
            action.setEnabled(False)
        self.pages.setCurrentWidget(self.login_page)
        self.login_page.pin.setFocus()

    def shift_busy(self, shift_id: int) -> str | None:
        """Why the shift cannot be closed right now (a payment is on its way), or None."""
        if self.shift is None or self.shift.id != shift_id:
            return None
        if self.panel.step in (Step.CHECKING, Step.PAYING):
            return self.tr("Дождитесь ответа по текущему платежу")
        if self.panel.step is Step.QR and self.panel.record is not None and (
                self.panel.record.state is State.QR_WAITING):
            return self.tr("Клиент оплачивает QR-код: дождитесь оплаты или отмените её "
                           "(Esc дважды)")
        return None

    def payment_busy(self, agent_transaction_id: int) -> bool:
        """The payment is open in the panel (the cashier is working with it)."""
        record = self.panel.record
        return record is not None and record.agent_transaction_id == agent_transaction_id and (
            self.panel.step is not Step.DONE)

    def _confirm_close_shift(self) -> None:
        """The cash count is the confirmation: the drawer is counted, then the shift closes."""
        if self.shift is None:
            return
        busy = self.shift_busy(self.shift.id)
        if busy:
            self.show_notice(busy, "warn")
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
            self.show_notice(busy, "warn")
            return
        self.panel.clear()
        try:
            closed = shifts.close_shift(self.journal, self.shift.id, actor=self.cashier.name,
                                        role=self.cashier.role, counted=counted,
                                        denominations=pieces)
        except ShiftError as error:
            self.show_notice(str(error), "error")
            return
        self._left_shift(closed)
        if closed.cash_difference is not None:
            text = self.tr("Смена №{0} закрыта. {1}").format(
                closed.id, shifts.difference_text(closed.cash_difference))
            self.shift_page.message.setText(text)
            self.show_notice(text, "ok" if closed.cash_difference == 0 else "warn")

    def _left_shift(self, closed: Shift) -> None:
        self.shift = None
        self.last_closed_shift = closed.id
        self.shift_label.setText(self.tr("Смена закрыта"))
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
        if self.shift is not None and self.shift.id == closed.id:
            self.panel.clear()
            self._left_shift(closed)
            self.show_notice(self.tr("Смену №{0} закрыл(а) {1}").format(
                closed.id, closed.closed_by or ""), "warn")

    # --- the supervisor -------------------------------------------------------------------
    def supervisors(self) -> list[Cashier]:
        return [person for person in self.login_page.cashiers if person.role.supervises]

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
        others = [p for p in self.supervisors() if p.name != person.name]
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
                answer = await client.balance()
            self._note_balance(answer)
            return answer

        window = SupervisorWindow(
            self.engine, actor, receipts=self.receipts, fetch_balance=fetch,
            print_stored=lambda stored: self._keep(asyncio.ensure_future(
                self._print_stored(stored))),
            shift_busy=self.shift_busy, payment_busy=self.payment_busy, parent=self)
        window.shift_closed.connect(self._shift_closed_by_supervisor)
        window.payment_changed.connect(self._payment_changed)
        self.supervisor_window = window
        window.show()
        return window

    def payment_blocker(self) -> str | None:
        """Why a new payment cannot be taken now, or None."""
        if self.cashier is None or self.shift is None:
            return self.tr("Смена не открыта: платежи не принимаются")
        if self.level is BalanceLevel.BLOCKED and self.balance is not None:
            return self.tr("Приём платежей остановлен: баланс агента {0} ₽ достиг порога "
                           "отключения {1} ₽. Пополните баланс и обновите (F5).").format(
                format_amount(self.balance.balance), format_amount(self.balance.overdraft))
        return None

    # --- background loading ---------------------------------------------------------------
    async def refresh(self) -> None:
        cached = self._store.load()  # from disk, no network: shown at once
        if cached is not None and self.catalog is None:
            self._show_catalog(cached)
        if not self._resumed:
            # payments left «в обработке» are resumed before any new work; whatever goes
            # wrong there, the scheduler still starts (it retries them for the rest of the day)
            self._resumed = True
            try:
                await self.engine.recover(wait=0)
            except Exception as error:
                log.exception("start-up recovery failed")
                self.show_notice(self.tr("Платежи «в обработке» не возобновлены при запуске: "
                                         "{0}. Программа повторит их в фоне").format(
                                             error if isinstance(error, JournalError)
                                             else self.tr("внутренняя ошибка")), "error")
            self._show_pending()
            self._keep(asyncio.ensure_future(self.engine.run_scheduler(self._stop)))
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
            self._set_connection(False, str(error))
            if self.catalog is None:
                self.catalog_label.setText(self.tr("Каталог услуг недоступен"))
            return
        self._set_connection(True)
        self._show_catalog(catalog)

    async def refresh_balance(self) -> None:
        async with self._client_factory() as client:
            await self._load_balance(client)

    async def _load_balance(self, client: ProcessingClient) -> None:
        try:
            answer = await client.balance()
        except ProcessingError as error:
            log.warning("balance failed: %s", error)
            self.balance_label.setText(self.tr("Баланс: нет данных"))
            return
        if not answer.ok:
            self.balance_label.setText(self.tr("Баланс: ") + answer.cashier_message)
            return
        self._note_balance(answer)

    def _note_balance(self, answer: AgentBalance) -> None:
        """A fetched balance: the status bar, the payment gate, and the balance log."""
        if not answer.ok:
            return
        self.balance = answer
        try:
            self.journal.log_balance(answer.balance, answer.overdraft, answer.notification,
                                     answer.currency)
        except Exception:  # the log is for the supervisor's view; a full disk must not stop
            log.exception("balance log failed")
        self.level = balance_level(answer.balance, answer.overdraft, answer.notification)
        text = self.tr("Баланс агента: {0} {1}").format(format_amount(answer.balance),
                                                       answer.currency).strip()
        if self.level is BalanceLevel.BLOCKED:
            text += self.tr(" — приём платежей остановлен")
        elif self.level is BalanceLevel.LOW:
            text += self.tr(" — баланс на исходе")
        self.balance_label.setText(text)
        self.balance_label.setProperty("state", {BalanceLevel.OK: "ok",
                                                 BalanceLevel.LOW: "warn",
                                                 BalanceLevel.BLOCKED: "error"}[self.level])
        self.balance_label.style().polish(self.balance_label)

    def _set_connection(self, online: bool, problem: str = "") -> None:
        if online:
            self.connection_label.setText(self.tr("Процессинг: на связи"))
            self.connection_label.setProperty("state", "ok")
        else:
            self.connection_label.setText(problem or self.tr("Процессинг: нет связи"))
            self.connection_label.setProperty("state", "error")
        self.connection_label.style().polish(self.connection_label)

    # --- catalog and search ---------------------------------------------------------------
    def _show_catalog(self, catalog: Catalog) -> None:
        """A new catalog replaces the lists; what the cashier is typing or filling stays."""
        self.catalog = catalog
        self._by_id = {service.service_id: service for service in catalog.services}
        self._index = SearchIndex(catalog.services)
        self._show_groups(catalog)
        if self.search_box.text().strip():
            self._filter(self.search_box.text())
        fetched = catalog.fetched_at
        when = fetched.strftime("%H:%M" if fetched.date() == date.today() else "%d.%m.%Y %H:%M")
        label = (self.tr("Каталог: {0} услуг, сохранён {1}") if catalog.from_cache
                 else self.tr("Каталог: {0} услуг, {1}"))
        self.catalog_label.setText(label.format(len(catalog.services), when))

    def service(self, service_id: str) -> ServiceDefinition | None:
        return self._by_id.get(service_id)

    def _show_groups(self, catalog: Catalog) -> None:
        current = self.tree.currentItem()
        current_id = current.data(0, SERVICE_ROLE) if current else None
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        items = []
        for group, services in sorted(catalog.groups().items()):
            group_item = QTreeWidgetItem([group, ""])
            group_item.setFlags(group_item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for service in services:
                item = QTreeWidgetItem(group_item, [service.name, service.service_id])
                item.setData(0, SERVICE_ROLE, service.service_id)
                if service.service_id == current_id:
                    current = item
            items.append(group_item)
        self.tree.addTopLevelItems(items)
        self.tree.expandAll()
        if current_id is not None and current is not None:
            self.tree.setCurrentItem(current)
        self.tree.setUpdatesEnabled(True)

    def _focus_search(self) -> None:
        if self.pages.currentWidget() is not self.work_page:
            return
        self.tabs.setCurrentIndex(0)
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _filter(self, text: str) -> None:
        """As the cashier types: a flat list, best match first; empty query: the groups."""
        if self._phone_task is not None:
            self._phone_task.cancel()
            self._phone_task = None
        if self.catalog is None:
            return
        if not text.strip():
            self.catalog_stack.setCurrentWidget(self.tree)
            return
        if self._usage is None:  # once per change of the journal, not per keystroke
            self._usage = self.journal.service_usage()
        found, total = self._index.search(text, self._usage, MAX_RESULTS)
        self.results.setUpdatesEnabled(False)
        self.results.clear()
        phone = phone_digits(text)
        if phone is not None:
            item = QListWidgetItem(self.tr("Номер {0}: определяем оператора…").format(phone))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(PREFILL_ROLE, phone)
            self.results.addItem(item)
            self._phone_task = asyncio.ensure_future(self._lookup_phone(phone))
        for service in found:
            item = QListWidgetItem(f"{service.name}  ·  {service.group}  ·  {service.service_id}")
            item.setData(SERVICE_ROLE, service.service_id)
            self.results.addItem(item)
        if total > len(found):
            more = QListWidgetItem(self.tr("… и ещё {0}: уточните запрос").format(
                total - len(found)))
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(more)
        if not found and phone is None:
            empty = QListWidgetItem(self.tr("Ничего не найдено: «{0}»").format(text.strip()))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
        first = next((self.results.item(i) for i in range(self.results.count())
                      if self.results.item(i).data(SERVICE_ROLE)), None)
        if first is not None:
            self.results.setCurrentItem(first)
        self.results.setUpdatesEnabled(True)
        self.catalog_stack.setCurrentWidget(self.results)

    def result_ids(self) -> list[str]:
        return [self.results.item(i).data(SERVICE_ROLE) for i in range(self.results.count())
                if self.results.item(i).data(SERVICE_ROLE)]

    async def _lookup_phone(self, phone: str) -> None:
        """``operatorByPhone`` for a 10-digit number typed in the search: offer that service."""
        item = self.results.item(0)
        try:
            answer = await self.engine.client.operator_by_phone(phone)
        except ProcessingError as error:
            log.info("operatorByPhone %s: %s", phone, error)
            answer = None
        if self.results.count() == 0 or self.results.item(0) is not item:
            return  # the cashier typed on; this list is gone
        service = self.service(answer.service_id) if answer and answer.ok and (
            answer.service_id) else None
        if service is None:
            item.setText(self.tr("Номер {0}: оператор не определён — выберите услугу в списке"
                                 ).format(phone))
            return
        item.setText(self.tr("☎ Номер {0} — {1} ({2}), по базе номеров. Enter — платёж").format(
            phone, service.name, service.service_id))
        item.setData(SERVICE_ROLE, service.service_id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.results.setCurrentItem(item)

    async def wait_phone_lookup(self) -> None:
        """For tests and the benchmark: let a running operator lookup finish."""
        if self._phone_task is not None:
            await asyncio.gather(self._phone_task, return_exceptions=True)

    def _open_current_result(self) -> None:
        if self.catalog_stack.currentWidget() is self.results:
            item = self.results.currentItem()
            if item is not None:
                self._result_activated(item)
        else:
            tree_item = self.tree.currentItem()
            if tree_item is not None:
                self._tree_activated(tree_item)

    def _result_activated(self, item: QListWidgetItem) -> None:
        service_id = item.data(SERVICE_ROLE)
        if service_id:
            phone = item.data(PREFILL_ROLE)
            self.open_service(service_id, {ACCOUNT: phone} if phone else None)

    def _tree_activated(self, item: QTreeWidgetItem) -> None:
        service_id = item.data(0, SERVICE_ROLE)
        if service_id:
            self.open_service(service_id)

    def open_service(self, service_id: str, prefill: dict[str, str] | None = None) -> bool:
        service = self.service(service_id)
        if service is None:
            return False
        if self.panel.step in (Step.CHECKING, Step.PAYING, Step.QR):
            self.show_notice(self.tr("Дождитесь ответа по текущему платежу или нажмите Esc"),
                             "warn")
            return False
        self.panel.open_service(service, prefill)
        return True

    # --- payments -------------------------------------------------------------------------
    def _payment_changed(self, record: PaymentRecord) -> None:
        self._usage = None
        self._show_pending()
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

    def _panel_outcome(self, record: PaymentRecord) -> None:
        if record.state is State.PAID:
            self._keep(asyncio.ensure_future(self.refresh_balance()))

    def _qr_left(self, record: PaymentRecord) -> None:
        """The cashier cancelled a QR code that the person could still pay until it expires:
        watched, and its outcome is news."""
        self._watched.add(record.agent_transaction_id)
        until = (record.qr_expires_at or "")[11:16]
        self.show_notice(self.tr("Оплата по QR отменена. Код действует до {0}: если клиент всё "
                                 "же оплатит его, платёж будет проведён и здесь появится "
                                 "уведомление.").format(until or "истечения срока"), "warn")

    def _settled_in_background(self, record: PaymentRecord) -> None:
        amount = format_amount(record.amount_to or Decimal(0))
        if record.by_qr:
            if record.state is State.PAID:
                text = self.tr("Пришла оплата по QR-коду, которого уже нет на экране: {0}, счёт "
                               "{1}, {2} ₽, номер операции {3}. Деньги пришли по СБП, "
                               "наличных нет."
                               ).format(record.service_name, record.account, amount,
                                        record.transaction_id or "—")
                if self.receipts is not None:
                    text += self.tr(" Чек: «Сегодня» → Печать чека (Ctrl+P)")
                self.show_notice(text, "ok")
            else:
                self.show_notice(self.tr("QR-код {0} ({1}, {2} ₽) так и не оплачен: {3}").format(
                    record.agent_transaction_id, record.service_name, amount,
                    record.result_message or ""), "info")
            return
        if record.state is State.CANCELLED:
            return
        if record.state is State.PAID:
            text = self.tr("Платёж из обработки проведён: {0}, счёт {1}, {2} ₽, номер "
                           "операции {3}").format(record.service_name, record.account, amount,
                                                  record.transaction_id or "—")
            if self.receipts is not None:
                text += self.tr(". Чек о проведении: «Сегодня» → Печать чека (Ctrl+P)")
            kind = "ok"
        else:
            text = self.tr("Платёж из обработки НЕ проведён: {0}, счёт {1}, {2} ₽ — {3}. "
                           "Верните клиенту {4} ₽.").format(
                record.service_name, record.account, amount, record.result_message or "",
                format_amount(record.amount_from or Decimal(0)))
            kind = "error"
        self.show_notice(text, kind)
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
            self.show_notice(str(error), "warn")

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
        shown = self.panel.record is not None and self.panel.step is Step.DONE and (
            self.panel.record.agent_transaction_id == outcome.receipt.agent_transaction_id)
        if shown:
            return
        if outcome.printed:
            self.show_notice(outcome.message, "ok")
        elif outcome.receipt.kind == "payment":
            self.show_notice(self.tr("Чек платежа {0} не напечатан: {1}. Напечатать ещё раз: "
                                     "«Сегодня» → Печать чека (Ctrl+P)").format(
                outcome.receipt.agent_transaction_id, outcome.message), "error")

    def show_notice(self, text: str, kind: str = "info") -> None:
        self.notices.append(text)
        self.notice.setText(text)
        self.notice_row.setProperty("kind", kind)
        self.notice_row.style().polish(self.notice_row)
        self.notice.style().polish(self.notice)
        self.notice_row.show()
        self.statusBar().showMessage(text, 15000)

    def _hide_notice(self) -> None:
        self.notice_row.hide()

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.today_page and self.today_page.dirty:
            self.today_page.reload()

    def _show_pending(self) -> None:
        count = self.journal.count_pending()
        self.pending_label.setText(self.tr("В обработке: {0}").format(count) if count
                                   else self.tr("В обработке: нет"))
        self.pending_label.setProperty("state", "warn" if count else "ok")
        self.pending_label.style().polish(self.pending_label)
