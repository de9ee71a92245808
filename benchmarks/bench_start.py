"""Start to the first visible window, as the cashier sees it: ``cashier-app --demo`` on an X
server (Xvfb), timed from the process's launch until its window is mapped on the screen.

The window is watched from outside (``xdotool search --onlyvisible``, every 10 ms), so the
figure is what a person waits for — the imports, the journal, the emulator of the demo, the
window built and drawn — and the same watch times two floors: a bare Python process that
imports PySide6 and shows an empty window, and the same after importing the libraries the
program's start imports (:data:`LIBRARIES`) — what any program built on them waits for.
Needs ``Xvfb`` and ``xdotool`` (``./scripts/bench`` installs them); without them the figures
are reported as not measured.

Run: ``python -m benchmarks.bench_start [--starts 5] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO_TITLE = "^Касса — демо-режим$"
BARE_TITLE = "^bare-start$"
BARE = ("from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "app = QApplication([])\n"
        "window = QMainWindow()\n"
        "window.setWindowTitle('bare-start')\n"
        "window.resize(1366, 768)\n"
        "window.show()\n"
        "app.exec()\n")
#: What the program's start imports besides PySide6 and the standard library (the product is
#: built on them; ``httpx`` brings httpcore, h11, anyio, and in a development environment its
#: command line's rich; ``sqlite_utils`` brings click, dateutil, pluggy).
LIBRARIES = ("asyncio", "qasync", "httpx", "sqlite_utils", "platformdirs", "regex", "filelock",
             "certifi")
LIBRARIES_TITLE = "^libraries-start$"
LIBRARIES_FLOOR = "".join(f"import {name}\n" for name in LIBRARIES) + BARE.replace(
    "bare-start", "libraries-start")


def tools_missing() -> list[str]:
    return [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]


@contextmanager
def x_server() -> Iterator[str]:
    """A private Xvfb at the points' screen size, on the first free display number."""
    number = next(n for n in range(91, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                  and not Path(f"/tmp/.X{n}-lock").exists())
    display = f":{number}"
    # -noreset: by default Xvfb resets when its last client leaves, and a client connecting
    # during the reset is refused (the next start would fail)
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-noreset",
                               "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True,
                             env={**os.environ, "DISPLAY": display}).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def visible(display: str, title: str) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                           env={**os.environ, "DISPLAY": display}, capture_output=True)
    return found.returncode == 0 and bool(found.stdout.strip())


def time_to_window(command: list[str], title: str, display: str) -> float:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        while not visible(display, title):
            if process.poll() is not None:
                said = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"{command[-1]} ended (exit {process.returncode}) before "
                                   f"its window showed: {said}")
            if time.perf_counter() - started > 60:
                raise RuntimeError("no window within 60 s")
            time.sleep(0.01)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)  # as a watchdog stops it: the window closes
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(starts: int) -> dict[str, Any]:
    missing = tools_missing()
    if missing:
        return {"measured": False, "missing": missing}
    demo = [sys.executable, "-m", "cashier_app", "--demo"]
    bare = [sys.executable, "-c", BARE]
    libraries = [sys.executable, "-c", LIBRARIES_FLOOR]
    with x_server() as display:
        time_to_window(bare, BARE_TITLE, display)  # the first start warms the disk cache
        ours, floor, with_libraries = [], [], []
        for _ in range(starts):  # taken in turn: the machine's drift is in all three alike
            ours.append(time_to_window(demo, DEMO_TITLE, display))
            floor.append(time_to_window(bare, BARE_TITLE, display))
            with_libraries.append(time_to_window(libraries, LIBRARIES_TITLE, display))
    return {"measured": True, "demo_start_s": statistics.median(ours),
            "bare_start_s": statistics.median(floor),
            "libraries_start_s": statistics.median(with_libraries), "starts": starts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args()
    figures = measure(args.starts)
    if args.json:
        print(json.dumps(figures))
    elif not figures["measured"]:
        print(f"start to first visible window (demo): not measured, missing "
              f"{', '.join(figures['missing'])}")
    else:
        print(f"start to first visible window (demo, Xvfb), s  {figures['demo_start_s']:6.2f}"
              f"  | bare PySide6 window {figures['bare_start_s']:6.2f}"
              f"; after the program's libraries {figures['libraries_start_s']:6.2f}")


if __name__ == "__main__":
    main()
