"""``cashier-app --kiosk``: the program on a self-service terminal. The same point as the desk
(journal, engine, receipts, the scheduler that settles payments in the background) plus the
bill validator, and the kiosk's window instead of the cashier's.

``--kiosk --demo``: the built-in processing emulator (bootstrap's demo environment), the
software validator on a pseudo-terminal with its control window beside the kiosk, and the
kiosk in a window of its own (not fullscreen: it is a demo on somebody's desktop). With the
card gateway's emulator, the card's QR screen has a small «Демо: оплатить с телефона»: the
demo's «phone» pays the link with the seed's test card, as a person's phone would.

The exit code is the service menu's choice: 0 to the desktop (the watchdog stops too), 75
for a restart (the watchdog starts the kiosk again)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cashier_app import settings as cfg
from cashier_app.bootstrap import make_acceptor
from cashier_app.devices.cash_intake import CashIntake
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.ui.event_loop import CashierEventLoop
from cashier_app.ui.exit_signals import ExitSignals
from cashier_app.ui.launch import (
    RESOURCES,
    run_until,
    settle,
    start_application,
    window_point,
)

from .card_flow import DemoPhone
from .window import KioskConfig, KioskWindow

log = logging.getLogger(__name__)
KIOSK_STYLE = RESOURCES / "kiosk.qss"


def kiosk_style(short_side: int) -> str:
    """The kiosk's style sheet with its type sized for a screen whose shorter side is
    ``short_side`` px (1920×1080 and 1080×1920 alike: 28 px text, 48 px titles)."""
    base = max(18, round(short_side / 38))
    sizes = {"huge": round(base * 2.2), "title": round(base * 1.7),
             "big": round(base * 1.35), "text": base,
             "key": round(base * 1.15), "small": round(base * 0.8)}
    try:
        text = KIOSK_STYLE.read_text(encoding="utf-8")
    except OSError as error:
        log.warning("kiosk style sheet not loaded: %s", error)
        return ""
    for name, size in sizes.items():
        text = text.replace("{" + name + "}", str(size))
    return text


@dataclass(frozen=True)
class DemoPlaces:
    kiosk: tuple[int, int]  # the kiosk window's size, at the screen's top left
    control: tuple[int, int] | None  # where the validator's control window goes (x, y)


TITLE_BAR = 40  # what a window manager adds above a window, roughly


def demo_places(screen_width: int, screen_height: int,
                control: tuple[int, int] | None) -> DemoPlaces:
    """The demo's two windows on one screen, neither over the other: the validator's control
    beside the kiosk on a landscape screen, below it on a portrait one (beside it there the
    kiosk would be a strip, or wider than the screen)."""
    if control is None:
        return DemoPlaces((min(screen_width, 1280), min(screen_height - TITLE_BAR, 1024)), None)
    if screen_height > screen_width:
        height = min(screen_height - control[1] - 2 * TITLE_BAR - 8, 1920)
        return DemoPlaces((min(screen_width, 1080), height), (0, height + TITLE_BAR + 8))
    width = min(screen_width - control[0] - 8, 1280)
    return DemoPlaces((width, min(screen_height - TITLE_BAR, 1024)), (width + 8, 0))


def kiosk_config(settings: cfg.Settings, *, demo: bool) -> KioskConfig:
    terminal = settings[cfg.KIOSK_TERMINAL] or str(settings[cfg.POINT_NUMBER])
    return KioskConfig(
        terminal=terminal,
        support_phone=settings[cfg.KIOSK_SUPPORT_PHONE] or settings[cfg.RECEIPT_SUPPORT_PHONE],
        idle=settings[cfg.KIOSK_IDLE], countdown=settings[cfg.KIOSK_COUNTDOWN],
        cash_idle=settings[cfg.KIOSK_CASH_IDLE], slideshow=settings[cfg.KIOSK_SLIDESHOW],
        slideshow_after=settings[cfg.KIOSK_SLIDESHOW_AFTER],
        paper_out=settings[cfg.KIOSK_PAPER_OUT],
        offline_minutes=settings[cfg.KIOSK_OFFLINE_MINUTES],
        popular=tuple(str(item) for item in settings[cfg.KIOSK_POPULAR]),
        result_seconds=settings[cfg.KIOSK_RESULT_SECONDS], lockdown=not demo,
        staff=tuple(settings.cashiers), saved_cards=settings[cfg.KIOSK_SAVED_CARDS])


def kiosk_settings(settings: cfg.Settings) -> cfg.Settings:
    """The receipts of a terminal carry its number and the support phone."""
    terminal = settings[cfg.KIOSK_TERMINAL] or str(settings[cfg.POINT_NUMBER])
    overrides: dict[cfg.Setting[Any], Any] = {cfg.KIOSK_TERMINAL: terminal}
    if settings[cfg.KIOSK_SUPPORT_PHONE] and not settings[cfg.RECEIPT_SUPPORT_PHONE]:
        overrides[cfg.RECEIPT_SUPPORT_PHONE] = settings[cfg.KIOSK_SUPPORT_PHONE]
    return settings.with_overrides(overrides)


def run_kiosk(settings: cfg.Settings, *, demo: bool = False,
              smoke_screenshot: Path | None = None) -> int:
    app = start_application(settings, "Терминал")  # the desk's look for the demo's
    if app is None:                                 # control window and message boxes
        return 1
    settings = kiosk_settings(settings)
    exit_signals = ExitSignals()
    with ExitStack() as stack:
        stack.callback(exit_signals.close)
        point = stack.enter_context(window_point(settings, "kiosk"))
        if point is None:
            return 1
        control = card_phone = None
        if demo and settings[cfg.CARD_URL]:  # the demo's «phone» for the card's QR code
            from cashier_app.emulator.demo import demo_card_phone

            card_phone = demo_card_phone(settings[cfg.CARD_URL])
        if demo:  # the software validator and its control window: imported for the demo
            from cashier_app.emulator.ccnet_device import SoftwareValidator
            from cashier_app.ui.widgets.validator_control import ValidatorControl

            unit = stack.enter_context(SoftwareValidator())
            acceptor: CcnetAcceptor | None = CcnetAcceptor(
                unit.path, poll_interval=settings[cfg.ACCEPTOR_POLL_INTERVAL])
            control = ValidatorControl(unit)
        else:
            try:
                acceptor = make_acceptor(settings)
            except cfg.ConfigError as error:
                log.error("no bill validator: %s", error)
                acceptor = None
        intake = CashIntake(point.journal, acceptor) if acceptor is not None else None
        return _run(app, point, intake, kiosk_config(settings, demo=demo), control,
                    exit_signals, smoke_screenshot, card_phone)
    return 1


def _run(app: QApplication, point: Any, intake: CashIntake | None, config: KioskConfig,
         control: Any, exit_signals: ExitSignals, smoke_screenshot: Path | None,
         card_phone: DemoPhone | None = None) -> int:
    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)
    app.setApplicationDisplayName(f"Терминал {config.terminal}")
    screen = app.primaryScreen().availableGeometry()
    width, height = screen.width(), screen.height()
    place = None
    if not config.lockdown:  # the demo: a window, the validator's control window by it
        if control is not None:
            control.adjustSize()
        place = demo_places(screen.width(), screen.height(),
                            (control.width(), control.height()) if control is not None else None)
        width, height = place.kiosk
        config = replace(config, narrow=width < 1100, short_screen=height < 900,
                         portrait=height > width)
    window = KioskWindow(point, intake, config)
    window.flow.card.set_demo(card_phone)
    size = app.primaryScreen().size()
    window.setStyleSheet(kiosk_style(min(size.width(), size.height())))
    code = [0]
    closed = asyncio.Event()

    def ended(value: int) -> None:
        code[0] = value
        closed.set()

    window.closed.connect(ended)
    app.setQuitOnLastWindowClosed(False)
    app.aboutToQuit.connect(closed.set)
    exit_signals.on_exit(lambda: window.leave(0))
    if not config.lockdown:
        window.resize(width, height)
        window.move(screen.left(), screen.top())
    window.show_kiosk()
    if control is not None:
        control.setWindowTitle("Программный купюроприёмник (демо)")
        if place is not None and place.control is not None:
            control.move(screen.left() + place.control[0], screen.top() + place.control[1])
        control.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        control.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        control.show()
        control.destroyed.connect(closed.set)
    with loop:
        try:
            if smoke_screenshot is not None:  # an installation check: start, picture, exit
                run_until(loop, window.start())
                run_until(loop, settle())
                saved = window.grab().save(str(smoke_screenshot))
                shown = window.stack.currentWidget()
                state = ("главный экран, в работе" if shown is window.home else
                         f"не работает: {window.health.reason() or 'экран не главный'}")
                print(f"{window.windowTitle()}: {state}")
                return 0 if saved and shown is window.home else 1
            starting = asyncio.ensure_future(window.start())
            run_until(loop, closed.wait())
            starting.cancel()
        finally:
            run_until(loop, window.shutdown())
            run_until(loop, point.stop())
            run_until(loop, point.client.aclose())
    return code[0]
