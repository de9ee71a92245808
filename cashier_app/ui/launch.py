"""Start the Qt application with an asyncio loop (qasync) and the main window."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_API", "pyside6")  # qasync must not pick another binding

import qasync
from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    Qt,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point, point_for
from cashier_app.journal import JournalError
from cashier_app.journal.leases import AlreadyRunning, hold_window
from cashier_app.util.resources import resources_dir

from .event_loop import CashierEventLoop
from .exit_signals import ExitSignals

if TYPE_CHECKING:
    from cashier_app.ui.cashier.main_window import MainWindow

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")
RESOURCES = resources_dir()
STYLE_SHEET = RESOURCES / "style.qss"
TRANSLATIONS = RESOURCES / "translations"
UI_STATE_NAME = "window.ini"


#: Qt messages that say nothing about our program (the offscreen/kiosk platform plugins).
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def qt_message(kind: QtMsgType, context: object, message: str) -> None:
    if message.startswith(QUIET_QT_MESSAGES):
        qt_log.debug("%s", message)
        return
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(kind, logging.ERROR)
    qt_log.log(level, "%s", message)


def install_excepthook() -> None:
    """An unexpected error goes to the log in full and to the cashier as one calm sentence."""

    def hook(kind: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        app = QApplication.instance()
        if app is None:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, QApplication.applicationDisplayName(),
                          "Произошла внутренняя ошибка. Платежи сохранены; подробности — в "
                          "журнале программы. Если ошибка повторяется, сообщите в поддержку.")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    sys.excepthook = hook


def load_style(app: QApplication) -> None:
    try:
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    except OSError as error:
        log.warning("style sheet not loaded: %s", error)


def install_translations(app: QApplication, language: str) -> list[QTranslator]:
    """Texts are written in Russian and marked with ``tr()``; another language is a
    ``resources/translations/cashier_<lang>.qm`` built with pyside6-lupdate/lrelease. Qt's
    own texts (standard buttons, context menus) come from Qt's translations."""
    installed: list[QTranslator] = []
    qt_own = QTranslator(app)
    if qt_own.load(QLocale(language), "qtbase", "_",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    if language != "ru":
        ours = QTranslator(app)
        path = TRANSLATIONS / f"cashier_{language}.qm"
        if ours.load(str(path)):
            app.installTranslator(ours)
            installed.append(ours)
        else:
            log.warning("translation %s not found; the window stays in Russian", path)
    return installed


#: Qt aborts the process (SIGABRT, an English line) when it finds no screen to open a window
#: on; the person gets this instead, before any window is attempted
NO_SCREEN = ("Нет экрана: окно не открыть (не заданы DISPLAY и WAYLAND_DISPLAY). Запустите "
             "программу на рабочем столе; без экрана — команды cashier-app или "
             "QT_QPA_PLATFORM=offscreen")


def no_screen() -> bool:
    """On Linux and the BSDs, no X11 or Wayland session and no platform chosen: Qt would
    abort. (Windows and macOS always have their own screen.)"""
    if sys.platform.startswith(("win", "darwin")) or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_application(settings: cfg.Settings, display_name: str) -> QApplication | None:
    """What every window of the program needs first — the cashier's and the kiosk's: the
    settings' processing checked, a screen, Qt's messages into the log, the application named
    and styled, the excepthook. None when there is no screen (said on stderr)."""
    settings.require_processing()
    if no_screen():
        print(f"cashier-app: {NO_SCREEN}", file=sys.stderr)
        return None
    qInstallMessageHandler(qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("cashier-app")
    app.setApplicationDisplayName(display_name)
    load_style(app)
    install_excepthook()
    return app


@contextmanager
def window_point(settings: cfg.Settings, kind: str) -> Iterator[Point | None]:
    """The data directory held by this window (one window per desk) and the point built on
    it, both released on the way out; None when either is refused (said in a box and on
    stderr)."""
    try:
        window_lock = hold_window(settings.data_dir)
    except (AlreadyRunning, OSError) as error:
        log.error("%s not started: %s", kind, error)
        refuse(str(error))
        yield None
        return
    try:
        try:
            point = point_for(settings, kind, receipts=True, lenient_printer=True)
        except JournalError as error:
            log.error("%s not started: %s", kind, error)
            refuse(str(error))
            yield None
            return
        try:
            yield point
        finally:
            point.close()
    finally:
        window_lock.release()


def run_window(settings: cfg.Settings, *, demo: bool = False,
               smoke_screenshot: Path | None = None) -> int:
    app = start_application(settings, "Касса")
    if app is None:
        return 1
    install_translations(app, settings[cfg.UI_LANGUAGE])
    # from here on SIGTERM/SIGINT end the program the normal way (a request that comes
    # before the window is up closes it as soon as it is)
    exit_signals = ExitSignals()
    try:
        with window_point(settings, "window") as point:
            if point is None:
                return 1
            return _run(app, point, demo=demo, smoke_screenshot=smoke_screenshot,
                        exit_signals=exit_signals)
    finally:
        exit_signals.close()


#: How long the "cannot start" box stays up by itself: a watchdog restarting the program on a
#: terminal nobody watches must not pile boxes up on the screen.
REFUSAL_SECONDS = 15.0


def refuse(message: str) -> None:
    """The program cannot start: say why, in a box and on stderr (one line)."""
    print(f"cashier-app: {message}", file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Critical, QApplication.applicationDisplayName(), message)
    QTimer.singleShot(int(REFUSAL_SECONDS * 1000), box.accept)
    box.exec()


def name_application(app: QApplication, *, demo: bool) -> None:
    """Qt adds the application's display name to every window's title unless the title
    already ends with it: named after the main window's own title, the application shows
    «Касса — демо-режим» once in the title bar (not «Касса — демо-режим — Касса»), and its
    other windows read «Старший кассир — Касса — демо-режим». Named before the window is
    made: Qt composes a title bar's text when the native window is created."""
    from cashier_app.ui.cashier.main_window import MainWindow  # the desk's, not the kiosk's

    app.setApplicationDisplayName(MainWindow.title(demo))


def _run(app: QApplication, point: Point, *, demo: bool, smoke_screenshot: Path | None,
         exit_signals: ExitSignals | None = None) -> int:
    from cashier_app.ui.cashier.main_window import MainWindow  # the kiosk never imports it

    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)
    name_application(app, demo=demo)
    settings = point.settings
    bank = wallet_bank = card_phone = None
    if demo:  # the emulator's bank buttons: imported only for the demo
        from cashier_app.emulator.demo import demo_bank, demo_card_phone, demo_wallet_bank

        bank = demo_bank(settings[cfg.PROCESSING_URL])
        if settings[cfg.WALLET_URL]:
            wallet_bank = demo_wallet_bank(settings[cfg.WALLET_URL])
        if settings[cfg.CARD_URL]:
            card_phone = demo_card_phone(settings[cfg.CARD_URL])
    window = MainWindow(point, cashiers=settings.cashiers, demo=demo,
                        identity_fields=settings[cfg.IDENTITY_FIELDS],
                        refresh_minutes=settings[cfg.CATALOG_REFRESH],
                        ui_state=None if demo else settings.data_dir / UI_STATE_NAME,
                        customer_display=settings[cfg.SBP_CUSTOMER_DISPLAY]
                        if point.engine.sbp is not None or point.engine.card is not None
                        else "off",
                        bank=bank, wallet_bank=wallet_bank, card_phone=card_phone)
    window.show_customer_display()
    for warning in settings.warnings():
        window.show_notice(warning, "warn")
    if point.printer_problem:
        window.show_notice(f"Принтер чеков отключён: {point.printer_problem}", "error")
    window.show()
    with loop:
        try:
            if smoke_screenshot is not None:
                return _smoke(loop, app, window, smoke_screenshot)
            closed = asyncio.Event()
            # the window's close ends the program: Qt must not quit by itself first, or the
            # loop would stop before the shutdown below could run
            app.setQuitOnLastWindowClosed(False)
            window.closed.connect(closed.set)
            app.aboutToQuit.connect(closed.set)  # the session ends (logout, shutdown)
            if exit_signals is not None:  # a watchdog's SIGTERM, Ctrl+C: as Ctrl+Q
                exit_signals.on_exit(window.close)
            window.start()  # the cached catalog at once, then the center's
            starting = asyncio.ensure_future(point.start())  # resume, then schedule
            run_until(loop, closed.wait())
            starting.cancel()
            return 0
        finally:
            run_until(loop, window.shutdown())
            run_until(loop, point.stop())
            run_until(loop, point.client.aclose())


def run_until(loop: CashierEventLoop, work: Coroutine[Any, Any, Any]) -> None:
    """Run ``work`` on the loop. When Qt is quitting anyway (the session ends), the loop stops
    early: what was not finished is left as it is — every payment is in the journal and a
    pay in flight stays «в обработке» for the next start — and that is not an error."""
    try:
        loop.run_until_complete(work)
    except RuntimeError as error:
        if "stopped before" not in str(error):
            raise
        log.info("event loop stopped early; the journal keeps what was unfinished")


async def settle() -> None:
    """Let Qt lay out and paint what the last step changed, with the event loop running:
    ``processEvents`` outside it would step the program's asyncio tasks (the validator's
    polling, the scheduler) where there is no running loop, and kill them."""
    await asyncio.sleep(0.05)


def _smoke(loop: qasync.QEventLoop, app: QApplication, window: MainWindow,
           screenshot: Path) -> int:
    """Open, load, save a picture of the window, report, exit: an installation check."""
    loop.run_until_complete(window.refresh())
    run_until(loop, settle())
    saved = window.grab().save(str(screenshot))
    window.close()
    ok = saved and window.catalog is not None and not window.catalog.from_cache
    print(f"window: {window.windowTitle()}; catalog: "
          f"{len(window.catalog.services) if window.catalog else 0} services; "
          f"{window.connection_label.text()}; {window.balance_label.text()}; "
          f"{window.pending_label.text()}")
    return 0 if ok else 1
