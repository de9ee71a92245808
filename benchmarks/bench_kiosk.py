"""The kiosk as a person meets it: the start to the home screen, and a touch to the next screen.

Run: ``python -m benchmarks.bench_kiosk [--starts 5] [--touches 50] [--json]``
(``./scripts/bench`` runs it with the others and puts every figure in one table).

* start: ``cashier-app --kiosk --demo`` on a private X server (Xvfb), timed from its launch
  (``Popen``) until the kiosk's UI map (``CASHIER_UI_MAP``, polled every 5 ms) first says the
  home screen is shown. Inside: the imports, the demo's processing emulator, its throwaway
  data folder (made anew by every ``--demo`` start: a new journal, no cached catalog) and
  software validator on a pty, every screen built, the validator's recovery, the catalog
  fetched from the emulator, the receipt printer (a file) probed, the home screen made
  current and the map written (fsync'ed) one event-loop turn later — not the pixels reaching
  the X server, which the map does not see. ``CASHIER_DATA_DIR`` and ``CASHIER_CONFIG`` point
  into a temporary folder (no settings file) so that nothing of the user's is read. One start
  of each kind before the timed ones warms the disk cache. The floor is bench_start's:
  a bare Python process that imports PySide6 and shows an empty window, watched until it is
  mapped (``xdotool search --onlyvisible``, every 10 ms). Needs ``Xvfb`` and ``xdotool``;
  without them the start is reported as not measured.
* touch: in this process (offscreen), the kiosk's window as the program wires it — the
  processing emulator on loopback, the software validator on a real pty behind the bill
  validator's driver (polled every ``acceptor.poll_interval``, as the program polls), the
  journal in a temporary folder, no receipt printer — at 1920×1080 with the kiosk's style
  sheet, started and on its home screen. One touch = a mouse press and release
  (``QTest.mouseClick``) on the first popular tile, with the asyncio loop running as in the
  program, until the form screen is the stack's current widget and has received its paint
  event: the click's handlers (the sale chosen, the form filled, the screen switched), then
  the loop turning — Qt's pending events (layout, the paint of the whole screen into the
  window's backing store) and whatever asyncio work falls due meanwhile (the validator's
  poll) — until the paint has come and gone. Nothing forces an extra paint; the offscreen
  platform puts the backing store on no screen, so a real display's flush is not in it.
  «На главную» on the form takes it back home (timed the same way, printed beside, not in
  the table), and the next touch follows. The floor: a plain ``QStackedWidget`` of two
  pages — a label and a grid of 12 buttons, a label and a keypad of 12 buttons — in the same
  size, Qt's default style, the same click-to-painted measure under the same loop.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

from benchmarks.bench_start import (
    BARE,
    BARE_TITLE,
    LIBRARIES_FLOOR,
    LIBRARIES_TITLE,
    time_to_window,
    tools_missing,
    x_server,
)

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1920, 1080)
TOKEN = "bench-token"
POPULAR = ("P1011", "P1012", "P0005", "P0006")


# --- the start -------------------------------------------------------------------------------
def time_to_home(display: str, data: Path, ui_map: Path) -> float:
    """From the kiosk's launch to its UI map saying «kioskHome»; then SIGTERM (exit 0)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASHIER_")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", CASHIER_UI_MAP=str(ui_map),
               CASHIER_DATA_DIR=str(data / "data"), CASHIER_CONFIG=str(data / "none.toml"))
    ui_map.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cashier_app", "--kiosk", "--demo"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        while True:
            try:
                if json.loads(ui_map.read_text(encoding="utf-8"))["screen"] == "kioskHome":
                    return time.perf_counter() - started
            except (OSError, ValueError, KeyError):
                pass  # not written yet (the write is atomic: never half a file)
            if process.poll() is not None:
                said = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"the kiosk ended (exit {process.returncode}) before its "
                                   f"home screen: {said}")
            if time.perf_counter() - started > 60:
                raise RuntimeError("no home screen within 60 s")
            time.sleep(0.005)
    finally:
        process.send_signal(signal.SIGTERM)  # as the watchdog stops it
        try:
            _, said = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            said = ""
        if process.returncode not in (0, None):
            print(f"kiosk exit {process.returncode}: {said}", file=sys.stderr)


