"""The kiosk's one window: every screen in a stack, what lies over them (the idle question,
the slideshow), the lockdown, the out-of-service screen, the heartbeat the watchdog watches,
and the hidden way into the service menu. The sale itself is driven screen by screen by
:class:`~.sale_flow.SaleFlow`; what may be done is decided by the Qt-less
:mod:`cashier_app.workplace.kiosk`.

Lockdown: fullscreen, frameless, on top, no cursor; Alt+F4, Alt+Tab, Esc, Ctrl+Q and every
other key do nothing (a terminal has no keyboard; one plugged in by a passer-by must not get
the desktop). The window closes only through the service menu (or the watchdog's SIGTERM).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from cashier_app.bootstrap import Point
from cashier_app.core.cashiers import Cashier
from cashier_app.devices.cash_intake import AcceptorStatus, CashIntake
from cashier_app.engine import RequestAnswered
from cashier_app.util.heartbeat import HEARTBEAT_ENV, Heartbeat
from cashier_app.workplace.cash_payment import CashPayment
from cashier_app.workplace.kiosk import Idle, IdleWatch, KioskHealth, KioskSale
from cashier_app.workplace.kiosk_service import KioskService
from cashier_app.workplace.login import PinGuard

from .card_screens import (
    CardAddScreen,
    CardFailedScreen,
    CardPayScreen,
    CardPhoneScreen,
    CardQuestionScreen,
    SavedCardsScreen,
)
from .catalog_screens import GroupScreen, HomeScreen, SearchScreen
from .choice_screens import ContractsScreen, InvoiceScreen, NumberScreen
from .form_screen import FormScreen
from .overlays import IdleOverlay, Slideshow
from .pay_screens import CashScreen, ConfirmScreen, QrScreen
from .result_screens import OutOfServiceScreen, ResultScreen, VoucherScreen, WaitScreen
from .sale_flow import SaleFlow
from .screen import Screen
from .service_menu import ServiceMenu
from .ui_map import UiMap

log = logging.getLogger(__name__)
#: the hidden way in: this many touches in the top right corner within WINDOW seconds
SECRET_TOUCHES, SECRET_WINDOW, CORNER = 5, 3.0, 90
PROBE_SECONDS = 30.0  # how often the center and the printer are asked while idle
NARROW = 1200  # px: below this width the screens' buttons take two rows
START_RECOVERY_SECONDS = 30.0  # the longest the start waits for earlier payments' attempts
SHUTDOWN_SECONDS = 5.0  # the longest the end waits for the bill validator


@dataclass(frozen=True)
class KioskConfig:
    terminal: str
    support_phone: str = ""
    idle: float = 60.0
    countdown: float = 15.0
    cash_idle: float = 180.0
    slideshow: str = ""
    slideshow_after: float = 120.0
    paper_out: str = "refuse"
    offline_minutes: float = 5.0
    popular: tuple[str, ...] = ()
    result_seconds: float = 10.0
    lockdown: bool = True  # fullscreen, frameless, on top, no cursor
    portrait: bool | None = None  # None: from the screen
    short_screen: bool | None = None  # under 900 px tall (None: from the screen)
    narrow: bool = False  # a window under 1100 px wide (the demo beside its validator)
    staff: tuple[Cashier, ...] = field(default=())
    saved_cards: bool = False  # paying with a card saved under a phone (kiosk.saved_cards)


class KioskWindow(QWidget):
    """``closed(code)``: the kiosk ends with this exit code (0: to the desktop)."""

    closed = Signal(int)

    def __init__(self, point: Point, intake: CashIntake | None, config: KioskConfig,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.point, self.config = point, config
        self.setObjectName("kioskWindow")
        self.setWindowTitle(f"Терминал {config.terminal}")
        self.intake = intake
        self.cash = CashPayment(point.engine, intake, point.receipts) if intake else None
        self.health = KioskHealth(offline_after=config.offline_minutes * 60,
                                  paper_out=config.paper_out)
        if intake is None:
            self.health.acceptor("не настроен (acceptor.port)")
        self.idle = IdleWatch(idle=config.idle, countdown=config.countdown,
                              cash_idle=config.cash_idle)
        self.sale = KioskSale(point.engine, self.cash, f"Терминал {config.terminal}") \
            if self.cash is not None else None
        portrait = self._portrait() if config.portrait is None else config.portrait
        compact = (config.short_screen if config.short_screen is not None
                   else self._screen_height() < 900)
        self.stack = QStackedWidget()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stack)
        narrow = config.narrow  # three tiles a row instead of four
        self.home = HomeScreen(portrait=portrait, narrow=narrow)
        self.group = GroupScreen(portrait=portrait, narrow=narrow)
        self.search = SearchScreen(portrait=portrait, compact=compact, narrow=narrow)
        self.form = FormScreen()
        self.wait = WaitScreen()
        self.contracts = ContractsScreen()
        self.invoice = InvoiceScreen()
        self.number = NumberScreen()
        self.confirm = ConfirmScreen()
        self.cash_screen = CashScreen()
        self.qr = QrScreen()
        self.card = CardPayScreen()
        self.card_failed = CardFailedScreen()
        self.card_phone = CardPhoneScreen()
        self.card_register = CardQuestionScreen("kioskCardRegister")
        self.saved_cards = SavedCardsScreen()
        self.card_add = CardAddScreen()
        self.card_remove = CardQuestionScreen("kioskCardRemove")
        self.result = ResultScreen()
        self.voucher = VoucherScreen()
        self.out_of_service = OutOfServiceScreen(config.terminal, config.support_phone)
        self.service = KioskService(point.journal, intake, point.receipts, self.health,
                                    config.terminal)
        self.menu = ServiceMenu(self.service, PinGuard(point.journal), config.staff)
        for screen in (self.home, self.group, self.search, self.form, self.wait,
                       self.contracts, self.invoice, self.number, self.confirm,
                       self.cash_screen, self.qr, self.card, self.card_failed,
                       self.card_phone, self.card_register, self.saved_cards, self.card_add,
                       self.card_remove, self.result, self.voucher, self.out_of_service,
                       self.menu):
            screen.set_portrait(True)  # two rows until the window is known to be wide
            self.stack.addWidget(screen)
        self.portrait = portrait
        self.idle_overlay = IdleOverlay(self)
        self.slideshow = Slideshow(config.slideshow, self)
        self.slideshow.touched.connect(self.touched)
        self.flow = SaleFlow(self)
        self.menu.home.connect(self.go_home)
        self.menu.leave.connect(self.leave)
        self._corner_touches: list[float] = []
        self._last_press: tuple[int, object] | None = None
        self._allow_close = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self.started = False
        # a touch anywhere (and a bill) is a sign of life; keys are swallowed (lockdown)
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(500)
        self.tick_timer.timeout.connect(self.tick)
        self.ui_map = UiMap.from_environment()
        heartbeat = os.environ.get(HEARTBEAT_ENV)
        self.heartbeat = Heartbeat(Path(heartbeat)) if heartbeat else None
        self.beat_timer = QTimer(self)
        self.beat_timer.setInterval(2000)
        self.beat_timer.timeout.connect(self.beat)
        point.events.subscribe(RequestAnswered, self._answered)
        if intake is not None:
            intake.events.subscribe(AcceptorStatus, self._acceptor_status)
        self.wait.show_text("Терминал запускается", "Подождите немного")
        self.stack.setCurrentWidget(self.wait)

    # --- start and stop -----------------------------------------------------------------------
    def show_kiosk(self) -> None:
        if self.config.lockdown:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint
                                | Qt.WindowType.WindowStaysOnTopHint)
            self.setCursor(Qt.CursorShape.BlankCursor)
            self.showFullScreen()
        else:
            self.show()
        self.tick_timer.start()
        if self.heartbeat is not None:
            self.beat()
            self.beat_timer.start()

    async def start(self) -> None:
        """Before home: the interrupted cash sessions become vouchers (shown, printed), the
        payments left in progress are resumed, the catalog is loaded."""
        vouchers = []
        if self.cash is not None:
            try:
                vouchers = await self.cash.recover()
            except Exception as error:  # the unit does not answer: out of service
                log.error("bill validator did not start: %s", error)
                self.health.acceptor("не отвечает")
        self.wait.show_text("Терминал запускается", "Проводим платежи, принятые раньше")
        try:  # the payments left in progress are attempted before new work is taken
            await asyncio.wait_for(asyncio.shield(self.spawn(self.point.start())),
                                   START_RECOVERY_SECONDS)
        except TimeoutError:  # the center is slow: they go on in the background
            log.warning("start-up recovery still running; home shown meanwhile")
        await self.flow.load_catalog()
        if self.point.receipts is not None:
            self.health.printer(await self.point.receipts.probe())
        self.started = True
        if vouchers:
            self.flow.show_voucher(vouchers[-1], "Работа терминала была прервана", True)
        else:
            self.go_home()
        self.spawn(self._probe_periodically())

    async def shutdown(self) -> None:
        self.tick_timer.stop()
        self.beat_timer.stop()
        self.flow.stop()
        QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        for task in list(self._tasks):
            task.cancel()
        if self.intake is not None:
            try:  # the unit told to take nothing, the port closed — or given up on
                await asyncio.wait_for(self.intake.acceptor.close(), SHUTDOWN_SECONDS)
            except TimeoutError:
                log.warning("bill validator not closed within %s s", SHUTDOWN_SECONDS)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        task: asyncio.Future[Any] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("kiosk task failed", exc_info=task.exception())

    def leave(self, code: int) -> None:
        if not self._allow_close:
            self._allow_close = True
            self.closed.emit(code)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._allow_close:
            event.accept()
        elif not self.config.lockdown:  # the demo's window closed: the demo ends
            self._allow_close = True
            event.accept()
            self.closed.emit(0)
        else:
            event.ignore()  # Alt+F4 and the like: a terminal stays up

    # --- screens ---------------------------------------------------------------------------------
    def show_screen(self, screen: QWidget) -> None:
        self.idle_overlay.hide()
        self.stack.setCurrentWidget(screen)
        self.idle.touched()
        if self.ui_map is not None:  # at once, not at the next tick (support, the tests)
            QTimer.singleShot(0, lambda: self.ui_map.write(screen, False) if self.ui_map
                              else None)

    def go_home(self) -> None:
        reason = self.health.reason()
        if reason is not None:
            self.out_of_service.show_reason(reason)
            self.show_screen(self.out_of_service)
            return
        self.show_screen(self.home)

    def open_menu(self) -> None:
        if self.flow.busy_with_money():
            return  # never over a person's money
        self.menu.open()
        self.show_screen(self.menu)

    # --- time ------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Twice a second: the idle question, the slideshow, out of service and back."""
        self._tick()
        screen = self.stack.currentWidget()
        if self.ui_map is not None and screen is not None:
            self.ui_map.write(screen, self.idle_overlay.isVisible())

    def _tick(self) -> None:
        screen = self.stack.currentWidget()
        if not self.started or screen in (self.wait,) or self.flow.paying:
            return
        if screen is self.out_of_service:
            if self.health.reason() is None:
                self.go_home()
            else:
                self.out_of_service.show_reason(self.health.reason() or "")
            return
        if screen is self.qr:  # the code has its own lifetime: no idle question over it
            self.flow.qr_tick()
            return
        # a card's link is asked about like cash (the person is busy on their phone), and
        # not at all while the bank confirms a payment already made
        on_phone = screen is self.card
        if on_phone:
            self.flow.card.tick()
            if self.flow.card.confirming():
                return
        if screen is self.home:
            if self.health.reason() is not None:
                self.go_home()
            elif (self.slideshow.available and not self.slideshow.isVisible()
                  and self.idle.quiet > self.config.slideshow_after):
                self.slideshow.start()
            return
        with_cash = self.flow.cash_inserted()
        phase, left = self.idle.phase(with_cash=with_cash or on_phone)
        if phase is Idle.ACTIVE:
            self.idle_overlay.hide()
        elif phase is Idle.ASKING:
            self.idle_overlay.ask(left, with_cash=with_cash)
        else:
            self.idle_overlay.hide()
            self.flow.expired()

    def touched(self) -> None:
        self.idle.touched()
        self.idle_overlay.hide()

    def beat(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.beat()

    async def _probe_periodically(self) -> None:
        """While nobody pays: is the center there (a balance request), has the printer
        paper? What the terminal says on its home screen follows."""
        while True:
            await asyncio.sleep(PROBE_SECONDS)
            if self.flow.busy_with_money():
                continue
            try:
                await self.point.client.balance()
                self.health.processing(True)
            except Exception as error:  # no answer, a refusal: the center is not usable
                log.info("processing probe: %s", error)
                self.health.processing(False)
            if self.point.receipts is not None:
                self.health.printer(await self.point.receipts.probe())

    def _answered(self, event: RequestAnswered) -> None:
        self.health.processing(event.sent.answer is not None)

    def _acceptor_status(self, status: AcceptorStatus) -> None:
        self.health.acceptor(status.text if status.fault else None)

    # --- lockdown and touches -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.touched()
            if isinstance(event, QMouseEvent) and isinstance(watched, QWidget) and (
                    watched.window() is self):
                self._corner(event)
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
                event, QKeyEvent) and isinstance(watched, QWidget) and watched.window() is self:
            return True  # no key does anything here (Alt+F4, Esc, Ctrl+Q included)
        return False

    def _corner(self, event: QMouseEvent) -> None:
        # one press reaches the filter once per widget it propagates through: count it once
        stamp = (event.timestamp(), event.globalPosition().toPoint())
        if stamp == self._last_press:
            return
        self._last_press = stamp
        point = self.mapFromGlobal(event.globalPosition().toPoint())
        if point.x() < self.width() - CORNER or point.y() > CORNER:
            self._corner_touches.clear()
            return
        now = time.monotonic()
        self._corner_touches = [t for t in self._corner_touches if now - t < SECRET_WINDOW]
        self._corner_touches.append(now)
        if len(self._corner_touches) >= SECRET_TOUCHES:
            self._corner_touches.clear()
            self.open_menu()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # a narrow window (portrait, or the demo beside the validator's window) stacks the
        # screens' actions above «Назад» and «На главную»
        stacked = self.portrait or self.width() < NARROW
        for index in range(self.stack.count()):
            screen = self.stack.widget(index)
            if isinstance(screen, Screen):
                screen.set_portrait(stacked)
        if self.idle_overlay.isVisible():
            self.idle_overlay.setGeometry(self.rect())

    def _portrait(self) -> bool:
        size = (self.screen() or QApplication.primaryScreen()).size()
        return size.height() > size.width()

    def _screen_height(self) -> int:
        return (self.screen() or QApplication.primaryScreen()).size().height()
