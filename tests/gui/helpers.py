"""Building the cashier window against the real emulator, and driving it like a cashier."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point, point_for
from cashier_app.core.cashiers import Cashier, Role, hash_pin
from cashier_app.core.schemes import CommissionRule
from cashier_app.engine import PaymentEngine
from cashier_app.journal import Journal
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.cashier.main_window import MainWindow
from tests.conftest import TOKEN

# few PBKDF2 rounds: the tests check the log-in logic, not the hash's cost
CASHIERS = [Cashier("Иванова Анна", hash_pin("1111", iterations=1000)),
            Cashier("Петров Олег", hash_pin("2222", iterations=1000)),
            Cashier("Сидорова Мария", hash_pin("9999", iterations=1000), Role.SUPERVISOR)]
#: 1 % with a 10 ₽ minimum: commission shows up in every amount the tests check.
COMMISSION = [CommissionRule("*", Decimal("1"), Decimal("10"))]
COMMISSION_SETTING = [{"service": "*", "percent": 1, "minimum": 10}]


@dataclass
class FakeTime:
    """The PIN guard's clock and sleep: a pause is recorded and moves the clock, at once."""

    now: datetime = field(default_factory=datetime.now)
    slept: list[float] = field(default_factory=list)
    #: Called in the middle of each pause (to look at the screen while it lasts).
    during: Callable[[], object] | None = None

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.during is not None:
            self.during()
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


@dataclass
class Rig:
    window: MainWindow
    point: Point
    loop: qasync.QEventLoop
    time: FakeTime

    @property
    def engine(self) -> PaymentEngine:
        return self.point.engine

    @property
    def journal(self) -> Journal:
        return self.point.journal

    @property
    def client(self) -> ProcessingClient:
        return self.point.client

    def start(self) -> None:
        """What the program does once the window is up: resume, then schedule (the point)."""
        self.run(self.point.start())

    def run(self, coroutine: object) -> object:
        return self.loop.run_until_complete(coroutine)  # type: ignore[arg-type]

    def wait_for(self, condition: Callable[[], object], timeout: float = 10) -> None:
        self.run(wait_for(condition, timeout))

    def redrawn(self) -> None:
        """Let the news on its way arrive and the lists that follow the bridge's coalesced
        refresh (the pending count, «Сегодня») redraw — before a screenshot."""
        self.run(asyncio.sleep(0.01))
        self.wait_for(lambda: not self.window.bridge.refresh_due)

    def close(self) -> None:
        self.run(self.window.shutdown())
        self.run(self.point.aclose())


def make_point(url: str, data_dir: Path, *, token: str = TOKEN,
               retry: RetryPolicy | None = None) -> Point:
    """The point as the program wires it (bootstrap), on a journal in ``data_dir`` and the
    emulator at ``url``; 1 % commission, at least 10 ₽."""
    policy = retry or RetryPolicy(0.05, 2, 0.2)
    settings = cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: url, cfg.PROCESSING_TOKEN: token, cfg.PROCESSING_TIMEOUT: 2.0,
        cfg.DATA_DIR: str(data_dir), cfg.RETRY_INITIAL: policy.initial,
        cfg.RETRY_FACTOR: policy.factor, cfg.RETRY_MAX: policy.maximum,
        cfg.COMMISSION: COMMISSION_SETTING})
    return point_for(settings, "window")  # the program's own wiring


def make_rig(qtbot: QtBot, loop: qasync.QEventLoop, url: str, data_dir: Path, *,
             token: str = TOKEN, retry: RetryPolicy | None = None,
             printer: PrinterConfig | None = None, time: FakeTime | None = None,
             **options: object) -> Rig:
    """The window on a real journal and the emulator; with ``printer``, receipts print to it
    (settings as tests/unit/receipts/helpers.py SETTINGS). PIN pauses pass on ``time`` (a new
    one unless given: a restarted window shares its predecessor's)."""
    point = make_point(url, data_dir, token=token, retry=retry)
    if printer is not None:
        from tests.unit.receipts.helpers import SETTINGS  # a test printer and receipt texts

        point.receipts = ReceiptService(point.journal, SETTINGS, printer, events=point.events)
    window = MainWindow(point, cashiers=CASHIERS, demo=True, **options)  # type: ignore[arg-type]
    time = time or FakeTime()
    window.pin_guard.clock = time.clock
    window.pin_guard.sleep = time.sleep
    qtbot.addWidget(window)
    window.show()
    return Rig(window, point, loop, time)


async def wait_for(condition: Callable[[], object], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


def type_text(widget: QWidget, text: str) -> None:
    """Key events carrying the text, as a Russian keyboard layout delivers them (QTest's
    keyClicks maps characters through Latin-1 and aborts on Cyrillic)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def press(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)


def log_in(rig: Rig, qtbot: QtBot, *, name: str = "Иванова Анна", pin: str = "1111",
           refresh: bool = True) -> None:
    """Load the catalog, log in, open the shift: the start of a cashier's day."""
    window = rig.window
    if refresh:
        rig.start()
        rig.run(window.refresh())
    page = window.login_page
    page.combo.setCurrentText(name)
    page.pin.setText(pin)
    rig.run(page.login())
    if window.pages.currentWidget() is window.shift_page:
        qtbot.mouseClick(window.shift_page.open_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.work_page