def starts(count: int) -> dict[str, Any]:
    missing = tools_missing()
    if missing:
        return {"start_measured": False, "missing": missing}
    bare = [sys.executable, "-c", BARE]
    with x_server() as display, tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        data, ui_map = Path(tmp), Path(tmp) / "ui-map.json"
        time_to_window(bare, BARE_TITLE, display)  # the first starts warm the disk cache
        time_to_home(display, data, ui_map)
        ours, floor, libraries = [], [], []
        for _ in range(count):  # taken in turn: the machine's drift is in all three alike
            ours.append(time_to_home(display, data, ui_map))
            floor.append(time_to_window(bare, BARE_TITLE, display))
            libraries.append(time_to_window([sys.executable, "-c", LIBRARIES_FLOOR],
                                            LIBRARIES_TITLE, display))
    return {"start_measured": True, "start_s": statistics.median(ours),
            "bare_start_s": statistics.median(floor),
            "libraries_start_s": statistics.median(libraries), "starts": count}


# --- the touch -------------------------------------------------------------------------------
def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class PaintWatch(QObject):
    """Whether a widget has received a paint event since :meth:`arm`."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.painted = False
        widget.installEventFilter(self)

    def arm(self) -> None:
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


async def painted_after_click(button: QWidget, screen_of: Callable[[], QWidget | None],
                              expected: QWidget, watch: PaintWatch) -> float:
    """Seconds from a press+release on ``button`` until ``expected`` is the current screen and
    has been painted. Run with the asyncio loop running, as the program runs: the loop (Qt's,
    under qasync) turns until the paint event has come and gone — Qt's own paint, nothing
    forces one; whatever else is due on the loop meanwhile is in the figure too."""
    import asyncio

    from PySide6.QtTest import QTest

    watch.arm()
    started = time.perf_counter()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
    while not (watch.painted and screen_of() is expected):
        if time.perf_counter() - started > 5:
            now = screen_of()
            shown = now.objectName() if now is not None else None
            raise RuntimeError(f"the touch showed {shown!r}, not a painted "
                               f"{expected.objectName()!r}")
        await asyncio.sleep(0)  # one turn of the loop: Qt's events, the due callbacks
    return time.perf_counter() - started


def kiosk_touches(loop: Any, count: int) -> dict[str, list[float]]:
    import asyncio

    from cashier_app import settings as cfg
    from cashier_app.bootstrap import point_for
    from cashier_app.devices.cash_intake import CashIntake
    from cashier_app.devices.ccnet_driver import CcnetAcceptor
    from cashier_app.emulator import EmulatorServer
    from cashier_app.emulator.ccnet_device import SoftwareValidator
    from cashier_app.ui.kiosk.launch import kiosk_style
    from cashier_app.ui.kiosk.ui_map import UI_MAP_ENV
    from cashier_app.ui.kiosk.window import KioskConfig, KioskWindow
    from cashier_app.util.heartbeat import HEARTBEAT_ENV

    for name in (UI_MAP_ENV, HEARTBEAT_ENV):
        os.environ.pop(name, None)  # no map file, no heartbeat in the timings
    emulator = EmulatorServer(token=TOKEN).start()
    touch: list[float] = []
    home: list[float] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp, \
                SoftwareValidator() as unit:
            settings = cfg.Settings.load(Path(tmp) / "none.toml", env={}).with_overrides({
                cfg.PROCESSING_URL: emulator.url, cfg.PROCESSING_TOKEN: TOKEN,
                cfg.PROCESSING_TIMEOUT: 2.0, cfg.DATA_DIR: tmp})
            point = point_for(settings, "kiosk")
            intake = CashIntake(point.journal, CcnetAcceptor(  # polled as the program polls
                unit.path, poll_interval=settings[cfg.ACCEPTOR_POLL_INTERVAL]))
            width, height = SIZE
            window = KioskWindow(point, intake, KioskConfig(
                terminal="7", lockdown=False, portrait=False, short_screen=False,
                popular=POPULAR))
            window.setStyleSheet(kiosk_style(min(width, height)))
            window.resize(width, height)
            window.show_kiosk()
            try:
                loop.run_until_complete(window.start())
                if window.stack.currentWidget() is not window.home:
                    raise RuntimeError(f"the kiosk is not at home: {window.health.reason()}")
                tile = window.home.popular.buttons[0]
                at_form, at_home = PaintWatch(window.form), PaintWatch(window.home)

                async def touches() -> None:
                    await asyncio.sleep(0.2)  # the start's background work settles
                    for _ in range(count):
                        touch.append(await painted_after_click(
                            tile, window.stack.currentWidget, window.form, at_form))
                        await asyncio.sleep(0.01)  # the loop's own callbacks, untimed
                        home.append(await painted_after_click(
                            window.form.home_button, window.stack.currentWidget,
                            window.home, at_home))
                        await asyncio.sleep(0.01)

                loop.run_until_complete(touches())
            finally:
                loop.run_until_complete(window.shutdown())
                loop.run_until_complete(point.aclose())
                window.close()
    finally:
        emulator.stop()
    return {"touch": touch, "home": home}


def bare_touches(loop: Any, count: int) -> list[float]:
    """The floor: two pages of plain buttons in a QStackedWidget, a click switches them."""
    import asyncio

    from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout

    stack = QStackedWidget()
    pages: list[QWidget] = []
    firsts: list[QPushButton] = []
    for title, texts, columns in (("Оплата услуг", [f"Услуга {n}" for n in range(1, 13)], 4),
                                  ("Номер телефона", [*"123456789", "←", "0", "OK"], 3)):
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(QLabel(title))
        grid = QGridLayout()
        column.addLayout(grid, 1)
        buttons = [QPushButton(text) for text in texts]
        for index, button in enumerate(buttons):
            grid.addWidget(button, index // columns, index % columns)
        firsts.append(buttons[0])
        pages.append(page)
        stack.addWidget(page)
    firsts[0].clicked.connect(lambda: stack.setCurrentWidget(pages[1]))
    firsts[1].clicked.connect(lambda: stack.setCurrentWidget(pages[0]))
    stack.resize(*SIZE)
    stack.show()
    watches = [PaintWatch(page) for page in pages]
    took: list[float] = []

    async def touches() -> None:
        await asyncio.sleep(0.2)  # shown and painted once
        for _ in range(count):
            took.append(await painted_after_click(firsts[0], stack.currentWidget, pages[1],
                                                  watches[1]))
            await asyncio.sleep(0.01)
            await painted_after_click(firsts[1], stack.currentWidget, pages[0], watches[0])
            await asyncio.sleep(0.01)

    loop.run_until_complete(touches())
    stack.close()
    return took


def touches(count: int) -> dict[str, Any]:
    # in this process: offscreen, whatever the caller's display
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_API", "pyside6")
    import asyncio

    from PySide6.QtWidgets import QApplication

    from cashier_app.ui.event_loop import CashierEventLoop

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as the program: the window's end is its own
    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)
    kiosk = kiosk_touches(loop, count)
    bare = bare_touches(loop, count)
    ms = 1000
    return {"touches": count,
            "touch_median_ms": statistics.median(kiosk["touch"]) * ms,
            "touch_p95_ms": p95(kiosk["touch"]) * ms,
            "home_median_ms": statistics.median(kiosk["home"]) * ms,
            "home_p95_ms": p95(kiosk["home"]) * ms,
            "bare_touch_median_ms": statistics.median(bare) * ms,
            "bare_touch_p95_ms": p95(bare) * ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--touches", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args()
    figures = {**starts(args.starts), **touches(args.touches)}
    if args.json:
        print(json.dumps(figures))
        return
    if figures["start_measured"]:
        print(f"kiosk start to home screen (demo, Xvfb), s  {figures['start_s']:6.2f}"
              f"  | bare PySide6 window {figures['bare_start_s']:6.2f}"
              f"; after the program's libraries {figures['libraries_start_s']:6.2f}")
    else:
        print(f"kiosk start to home screen (demo): not measured, missing "
              f"{', '.join(figures['missing'])}")
    print(f"touch to next screen painted, ms  median {figures['touch_median_ms']:6.2f}"
          f"  p95 {figures['touch_p95_ms']:6.2f}"
          f"  | bare QStackedWidget median {figures['bare_touch_median_ms']:6.2f}"
          f"  p95 {figures['bare_touch_p95_ms']:6.2f}")
    print(f"«На главную» to home painted, ms  median {figures['home_median_ms']:6.2f}"
          f"  p95 {figures['home_p95_ms']:6.2f}")


if __name__ == "__main__":
    main()
