"""The cashier's window ends the normal way with exit code 0 and nothing on stderr — the real
program (``python -m cashier_app --demo``) as a process.

Normal ways to end it: Ctrl+Q (pressed on a real X server, Xvfb + xdotool, where those are
installed), and a request to end from outside — SIGTERM from a watchdog or a system shutting
down, SIGINT from Ctrl+C in the terminal — which the program answers like Ctrl+Q. The signals
work everywhere, so those cases always run; the key press is added where it can be made.
A finished demo removes its temporary data directory: its absence shows that the shutdown
after the window's close did run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cashier_app.engine.catalog import CACHE_NAME
from tests.e2e.helpers import CLI, base_env

HAVE_X = bool(shutil.which("Xvfb") and shutil.which("xdotool"))
WAYS = ["SIGTERM", "SIGINT", *(["Ctrl+Q"] if HAVE_X else [])]
SCREEN = (1366, 768)


@contextmanager
def xvfb() -> Iterator[str]:
    """A virtual X server of the size of a point's screen; yields its DISPLAY."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0",
         f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as numbers:
            display = numbers.readline().strip()
        assert display, "Xvfb did not start"
        yield f":{display}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _xdotool(display: str, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def _demo_dirs(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("cashier-demo-*"))


def _wait(condition: Callable[[], object], process: subprocess.Popen[str],
          timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate(timeout=10)
        assert time.monotonic() < deadline, "the window did not come up"
        time.sleep(0.2)


def _working(tmp_path: Path) -> bool:
    """The window is up and its event loop runs: the first catalog refresh was saved."""
    return any((folder / CACHE_NAME).exists() and any((folder / "instances").glob("window-*"))
               for folder in _demo_dirs(tmp_path))


@pytest.mark.parametrize("way", WAYS)
def test_a_normal_exit_is_code_0_without_a_traceback(way: str, tmp_path: Path) -> None:
    env = base_env(tmp_path, TMPDIR=str(tmp_path))  # the demo's data directory goes there
    with (xvfb() if way == "Ctrl+Q" else _no_display()) as display:
        if display:
            env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        process = subprocess.Popen([*CLI, "--demo"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   encoding="utf-8")
        try:
            _wait(lambda: _working(tmp_path), process)
            if display:
                window = _xdotool(display, "search", "--sync", "--onlyvisible", "--name",
                                  "^Касса").split()[-1]
                # the title bar names the program once; the window fits the screen
                assert _xdotool(display, "getwindowname", window).strip() == (
                    "Касса — демо-режим")
                shape = dict(line.split("=") for line in _xdotool(
                    display, "getwindowgeometry", "--shell", window).split())
                assert int(shape["X"]) + int(shape["WIDTH"]) <= SCREEN[0], shape
                assert int(shape["Y"]) + int(shape["HEIGHT"]) <= SCREEN[1], shape
                _xdotool(display, "windowfocus", "--sync", window)
                _xdotool(display, "key", "--clearmodifiers", "ctrl+q")
            else:
                process.send_signal(signal.SIGTERM if way == "SIGTERM" else signal.SIGINT)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
    assert process.returncode == 0, (out, err)
    assert "Traceback" not in err and "ошибка" not in err.lower(), err
    assert _demo_dirs(tmp_path) == []  # the shutdown ran to its end


@contextmanager
def _no_display() -> Iterator[str]:
    yield ""
