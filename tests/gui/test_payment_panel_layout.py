"""The payment panel fits the screens cashiers have — 1366×768 laptops and 1280×1024
monitors — for every scheme and the QR screen: nothing scrolls sideways, and the buttons
that end a step (Оплатить, QR, Следующий платёж, the QR code's own) are on screen without
scrolling. Geometry is measured in the window, and each screen is saved as a screenshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from pytestqt.qtbot import QtBot

from cashier_app.emulator import EmulatorServer
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import Rig, log_in, type_text
from tests.gui.test_qr_window import qr_rig
from tests.gui.test_workplace import checked, fill

SIZES = [(1366, 768), (1280, 1024)]
SCHEMES = [("simple", "мтс", {"account": "9101234567"}),
           ("choice", "банк пример", {"account": "770123456789"}),
           ("complex", "жкх", {"account": "1000000001"})]


def at_size(rig: Rig, width: int, height: int) -> None:
    """The window at exactly this size (not maximized to the test screen)."""
    window = rig.window
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(width, height)
    QApplication.processEvents()
    assert (window.width(), window.height()) == (width, height)


def settle(rig: Rig) -> None:
    rig.run(asyncio.sleep(0.05))
    QApplication.processEvents()


def rect_in_window(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def assert_on_screen(widget: QWidget) -> None:
    """Shown, inside the window's central area and inside every scroll area's viewport
    around it (so not scrolled out of sight)."""
    assert widget.isVisible(), widget
    window = widget.window()
    central = rect_in_window(window.centralWidget())
    where = rect_in_window(widget)
    assert central.contains(where), (widget, where, central)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            assert rect_in_window(parent.viewport()).contains(where), (widget, parent)
        parent = parent.parentWidget()


def assert_no_sideways_scrolling(root: QWidget) -> None:
    for area in [root, *root.findChildren(QAbstractScrollArea)]:
        if isinstance(area, QAbstractScrollArea) and area.isVisible():
            assert not area.horizontalScrollBar().isVisible(), area


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_scheme_fits_with_its_buttons(qtbot: QtBot, loop: qasync.QEventLoop,
                                           emulator: EmulatorServer, tmp_path: Path,
                                           screenshots: Path, width: int, height: int
                                           ) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    at_size(rig, width, height)
    log_in(rig, qtbot)
    panel = rig.window.panel
    for name, query, values in SCHEMES:
        fill(rig, qtbot, query, values)
        checked(rig)
        assert panel.step is Step.CHECKED, panel.status.text()
        settle(rig)
        for button in (panel.pay_button, panel.qr_button):
            assert_on_screen(button)
        assert_no_sideways_scrolling(panel)
        # the check's result, the amounts and the buttons all in view, nothing to scroll to
        assert not panel.middle.verticalScrollBar().isVisible(), name
        assert_on_screen(panel.amount_edit)
        assert_on_screen(panel.cash_edit)
        assert rig.window.grab().save(str(screenshots / f"panel_{name}_{width}x{height}.png"))
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
    # the outcome of a payment: «Следующий платёж» in view too
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    type_text(panel.amount_edit, "500")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    settle(rig)
    assert_on_screen(panel.next_button)
    assert_on_screen(panel.banner)
    assert_no_sideways_scrolling(panel)
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / f"panel_paid_{width}x{height}.png"))
    rig.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_qr_screen_fits(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                            tmp_path: Path, screenshots: Path, width: int, height: int
                            ) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    at_size(rig, width, height)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    type_text(panel.amount_edit, "500")
    qtbot.keyClick(panel.amount_edit, Qt.Key.Key_F8)
    rig.wait_for(lambda: panel.record is not None and panel.record.qr_status == "CREATED")
    settle(rig)
    view = panel.qr_view
    for widget in (view.code, view.timer_label, view.cancel_button, view.demo_button):
        assert_on_screen(widget)
    assert view.code.code_rect().width() >= 240  # large enough to scan from the counter
    assert_no_sideways_scrolling(panel)
    assert not panel.middle.verticalScrollBar().isVisible()
    # the cancel question, with its two answers, fits as well
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    settle(rig)
    for widget in (view.prompt, view.confirm_button, view.wait_button):
        assert_on_screen(widget)
    assert not panel.middle.verticalScrollBar().isVisible()
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / f"panel_qr_{width}x{height}.png"))
    rig.close()
