"""The kiosk's window as the program wires it — the processing emulator on loopback, the
software validator on a real pty, a receipt printer on 127.0.0.1, a real journal file — and
a person's touches on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point, point_for
from cashier_app.devices.cash_intake import CashIntake
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.processing.sbp import SbpClient
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.kiosk.launch import kiosk_style
from cashier_app.ui.kiosk.window import KioskConfig, KioskWindow
from tests.conftest import TOKEN
from tests.gui.helpers import CASHIERS, COMMISSION_SETTING, wait_for
from tests.unit.receipts.helpers import SETTINGS, FakePrinter

SIZES = {"landscape": (1920, 1080), "square": (1280, 1024), "portrait": (1080, 1920),
         "demo": (830, 730)}  # the demo's window beside the validator's, on a 1366×768 screen


@dataclass
class KioskRig:
    window: KioskWindow
    point: Point
    unit: SoftwareValidator
    printer: FakePrinter
    loop: qasync.QEventLoop
    qtbot: QtBot
    emulator: EmulatorServer
    size: str = "landscape"

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def wait_for(self, condition: Callable[[], object], timeout: float = 10) -> None:
        self.run(wait_for(condition, timeout))

    def on(self, screen: QWidget, timeout: float = 10) -> None:
        self.wait_for(lambda: self.window.stack.currentWidget() is screen, timeout)

    def touch(self, button: QPushButton) -> None:
        """A finger on the button — with the asyncio loop running, as in the program (the
        Qt events a click processes may carry the loop's own callbacks)."""
        assert button.isVisible() and button.isEnabled(), button.text()
        self.touch_at(button, button.rect().center())

    def touch_at(self, widget: QWidget, point: QPoint) -> None:
        async def click() -> None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=point)
            await asyncio.sleep(0.01)

        self.run(click())

    def tile(self, pager: Any, text: str) -> QPushButton:
        for button in pager.buttons:
            if button.isEnabled() and button.text().split("\n")[0] == text:
                return button  # type: ignore[no-any-return]
        raise AssertionError(f"no tile {text!r} in {pager.visible_texts()}")

    def key(self, keys: Any, text: str) -> None:
        self.touch(keys.buttons[text])

    def type_digits(self, keys: Any, digits: str) -> None:
        for digit in digits:
            self.key(keys, digit)

    def insert(self, *amounts: int) -> None:
        cash = self.window.cash
        assert cash is not None
        for amount in amounts:
            before = cash.due().inserted
            self.unit.insert(amount)
            self.wait_for(lambda before=before: cash.due().inserted > before)
        self.run(asyncio.sleep(0.05))

    def receipts_printed(self) -> list[bytes]:
        """What the printer received that was more than a paper-sensor question."""
        return [data for data in self.printer.received if len(data) > 16]

    def shoot(self, screenshots: Path, name: str) -> None:
        """``kiosk_<name>_<orientation>.png`` (1280×1024 is checked, not photographed)."""
        if self.size == "square":
            return

        # the events due are handled by the running loop first; the picture is taken
        # outside it (processEvents inside a coroutine re-enters qasync's timers and can
        # leave the loop with none: a hang at the next await)
        self.run(asyncio.sleep(0.05))
        path = screenshots / f"kiosk_{name}_{self.size}.png"
        assert self.window.grab().save(str(path))


def kiosk_settings(url: str, data_dir: Path, **extra: Any) -> cfg.Settings:
    return cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: url, cfg.PROCESSING_TOKEN: TOKEN, cfg.PROCESSING_TIMEOUT: 2.0,
        cfg.DATA_DIR: str(data_dir), cfg.RETRY_INITIAL: 0.05, cfg.RETRY_FACTOR: 2,
        cfg.RETRY_MAX: 0.2, cfg.COMMISSION: COMMISSION_SETTING, **extra})


@contextmanager
def kiosk_rig(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
              *, size: str = "landscape", start: bool = True, unit: SoftwareValidator | None = None,
              sbp: bool = True, printer_status: int = 0x12, **config: Any
              ) -> Iterator[KioskRig]:
    """The kiosk on its own pty unit (or ``unit``), sized as a terminal's screen."""
    own_unit = unit is None
    validator = unit or SoftwareValidator()
    if own_unit:
        validator.__enter__()
    printer = FakePrinter(status=printer_status)
    settings = kiosk_settings(emulator.url, tmp_path)
    point = point_for(settings, "kiosk")
    point.receipts = ReceiptService(
        point.journal, replace(SETTINGS, terminal="7"),
        PrinterConfig(kind="network", address=printer.address, timeout=2.0),
        events=point.events)
    if sbp:
        point.engine.sbp = SbpClient(point.client, lifetime=120, poll_interval=0.05)
    intake = CashIntake(point.journal, CcnetAcceptor(validator.path, poll_interval=0.02,
                                                     reconnect_interval=0.05))
    width, height = SIZES[size]
    config.setdefault("lockdown", False)  # a window of the test's size, not the full screen
    kiosk = KioskConfig(terminal="7", support_phone="+7 (800) 555-35-35",
                        portrait=height > width, short_screen=height < 900,
                        staff=tuple(CASHIERS),
                        popular=("P1011", "P1012", "P0005", "P0006"), **config)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as the program: the window's end is its own
    window = KioskWindow(point, intake, kiosk)
    window.setStyleSheet(kiosk_style(min(width, height)))
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show_kiosk()
    rig = KioskRig(window, point, validator, printer, loop, qtbot, emulator, size)
    try:
        if start:
            rig.run(window.start())
            rig.on(window.home if window.health.reason() is None else window.out_of_service)
        yield rig
    finally:
        rig.run(window.shutdown())
        rig.run(point.aclose())
        window.leave(0)  # a locked-down window closes only this way
        printer.close()
        if own_unit:
            validator.__exit__(None, None, None)


def plain(text: str) -> str:
    """A kiosk label's text with its non-breaking spaces as plain ones."""
    return text.replace("\u00a0", " ")
