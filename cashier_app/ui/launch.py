"""Start the Qt application with an asyncio loop (qasync) and the main window."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

os.environ.setdefault("QT_API", "pyside6")  # qasync must not pick another binding

import qasync
from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QtMsgType, QTranslator, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from cashier_app import settings as cfg
from cashier_app.app import (
    JOURNAL_NAME,
    demo_bank,
    make_client,
    make_engine,
    make_receipts,
)
from cashier_app.catalog import CatalogStore
from cashier_app.journal import Journal
from cashier_app.receipts.config import receipt_settings
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService

from .event_loop import CashierEventLoop
from .main_window import MainWindow

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
STYLE_SHEET = RESOURCES / "style.qss"
TRANSLATIONS = RESOURCES / "translations"
UI_STATE_NAME = "window.ini"


#: Qt messages that say nothing about our program (the offscreen/kiosk platform plugins).
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def _qt_message(kind: QtMsgType, context: object, message: str) -> None:
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
        box = QMessageBox(QMessageBox.Icon.Critical, "Касса",
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


def run_window(settings: cfg.Settings, *, demo: bool = False,
               smoke_screenshot: Path | None = None) -> int:
    settings.require_processing()
    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("cashier-app")
    app.setApplicationDisplayName("Касса")
    load_style(app)
    install_translations(app, settings[cfg.UI_LANGUAGE])
    install_excepthook()
    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)
    journal = Journal(settings.data_dir / JOURNAL_NAME)
    engine_client = make_client(settings)
    engine = make_engine(settings, journal, engine_client)
    printer_problem = ""
    try:
        receipts = make_receipts(settings, journal)
    except cfg.ConfigError as error:  # payments can still be taken; receipts show on screen
        printer_problem = str(error)
        log.error("printer disabled: %s", error)
        receipts = ReceiptService(journal, receipt_settings(settings), PrinterConfig())
    window = MainWindow(lambda: make_client(settings), CatalogStore(settings.data_dir),
                        engine=engine, cashiers=settings.cashiers, demo=demo,
                        identity_fields=settings[cfg.IDENTITY_FIELDS],
                        refresh_minutes=settings[cfg.CATALOG_REFRESH],
                        ui_state=None if demo else settings.data_dir / UI_STATE_NAME,
                        receipts=receipts,
                        customer_display=settings[cfg.SBP_CUSTOMER_DISPLAY]
                        if engine.sbp is not None else "off",
                        bank=demo_bank(settings[cfg.PROCESSING_URL]) if demo else None)
    window.show_customer_display()
    if printer_problem:
        window.show_notice(f"Принтер чеков отключён: {printer_problem}", "error")
    window.show()
    with loop:
        try:
            if smoke_screenshot is not None:
                return _smoke(loop, app, window, smoke_screenshot)
            closed = asyncio.Event()
            app.aboutToQuit.connect(closed.set)
            window.start()
            loop.run_until_complete(closed.wait())
            return 0
        finally:
            loop.run_until_complete(window.shutdown())
            loop.run_until_complete(engine_client.aclose())
            receipts.close()
            journal.close()


def _smoke(loop: qasync.QEventLoop, app: QApplication, window: MainWindow,
           screenshot: Path) -> int:
    """Open, load, save a picture of the window, report, exit: an installation check."""
    loop.run_until_complete(window.refresh())
    app.processEvents()
    saved = window.grab().save(str(screenshot))
    window.close()
    ok = saved and window.catalog is not None and not window.catalog.from_cache
    print(f"window: {window.windowTitle()}; catalog: "
          f"{len(window.catalog.services) if window.catalog else 0} services; "
          f"{window.connection_label.text()}; {window.balance_label.text()}; "
          f"{window.pending_label.text()}")
    return 0 if ok else 1
