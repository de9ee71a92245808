"""The cashier's window fits the screens points have — 1366×768 and 1280×1024 — with its frame,
status bar, catalog and notice row (its × included), without horizontal scrolling; long texts
are cut with «…» and whole in their tooltips; the title bar names the program once.

A screen's size is fixed when Qt starts, so each screen is a child process
(``python -m tests.gui.test_window_layout SCREEN``) on Qt's offscreen platform configured with
that screen; it builds the real window against the emulator, works it like a cashier and
reports what it measured as JSON. In-process tests cover the window on the session's own
(offscreen) screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cashier_app.emulator import EmulatorServer
from tests.gui.helpers import log_in, make_rig, type_text

ROOT = Path(__file__).resolve().parents[2]
#: a long service name (a real catalog has them: «Государственное бюджетное учреждение …»)
LONG_NAME = ("Государственное унитарное предприятие «Водоканал Санкт-Петербурга» — "
             "холодное водоснабжение и водоотведение")
LONG_NOTICE = ("Файл настроек /home/kassa/.config/cashier-app/config.toml доступен для чтения "
               "другим пользователям компьютера: в нём токен процессинга — оставьте доступ "
               "только администратору точки (chmod 600 config.toml)")


def _inside(outer: list[int], inner: list[int]) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return ox <= ix and oy <= iy and ix + iw <= ox + ow and iy + ih <= oy + oh


def _run_child(screen: str, tmp_path: Path, screenshots: Path, *extra: str) -> dict[str, Any]:
    width, height = (int(n) for n in screen.split("x"))
    config = tmp_path / f"screen-{screen}.json"
    config.write_text(json.dumps({"screens": [{
        "name": "point", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_")}
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    done = subprocess.run([sys.executable, "-m", "tests.gui.test_window_layout", screen,
                           str(tmp_path), str(screenshots), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("screen", ["1366x768", "1280x1024"])
def test_the_window_fits_the_screen(screen: str, tmp_path: Path, screenshots: Path) -> None:
    report = _run_child(screen, tmp_path, screenshots)
    width, height = (int(n) for n in screen.split("x"))
    assert report["available"] == [0, 0, width, height]
    for stage in ("opened", "working"):
        seen = report[stage]
        # the whole frame on the screen: the status bar is not under the screen's edge
        assert _inside(report["available"], seen["frame"]), (stage, seen)
        assert _inside(seen["frame"], seen["status_bar"]), (stage, seen)
        assert seen["minimum"][0] <= width and seen["minimum"][1] <= height, (stage, seen)
    seen = report["working"]
    assert _inside(seen["frame"], seen["notice_close"]), seen  # the × can be clicked
    assert seen["notice_close_visible"]
    assert seen["results_hscroll"] == 0 and seen["tree_hscroll"] == 0  # no sideways scroll
    assert seen["placeholder"] <= seen["search_room"], seen
    for field in seen["status"]:
        assert field["visible"], field
        if field["elided"]:
            assert field["text"] in field["tooltip"], field
    long_row = seen["long_result"]
    assert long_row["elided"] and long_row["tooltip"].startswith(LONG_NAME), long_row
    tree_row = seen["long_tree_row"]
    assert tree_row["elided"] and tree_row["tooltip"] == LONG_NAME, tree_row
    if width >= 1366:  # at 1366 px every status field is shown whole
        assert not [f["name"] for f in seen["status"] if f["elided"]], seen["status"]


def test_a_saved_size_that_does_not_fit_this_screen_is_not_used(tmp_path: Path,
                                                                screenshots: Path) -> None:
    saved = _run_child("1280x1024", tmp_path, screenshots, "save")
    assert saved["saved"][3] > 768  # the window was taller than the next screen
    report = _run_child("1366x768", tmp_path, screenshots, "restore")
    assert _inside(report["available"], report["opened"]["frame"]), report["opened"]


def test_the_window_opens_within_the_screen(qtbot: QtBot, loop: qasync.QEventLoop,
                                            emulator: EmulatorServer, tmp_path: Path) -> None:
    """On whatever screen the tests run (offscreen: a small one), the window is never
    larger than its free area."""
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    QApplication.processEvents()
    available = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    assert available.contains(window.frameGeometry()), (available, window.frameGeometry())
    assert window.fits_screen()
    rig.close()


def test_the_title_bar_names_the_program_once(qtbot: QtBot, loop: qasync.QEventLoop,
                                              emulator: EmulatorServer, tmp_path: Path,
                                              qapp: QApplication) -> None:
    from cashier_app.ui.launch import name_application

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    before = qapp.applicationDisplayName()
    try:
        name_application(qapp, demo=True)
        title = rig.window.windowTitle()
        assert title == "Касса — демо-режим"
        # Qt appends the display name to a title that does not end with it
        # («Касса — демо-режим — Касса»); this one does
        assert title.endswith(qapp.applicationDisplayName())
    finally:
        qapp.setApplicationDisplayName(before)
        rig.close()


def test_long_names_are_cut_and_whole_in_the_tooltip(qtbot: QtBot, loop: qasync.QEventLoop,
                                                     emulator: EmulatorServer,
                                                     tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    window.status.show_cashier("Константинопольская-Щедрина Александра Владиславовна")
    QApplication.processEvents()
    label = window.cashier_label
    assert label.text() == "Кассир: Константинопольская-Щедрина Александра Владиславовна"
    if label.elided():
        assert label.text() in label.toolTip()
    window.search_action.trigger()
    type_text(window.search_box, "ерц")
    item = window.results.item(0)
    assert item.toolTip().startswith("ЕРЦ «Городские коммунальные системы»")
    assert window.results.horizontalScrollBar().maximum() == 0
    rig.close()


# --- the child process ----------------------------------------------------------------------
def _rect(widget: Any) -> list[int]:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _geometry(rect: Any) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _measure(window: Any) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication as App

    App.processEvents()
    status = [{"name": label.objectName(), "text": label.text(), "shown": label.shown(),
               "elided": label.elided(), "tooltip": label.toolTip(),
               "visible": label.isVisible()}
              for label in (window.cashier_label, window.shift_label, window.connection_label,
                            window.catalog_label, window.pending_label, window.balance_label)]
    box = window.search_box
    return {
        "frame": _geometry(window.frameGeometry()),
        "maximized": window.isMaximized(),
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "status_bar": _rect(window.statusBar()),
        "notice_close": _rect(window.notice_close),
        "notice_close_visible": window.notice_close.isVisible(),
        "status": status,
        "placeholder": box.fontMetrics().horizontalAdvance(box.placeholderText()),
        "search_room": box.width() - 16,
    }


def _child(screen: str, tmp: str, shots: str, mode: str = "") -> None:
    import asyncio
    import tempfile

    from PySide6.QtTest import QTest

    from cashier_app.emulator import EmulatorServer as Server
    from cashier_app.emulator import ProcessingCenter, load_catalog
    from cashier_app.ui.event_loop import CashierEventLoop
    from cashier_app.ui.launch import load_style
    from tests.conftest import TOKEN

    app = QApplication([])
    load_style(app)
    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)

    class Bot:  # what make_rig and log_in use of pytest-qt's qtbot
        def addWidget(self, widget: Any) -> None:
            pass

        def mouseClick(self, widget: Any, button: Any) -> None:
            QTest.mouseClick(widget, button)

    catalog = load_catalog()
    long_service = dict(next(s for s in catalog["services"] if s["serviceId"] == "P3001"))
    long_service.update(serviceId="P3999", name=LONG_NAME)
    catalog["services"].append(long_service)
    server = Server(ProcessingCenter(catalog), token=TOKEN).start()
    data = Path(tempfile.mkdtemp(dir=tmp))
    state = Path(tmp) / "window.ini"
    report: dict[str, Any] = {}
    try:
        rig = make_rig(Bot(), loop, server.url, data,  # type: ignore[arg-type]
                       ui_state=state if mode else None)
        window = rig.window
        available = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        report["available"] = _geometry(available)
        report["opened"] = _measure(window)
        if mode == "save":  # a big screen: the cashier made the window tall, then closed it
            window.showNormal()
            window.setGeometry(20, 20, 1200, 960)
            QApplication.processEvents()
            report["saved"] = _geometry(window.frameGeometry())
            window.close()
            rig.close()
            return
        log_in(rig, Bot())  # type: ignore[arg-type]
        window.show_notice(LONG_NOTICE, "warn")
        window.search_action.trigger()
        type_text(window.search_box, "водоканал")
        QApplication.processEvents()
        results = window.results
        item = results.item(0)
        report["working"] = _measure(window)
        room = results.viewport().width()
        report["working"].update(
            results_hscroll=results.horizontalScrollBar().maximum(),
            long_result={"elided": results.fontMetrics().horizontalAdvance(item.text()) > room,
                         "tooltip": item.toolTip()})
        shot = Path(shots) / f"main_window_{screen}.png"
        assert window.grab().save(str(shot))
        window.search_box.clear()
        tree, model = window.tree, window.tree.model()
        row = next(model.index(c, 0, model.index(g, 0)) for g in range(model.rowCount())
                   for c in range(model.rowCount(model.index(g, 0)))
                   if model.index(c, 0, model.index(g, 0)).data() == LONG_NAME)
        tree.scrollTo(row)
        QApplication.processEvents()
        report["working"].update(
            tree_hscroll=tree.horizontalScrollBar().maximum(),
            long_tree_row={"elided": tree.fontMetrics().horizontalAdvance(LONG_NAME)
                           > tree.columnWidth(0) - tree.indentation(),
                           "tooltip": row.data(Qt.ItemDataRole.ToolTipRole)})
        window.open_service("P0005")
        QApplication.processEvents()
        assert window.grab().save(str(Path(shots) / f"main_window_{screen}_form.png"))
        rig.close()
    finally:
        server.stop()
        print(json.dumps(report, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    try:
        _child(*sys.argv[1:])
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    # Qt's threads (the loop's executor) are not joined at interpreter exit: leave now
    os._exit(0)
