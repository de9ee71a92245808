"""The cashier's window: it composes the desk and says what goes where.

The log-in, shift and «Сегодня» pages, the catalog, the payment panel, the notice row and the
status bar are each their own module; so are the background refresh of the catalog and the
balance (:mod:`.refresher`), the news about payments no longer on screen (:mod:`.news`), the
receipts and reports (:mod:`.desk_receipts`), the way to the supervisor
(:mod:`.supervisor_access`) and the window's size and place (:mod:`.window_place`). The
desk's rules — who is in which shift, whether a payment may be taken, what is busy — are
asked of its :class:`~cashier_app.workplace.session.Session`. What the engine and the printer
do reaches the window through one :class:`~cashier_app.ui.bridge.EngineBridge`; lists that
only redraw follow its coalesced ``refresh``.

About 420 lines, not the 250 aimed at: the window still builds its menus (the actions are
its attributes) and keeps a small public face — ``refresh``, ``open_service``,
``show_supervisor``, ``shift``… — that launch, the benchmark and the GUI tests use; each of
those is a line or two handing over to the module that does the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point
from cashier_app.core.answers import AgentBalance
from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.engine.attempts import Sent
from cashier_app.engine.catalog import Catalog
from cashier_app.journal import PaymentRecord, Shift
from cashier_app.receipts.service import PrintOutcome
from cashier_app.ui.bridge import EngineBridge
from cashier_app.ui.cashier.payment.panel import PaymentPanel, Step
from cashier_app.workplace.login import PinGuard
from cashier_app.workplace.session import Session

from . import window_place
from .catalog_panel import MAX_RESULTS, PREFILL_ROLE, SERVICE_ROLE, CatalogPanel, phone_digits
from .customer_display import CustomerDisplay
from .desk_receipts import DeskReceipts
from .login_page import LoginPage
from .news import PaymentNews
from .notice_bar import NoticeBar
from .refresher import DeskRefresher
from .shift_desk import ShiftDesk
from .shift_page import ShiftPage
from .statusbar import CashierStatusBar
from .supervisor_access import SupervisorAccess
from .today_page import TodayPage
from .wallet import WalletPage

if TYPE_CHECKING:  # the supervisor's window is imported when first opened
    from cashier_app.ui.supervisor.window import SupervisorWindow

__all__ = ["MAX_RESULTS", "PREFILL_ROLE", "SERVICE_ROLE", "MainWindow", "phone_digits"]


class MainWindow(QMainWindow):
    #: the cashier closed the window (Ctrl+Q, the close button): the program ends after its
    #: shutdown, which still needs the event loop — so Qt itself is not told to quit
    closed = Signal()

    def __init__(self, point: Point, *, cashiers: list[Cashier], demo: bool = False,
                 identity_fields: bool = False, refresh_minutes: float = 30.0,
                 ui_state: Path | None = None, customer_display: str = "off",
                 bank: Callable[[int], Awaitable[str]] | None = None,
                 wallet_bank: Callable[[str], Awaitable[str]] | None = None,
                 card_phone: Callable[[str, bool], Awaitable[str]] | None = None,
                 parent: QWidget | None = None) -> None:
        """The cashier's window over ``point`` (see :mod:`cashier_app.bootstrap`): the point
        resumes and schedules payments; the window shows them and takes new ones."""
        super().__init__(parent)
        self.point = point
        self.engine = engine = point.engine
        self.journal = engine.journal
        self.receipts = receipts = point.receipts
        self.session = Session(engine, cashiers)
        self.setWindowTitle(self.title(demo))
        # the engine's and the printer's news, as Qt signals (the panel listens first)
        hubs = [engine.events] + ([receipts.events] if receipts is not None else [])
        self.bridge = bridge = EngineBridge(*hubs, parent=self)
        self.notice_bar = NoticeBar()
        self.notice, self.notice_close = self.notice_bar.label, self.notice_bar.close_button
        self.notice_row, self.notices = self.notice_bar, self.notice_bar.notices
        self.news = PaymentNews(self.journal.unsettled(), receipts=receipts is not None,
                                parent=self)
        self.printing = DeskReceipts(receipts, self.notice_bar, self)
        self.pin_guard = PinGuard(self.journal)  # every PIN typed here goes through it

        # --- the pages ----------------------------------------------------------------------
        self.login_page = LoginPage(cashiers, self.pin_guard)
        self.shift_page = ShiftPage()
        self.catalog_panel = CatalogPanel(usage=self.journal.service_usage,
                                          lookup_phone=lambda phone: (
                                              self.engine.client.operator_by_phone(phone)),
                                          request_done=self._request_outcome)
        self.catalog_panel.service_chosen.connect(self.open_service)
        self.search_box, self.tree = self.catalog_panel.search_box, self.catalog_panel.tree
        self.results, self.catalog_stack = self.catalog_panel.results, self.catalog_panel.stack
        self.panel = PaymentPanel(engine, self.session, identity_fields=identity_fields,
                                  receipts=receipts, bank=bank, card_phone=card_phone,
                                  bridge=bridge)
        self.panel.qr_left.connect(
            lambda record: self.show_notice(self.news.left(record).text, "warn", about=record))
        #: card links the cashier left that the person could still pay: their end is news
        self.cards_left: set[int] = set()
        self.panel.card_left.connect(self._card_left)
        self.panel.reset_requested.connect(self.focus_search)
        self.customer_display = CustomerDisplay(cards=engine.card is not None) if (
            customer_display != "off") else None
        self._customer_display_at = customer_display
        if self.customer_display is not None:
            self.panel.qr_changed.connect(self.customer_display.show_payment)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.catalog_panel)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 1)  # a wider window widens the form, not the list
        self.splitter.setChildrenCollapsible(False)  # sized with the window (window_place)
        self.today_page = TodayPage(self.journal, receipts, bridge=bridge)
        self.today_page.print_requested.connect(self.printing.print_payment)
        self.today_page.preview_requested.connect(self.printing.preview_payment)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, self.tr("Платёж  Ctrl+1"))
        self.tabs.addTab(self.today_page, self.tr("Сегодня  Ctrl+2"))
        self.wallet_page: WalletPage | None = None
        if engine.wallet is not None:  # this point works with e-wallets (wallet.url)
            self.wallet_page = WalletPage(engine, self._wallet_actor, bridge=bridge,
                                          cash_service=point.settings[cfg.WALLET_CASH_SERVICE],
                                          bank=wallet_bank)
            self.wallet_page.cash_refill_requested.connect(self.refill_wallet_with_cash)
            if self.customer_display is not None:
                self.wallet_page.refill_changed.connect(self.customer_display.show_refill)
            if receipts is not None and receipts.auto_print:  # as after a cash payment
                self.wallet_page.receipt_due.connect(self.printing.print_payment)
            self.tabs.addTab(self.wallet_page, self.tr("Кошелёк  Ctrl+3"))
        self.work_page = QWidget()
        work_column = QVBoxLayout(self.work_page)
        work_column.setContentsMargins(4, 4, 4, 4)
        work_column.addWidget(self.tabs)
        self.pages = QStackedWidget()
        for page in (self.login_page, self.shift_page, self.work_page):
            self.pages.addWidget(page)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice_bar)  # above every page; never over the status bar
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        # --- background work, the supervisor ------------------------------------------------
        self.refresher = DeskRefresher(point, refresh_minutes=refresh_minutes,
                                       shown=lambda: self.catalog, parent=self)
        self.refresher.catalog_loaded.connect(self._show_catalog)
        self.refresher.request_done.connect(self._request_outcome)
        self.refresher.balance_fetched.connect(self._note_balance)
        self.supervisor = SupervisorAccess(self.session, self.pin_guard, bridge,
                                           receipts=receipts,
                                           fetch_balance=self.refresher.fetch_balance,
                                           parent=self)
        self._menus()
        self.desk = desk = ShiftDesk(self)
        self.login_page.logged_in.connect(desk.logged_in)
        self.login_page.unlock_requested.connect(self.supervisor.ask_unlock)
        self.supervisor.unlocked.connect(desk.unlocked)
        self.supervisor.shift_closed.connect(desk.closed_elsewhere)
        self.shift_page.open_requested.connect(desk.open_shift)
        self.shift_page.logout_requested.connect(desk.logout)

        # --- the status bar -----------------------------------------------------------------
        self.status = status = CashierStatusBar()
        self.setStatusBar(status)
        self.cashier_label, self.shift_label = status.cashier_label, status.shift_label
        self.connection_label, self.catalog_label = status.connection_label, status.catalog_label
        self.pending_label, self.balance_label = status.pending_label, status.balance_label
        self.balance_label.setText(self.tr("Баланс: нет данных"))
        self.refresher.catalog_missing.connect(status.catalog_unavailable)
        self.refresher.balance_failed.connect(status.balance_failed)
        bridge.payment_changed.connect(self._payment_changed)
        bridge.request_answered.connect(self._request_sent)
        bridge.receipt_printed.connect(self._receipt_printed)
        bridge.recovery_failed.connect(self._recovery_failed)
        bridge.refresh.connect(self._show_pending)
        self._show_pending()
        self._ui_state = QSettings(str(ui_state), QSettings.Format.IniFormat) if ui_state else None
        if not window_place.restore_state(self, self.splitter, self._ui_state):
            self.fit_to_screen()
        self.pages.setCurrentWidget(self.login_page)

    def _menus(self) -> None:
        def action(menu: Any, text: str, slot: Callable[[], object], keys: Any = None) -> Any:
            made = menu.addAction(self.tr(text))
            if keys is not None:
                made.setShortcut(QKeySequence(keys))
            made.triggered.connect(slot)
            return made

        ctrl, bar = Qt.Modifier.CTRL, self.menuBar()
        desk = bar.addMenu(self.tr("&Касса"))
        self.search_action = action(desk, "Найти услугу", self.focus_search, ctrl | Qt.Key.Key_F)
        self.payment_tab_action = action(desk, "Платёж", lambda: self.tabs.setCurrentIndex(0),
                                         ctrl | Qt.Key.Key_1)
        self.today_action = action(desk, "Платежи за сегодня",
                                   lambda: self.tabs.setCurrentIndex(1), ctrl | Qt.Key.Key_2)
        self.wallet_action = action(desk, "Кошелёк", self.show_wallet, ctrl | Qt.Key.Key_3)
        self.wallet_action.setVisible(self.wallet_page is not None)
        self.refresh_action = action(desk, "Обновить каталог и баланс", self.start_refresh,
                                     Qt.Key.Key_F5)
        desk.addSeparator()
        self.logout_action = action(desk, "Сменить кассира", self.logout, ctrl | Qt.Key.Key_L)
        self.quit_action = action(desk, "Выход", self.close, ctrl | Qt.Key.Key_Q)
        shift = bar.addMenu(self.tr("&Смена"))
        printing = self.printing
        self.x_report_action = action(shift, "X-отчёт (без закрытия)", lambda: (
            printing.print_x_report(self.shift.id if self.shift else None)), ctrl | Qt.Key.Key_X)
        self.close_shift_action = action(shift, "Закрыть смену…",
                                         lambda: self.desk.confirm_close())
        self.z_again_action = action(shift, "Z-отчёт закрытой смены ещё раз", lambda: (
            printing.print_z_report(self.session.last_closed_shift)))
        self.z_again_action.setEnabled(False)
        self.supervisor_action = action(bar.addMenu(self.tr("Ст&арший кассир")),
                                        "Журнал, смены, баланс, аудит…", self.supervisor.open,
                                        ctrl | Qt.Key.Key_J)
        self.test_page_action = action(bar.addMenu(self.tr("&Принтер")), "Пробная страница",
                                       printing.show_test_page)
        self.test_page_action.setEnabled(self.receipts is not None)
        self.shift_actions = (self.search_action, self.payment_tab_action, self.today_action,
                              self.close_shift_action, self.x_report_action,
                              *((self.wallet_action,) if self.wallet_page is not None else ()))
        for made in (self.logout_action, self.wallet_action, *self.shift_actions):
            made.setEnabled(False)  # until a cashier is in a shift

    @staticmethod
    def title(demo: bool) -> str:
        """«Касса» or «Касса — демо-режим». Qt adds the application's display name to a
        title that does not end with it; launch names the application with this text, so
        the title bar shows it once."""
        return (QCoreApplication.translate("MainWindow", "Касса — демо-режим") if demo
                else QCoreApplication.translate("MainWindow", "Касса"))

    # --- what the tests, the benchmark and launch read ------------------------------------------
    @property
    def catalog(self) -> Catalog | None:
        return self.catalog_panel.catalog

    @property
    def shift(self) -> Shift | None:
        return self.session.shift

    @shift.setter
    def shift(self, shift: Shift | None) -> None:
        self.session.shift = shift

    @property
    def supervisor_window(self) -> SupervisorWindow | None:
        return self.supervisor.window

    @property
    def pin_dialog(self) -> QWidget | None:
        return self.supervisor.pin_dialog

    @property
    def receipt_dialog(self) -> QWidget | None:
        return self.printing.dialog

    @property
    def count_dialog(self) -> QWidget | None:
        return self.desk.count_dialog

    @property
    def balance_gap(self) -> float:
        return self.refresher.gap

    @balance_gap.setter
    def balance_gap(self, gap: float) -> None:
        self.refresher.gap = gap

    # --- lifecycle ------------------------------------------------------------------------
    def show_customer_display(self) -> None:
        """The customer's screen, where the settings say (``sbp.customer_display``)."""
        if self.customer_display is not None:
            warning = self.customer_display.show_at(self._customer_display_at)
            if warning:
                self.show_notice(warning, "warn")

    def start(self) -> None:
        """Begin loading in the background; returns at once."""
        self.refresher.start()

    def start_refresh(self) -> None:
        self.refresher.start_refresh()

    async def refresh(self) -> None:
        await self.refresher.refresh()

    async def refresh_balance(self) -> None:
        await self.refresher.refresh_balance()

    def stop_background(self) -> None:
        self.refresher.stop()

    async def shutdown(self) -> None:
        """Stop background work and let an attempt in flight finish (its outcome is stored;
        an unfinished one stays «в обработке» and is resumed at the next start). The window
        stops following the engine: nothing is redrawn from a journal about to close."""
        self.stop_background()
        self.bridge.close()
        self.catalog_panel.cancel_lookup()
        if self.customer_display is not None:
            self.customer_display.close()
        tasks: list[asyncio.Future[Any]] = [*self.refresher.tasks, *self.panel.tasks,
                                            *self.printing.tasks]
        if self.wallet_page is not None:
            tasks += self.wallet_page.tasks
        if self.supervisor_window is not None:
            tasks += self.supervisor_window.tasks
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=5)
            for task in unfinished:
                task.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        window_place.save_state(self, self.splitter, self._ui_state)
        self.stop_background()
        self.bridge.close()  # a closed window listens to nothing
        if self.customer_display is not None:
            self.customer_display.close()
        super().closeEvent(event)

    def fit_to_screen(self) -> None:
        window_place.fit_to_screen(self, self.splitter, self.catalog_panel.minimumWidth())

    def fits_screen(self) -> bool:
        return window_place.fits_screen(self)

    # --- log-in and shift -------------------------------------------------------------------
    def open_shift(self) -> None:
        self.desk.open_shift()

    def logout(self) -> None:
        """Back to the log-in screen; the shift stays open (a break, a change of cashier)."""
        self.desk.logout()

    def close_shift(self, counted: Decimal | None = None,
                    pieces: dict[str, int] | None = None) -> None:
        """Close the cashier's shift with the drawer counted (``counted``), print the Z."""
        self.desk.close_shift(counted, pieces)

    def payment_blocker(self) -> str | None:
        """Why a new payment cannot be taken now, or None."""
        return self.session.payment_blocker()

    def show_supervisor(self, actor: Cashier) -> SupervisorWindow:
        return self.supervisor.show(actor)

    # --- the catalog, the status bar ------------------------------------------------------------
    def _show_catalog(self, catalog: Catalog) -> None:
        """A new catalog replaces the lists; what the cashier is typing or filling stays."""
        self.catalog_panel.show_catalog(catalog)
        self.status.show_catalog(len(catalog.services), catalog.fetched_at,
                                 from_cache=catalog.from_cache)

    def focus_search(self) -> None:
        if self.pages.currentWidget() is self.work_page:
            self.tabs.setCurrentIndex(0)
            self.catalog_panel.focus_search()

    def result_ids(self) -> list[str]:
        return self.catalog_panel.result_ids()

    async def wait_phone_lookup(self) -> None:
        """For tests and the benchmark: let a running operator lookup finish."""
        await self.catalog_panel.wait_phone_lookup()

    def open_service(self, service_id: str, prefill: dict[str, str] | None = None) -> bool:
        service = self.catalog_panel.service(service_id)
        if service is None:
            return False
        if self.panel.step in (Step.CHECKING, Step.PAYING, Step.QR):
            self.show_notice(self.tr("Дождитесь ответа по текущему платежу или нажмите Esc"),
                             "warn", about=self.panel.record)
            return False
        self.panel.open_service(service, prefill)
        return True

    # --- the e-wallet tab ----------------------------------------------------------------------
    def _wallet_actor(self) -> tuple[str, str, int | None]:
        """Who acts on a wallet now: the cashier at the desk, their role and shift."""
        name, shift_id = self.session.who()
        cashier = self.session.cashier
        return name, str(cashier.role) if cashier is not None else "", shift_id

    def show_wallet(self) -> None:
        if self.wallet_page is not None and self.pages.currentWidget() is self.work_page:
            self.tabs.setCurrentWidget(self.wallet_page)
            self.wallet_page.focus_search()

    def refill_wallet_with_cash(self, phone: str) -> bool:
        """«Пополнить наличными» on a wallet card: the ordinary payment form of the catalog's
        wallet service (``wallet.cash_service``) with the wallet's phone as the account."""
        service_id = self.point.settings[cfg.WALLET_CASH_SERVICE]
        if self.catalog_panel.service(service_id) is None:
            self.show_notice(self.tr("Услуги {0} (пополнение кошелька наличными) нет в "
                                     "каталоге").format(service_id or "—"), "warn")
            return False
        self.tabs.setCurrentIndex(0)
        return self.open_service(service_id, {"account": phone})

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

    def _show_pending(self) -> None:
        counts = self.journal.count_pending_by_state()
        self.status.show_pending(counts[State.PAYING], counts[State.QR_WAITING])
        if not any(counts.values()):  # «не возобновлены… повторит в фоне»: nothing is left to do
            self.notice_bar.take_down_if(("pending",))

    # --- news -------------------------------------------------------------------------------
    def show_notice(self, text: str, kind: str = "info",
                    about: PaymentRecord | tuple[Any, ...] | None = None) -> None:
        """News in the row above the pages (see :class:`.notice_bar.NoticeBar`)."""
        self.notice_bar.put_up(text, kind, about)

    def _card_left(self, record: PaymentRecord) -> None:
        """A link cannot be withdrawn: the cashier is told until when it can still be paid,
        and its end will be news."""
        self.cards_left.add(record.agent_transaction_id)
        until = (record.qr_expires_at or "")[11:16]
        self.show_notice(self.tr("Оплата картой отменена на кассе, но ссылку отозвать нельзя: "
                                 "до {0} клиент ещё может оплатить её. Если оплатит, платёж "
                                 "будет проведён и здесь появится уведомление.").format(
            until or self.tr("истечения срока")), "warn", about=record)

    def _card_left_ended(self, record: PaymentRecord) -> bool:
        """A left link reached its end: said in the card's words (True), or not ours."""
        if record.agent_transaction_id not in self.cards_left or (
                record.state is State.QR_WAITING):
            return False
        self.cards_left.discard(record.agent_transaction_id)
        amount = money(record.amount_to or Decimal(0))
        if record.state is State.PAID:
            text = self.tr("Пришла оплата картой по ссылке, которой уже нет на экране: {0}, "
                           "счёт {1}, {2}. Деньги списаны с карты, наличных нет.").format(
                record.service_name, record.account, amount)
            if self.receipts is not None:
                text += self.tr(" Чек: «Сегодня» → Печать чека (Ctrl+P)")
            self.show_notice(text, "ok", about=record)
        return True  # not paid: no money moved, the notice about it went with its state

    def _payment_changed(self, record: PaymentRecord) -> None:
        self.catalog_panel.usage_changed()
        self.notice_bar.outdated_by(record)  # the news that follows, if any, replaces it
        if record.state is State.PAID:
            self.refresher.after_payment()
        if record.by_card and self._card_left_ended(record):
            return
        news = self.news.heard(record)
        if news is None:
            return
        self.show_notice(news.text, news.kind, about=record)
        if not (record.by_qr or record.by_card) and self._on_screen(
                record.agent_transaction_id):
            self.panel.show_outcome(record)

    def _on_screen(self, agent_transaction_id: int | None) -> bool:
        """The payment panel shows this payment's outcome."""
        record = self.panel.record
        return self.panel.step is Step.DONE and record is not None and (
            record.agent_transaction_id == agent_transaction_id)

    def _recovery_failed(self, message: str) -> None:
        self.show_notice(self.tr("Платежи «в обработке» не возобновлены при запуске: {0}. "
                                 "Программа повторит их в фоне").format(message), "error",
                         about=("pending",))

    def _receipt_printed(self, outcome: PrintOutcome) -> None:
        self.printing.printed(outcome, on_screen=self._on_screen(
            outcome.receipt.agent_transaction_id))
