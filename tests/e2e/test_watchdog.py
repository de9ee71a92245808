"""``cashier-app watchdog`` as a real process watching a real child: a small script standing
in for the kiosk that beats the heartbeat file and, told by a marker file, exits 3, exits 0
or stops beating. A killed, crashed or hung child comes back (a new pid, the count in
watchdog.json, one Russian line); exit 0 and SIGTERM end the watchdog with 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.helpers import CLI, base_env

#: The stand-in kiosk. Its pid goes to pids.txt; SIGTERM is noted in terms.txt (so a test
#: sees the gentle stop, not a kill). mode.txt is read and removed by the first child that
#: sees it: "exit3", "exit0" or "hang" (stop beating for good).
CHILD = '''
import os, signal, sys, time
from pathlib import Path

here = Path(__file__).parent
beat = Path(os.environ["CASHIER_HEARTBEAT"])

def terminated(signum, frame):
    with open(here / "terms.txt", "a") as out:
        out.write(f"{os.getpid()}\\n")
    sys.exit(143)

signal.signal(signal.SIGTERM, terminated)
with open(here / "pids.txt", "a") as out:
    out.write(f"{os.getpid()}\\n")
hung = False
while True:
    mode = here / "mode.txt"
    try:
        order = mode.read_text().strip()
        mode.unlink()
    except FileNotFoundError:
        order = ""
    if order == "exit3":
        sys.exit(3)
    if order == "exit0":
        sys.exit(0)
    hung = hung or order == "hang"
    if not hung:
        tmp = beat.with_name(beat.name + ".tmp")
        tmp.write_text(f"{time.time()} {os.getpid()}")
        os.replace(tmp, beat)
    time.sleep(0.1)
'''


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {condition}")


class Kiosk:
    """The watchdog process and what its children left in tmp_path."""

    def __init__(self, tmp_path: Path, process: subprocess.Popen[str]) -> None:
        self.tmp_path = tmp_path
        self.process = process

    def pids(self) -> list[int]:
        path = self.tmp_path / "pids.txt"
        return [int(line) for line in path.read_text().split()] if path.exists() else []

    def terms(self) -> list[int]:
        path = self.tmp_path / "terms.txt"
        return [int(line) for line in path.read_text().split()] if path.exists() else []

    def state(self) -> dict[str, Any]:
        path = self.tmp_path / "data" / "watchdog.json"
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def order(self, mode: str) -> None:
        (self.tmp_path / "mode.txt").write_text(mode)

    def beating(self, pid: int) -> bool:
        beat = self.tmp_path / "data" / "kiosk.heartbeat"
        try:
            return beat.read_text().split()[1] == str(pid)
        except (OSError, IndexError):
            return False

    def child(self, number: int) -> int:
        """The pid of the ``number``-th child (1-based), once it has started and beats."""
        pid = int(wait_for(lambda: len(self.pids()) >= number and self.pids()[number - 1]))
        wait_for(lambda: self.beating(pid))
        return pid

    def end(self, timeout: float = 15.0) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=timeout)
        assert "Traceback" not in stderr, stderr
        return self.process.returncode, stderr


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def watchdog(tmp_path: Path, *options: str) -> Iterator[Kiosk]:
    script = tmp_path / "kiosk.py"
    script.write_text(CHILD, encoding="utf-8")
    process = subprocess.Popen(
        [*CLI, "watchdog", "--hang-after", "2", "--restart-pause", "0.2", *options, "--",
         sys.executable, str(script)],
        env=base_env(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, encoding="utf-8")
    kiosk = Kiosk(tmp_path, process)
    try:
        yield kiosk
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        for pid in kiosk.pids():  # nothing of ours outlives the test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_killed_or_crashed_kiosk_is_restarted(tmp_path: Path) -> None:
    with watchdog(tmp_path) as kiosk:
        first = kiosk.child(1)
        assert kiosk.state()["starts"] == 1 and kiosk.state()["restarts"] == 0
        os.kill(first, signal.SIGKILL)
        second = kiosk.child(2)
        assert second != first
        state = kiosk.state()
        assert (state["starts"], state["restarts"], state["last_reason"]) == (
            2, 1, f"exited {-signal.SIGKILL}")
        assert state["last_restart"]
        kiosk.order("exit3")  # a crash of its own
        kiosk.child(3)
        assert wait_for(lambda: kiosk.state().get("starts") == 3)
        state = kiosk.state()
        assert (state["restarts"], state["last_reason"]) == (2, "exited 3")
        kiosk.process.send_signal(signal.SIGTERM)
        code, stderr = kiosk.end()
    assert code == 0
    assert (f"cashier-app watchdog: киоск завершился (код {-signal.SIGKILL}), "
            "перезапуск через 0.2 с (перезапусков: 1)") in stderr
    assert ("cashier-app watchdog: киоск завершился (код 3), перезапуск через 0.2 с "
            "(перезапусков: 2)") in stderr
    log = (tmp_path / "data" / "logs" / "cashier.log").read_text(encoding="utf-8")
    assert "cashier_app.watchdog: restart 2 in 0.2 s: exited 3" in log


def test_a_hung_kiosk_is_stopped_and_restarted(tmp_path: Path) -> None:
    with watchdog(tmp_path) as kiosk:
        first = kiosk.child(1)
        kiosk.order("hang")  # alive, but no more beats
        second = kiosk.child(2)
        assert not alive(first) and kiosk.terms() == [first]  # SIGTERM, not a kill
        state = kiosk.state()
        assert state["restarts"] == 1 and state["last_reason"] in ("hung 2 s", "hung 3 s")
        kiosk.process.send_signal(signal.SIGTERM)
        code, stderr = kiosk.end()
    assert code == 0 and second != first
    assert "cashier-app watchdog: киоск не отвечает " in stderr
    assert " с — перезапуск через 0.2 с (перезапусков: 1)" in stderr


def test_exit_0_ends_the_watchdog_without_a_restart(tmp_path: Path) -> None:
    with watchdog(tmp_path) as kiosk:
        kiosk.child(1)
        kiosk.order("exit0")  # the engineer's "exit to the desktop"
        code, stderr = kiosk.end()
        assert code == 0
        assert len(kiosk.pids()) == 1
        assert kiosk.state()["restarts"] == 0
    assert "перезапуск" not in stderr
    assert "киоск завершён штатно (код 0)" in stderr


def test_sigterm_stops_the_kiosk_and_the_watchdog(tmp_path: Path) -> None:
    with watchdog(tmp_path) as kiosk:
        first = kiosk.child(1)
        kiosk.process.send_signal(signal.SIGTERM)
        code, stderr = kiosk.end()
        assert code == 0
        assert not alive(first) and kiosk.terms() == [first]
        assert kiosk.pids() == [first] and kiosk.state()["restarts"] == 0
    assert "cashier-app watchdog: остановлен (SIGTERM), киоск завершён" in stderr


def test_too_many_restarts_slow_down_to_one_a_minute(tmp_path: Path) -> None:
    with watchdog(tmp_path, "--max-restarts-per-hour", "1") as kiosk:
        kiosk.child(1)
        kiosk.order("exit3")
        kiosk.child(2)
        kiosk.order("exit3")  # the second restart in the hour: over the limit
        wait_for(lambda: kiosk.state().get("restarts") == 2)
        time.sleep(1.0)  # well past the 0.2 s pause: no third child
        assert len(kiosk.pids()) == 2
        kiosk.process.send_signal(signal.SIGINT)  # stops the long pause at once
        code, stderr = kiosk.end()
    assert code == 0
    assert "перезапусков за час больше 1" in stderr
    assert "перезапуск через 60 с (перезапусков: 2)" in stderr
    assert "остановлен (SIGINT)" in stderr
