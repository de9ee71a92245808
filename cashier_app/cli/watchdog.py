"""``cashier-app watchdog``: start the kiosk, watch its heartbeat, restart it when it dies or
hangs.

A self-service terminal runs for months with nobody near it: a kiosk that crashed or whose
event loop stuck must come back by itself, and an engineer must later see how often that
happened. This process does only that, with the standard library only — it must keep working
when the kiosk's own code (Qt, drivers) is what broke.

* Alive means beating (:mod:`cashier_app.util.heartbeat`): the child gets the heartbeat file
  in ``CASHIER_HEARTBEAT`` and rewrites it from its event loop. No change of the beat for
  ``--hang-after`` seconds (measured on the monotonic clock here: the kiosk's wall clock is set
  by NTP and may jump) — hung: SIGTERM, SIGKILL after 10 s, restart.
* Exit code 0 is the engineer's "exit to the desktop": the watchdog ends too, with 0.
  Any other end is a crash: restart after ``--restart-pause``.
* Every start and restart is counted in ``<data_dir>/watchdog.json`` and logged; more than
  ``--max-restarts-per-hour`` restarts in an hour means a broken installation: then one
  restart a minute, not a busy loop.
* SIGTERM or SIGINT to the watchdog stops the kiosk the same gentle way, then exit 0.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import math
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

from cashier_app import settings as cfg
from cashier_app.util.fsutil import atomic_write
from cashier_app.util.heartbeat import HEARTBEAT_ENV, last_beat
from cashier_app.util.printable import printable
from cashier_app.util.resources import own_command

from .common import EXIT_OK, CommandFailed, UsageError, echo

log = logging.getLogger("cashier_app.watchdog")

POLL = 0.5  # seconds between looks at the child and its heartbeat
KILL_AFTER = 10.0  # SIGTERM ignored this long: SIGKILL
START_GRACE = 30.0  # the least time a starting kiosk has for its first beat
THROTTLED_PAUSE = 60.0  # the pause between restarts once they are too many
HOUR = 3600.0
PREFIX = "cashier-app watchdog:"


def add_commands(commands: Any) -> None:
    parser = commands.add_parser(
        "watchdog", help="сторож киоска: запустить киоск, следить за ним, перезапускать")
    parser.add_argument("--hang-after", type=float, default=60.0, metavar="С",
                        help="киоск завис, если столько секунд нет сердцебиения (60)")
    parser.add_argument("--restart-pause", type=float, default=5.0, metavar="С",
                        help="пауза перед перезапуском, секунд (5)")
    parser.add_argument("--max-restarts-per-hour", type=int, default=30, metavar="N",
                        help="больше перезапусков за час — перезапуск раз в минуту (30)")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- КОМАНДА",
                        help="что запускать вместо киоска (по умолчанию "
                             "cashier-app --kiosk с теми же --demo и --config)")
    parser.set_defaults(run=run)


def run(settings: cfg.Settings, args: argparse.Namespace) -> int:
    if not (math.isfinite(args.hang_after) and args.hang_after > 0):
        raise UsageError("--hang-after: нужно число секунд больше нуля")
    if not (math.isfinite(args.restart_pause) and args.restart_pause >= 0):
        raise UsageError("--restart-pause: нужно число секунд, не меньше нуля")
    if args.max_restarts_per_hour < 1:
        raise UsageError("--max-restarts-per-hour: нужно число больше нуля")
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    watchdog = Watchdog(_command(args), heartbeat=data_dir / "kiosk.heartbeat",
                        state=data_dir / "watchdog.json", hang_after=args.hang_after,
                        restart_pause=args.restart_pause,
                        max_per_hour=args.max_restarts_per_hour)
    return watchdog.run()


def _command(args: argparse.Namespace) -> list[str]:
    """The command after ``--``, else this program (source or frozen) running the kiosk with
    the watchdog's own ``--demo`` and ``--config``."""
    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if command:
        return command
    command = [*own_command(), "--kiosk"]
    if getattr(args, "demo", False):
        command.append("--demo")
    if getattr(args, "config", None) is not None:
        command += ["--config", str(args.config)]
    return command


class Ending(NamedTuple):
    """Why a child is to be restarted: for the log and watchdog.json, and for the person."""

    reason: str  # "exited 3", "hung 61 s"
    said: str  # "киоск завершился (код 3),"


class Watchdog:
    def __init__(self, command: list[str], *, heartbeat: Path, state: Path, hang_after: float,
                 restart_pause: float, max_per_hour: int) -> None:
        self.command = command
        self.heartbeat = heartbeat
        self.state_path = state
        self.hang_after = hang_after
        self.restart_pause = restart_pause
        self.max_per_hour = max_per_hour
        self._stop = threading.Event()
        self._signal_name = ""
        self._recent: collections.deque[float] = collections.deque()  # restarts, monotonic
        self._throttled = False
        self._state_failing = False
        self._state = self._load_state()

    def run(self) -> int:
        with self._stop_on_signals():
            first = True
            while not self._stop.is_set():
                try:
                    child = self._start()
                except OSError as error:
                    if first:  # a typo in the command: say it, do not retry for ever
                        raise CommandFailed(f"не запускается {printable(self.command[0])}: "
                                            f"{error.strerror or error}") from None
                    log.error("cannot start %s: %s", self.command, error)
                    ending = Ending(f"cannot start: {error}",
                                    f"киоск не запускается ({error.strerror or error}),")
                else:
                    if first:
                        echo(f"{PREFIX} киоск запущен (процесс {child.pid}), сердцебиение — "
                             f"{self.heartbeat}", err=True)
                    first = False
                    watched = self._watch(child)
                    if watched is None:
                        break
                    ending = watched
                if self._stop.wait(self._restart(ending)):
                    break
        if self._stop.is_set():
            log.info("stopped by %s", self._signal_name)
            echo(f"{PREFIX} остановлен ({self._signal_name}), киоск завершён", err=True)
        return EXIT_OK

    def _start(self) -> subprocess.Popen[bytes]:
        try:  # a beat left by the previous child must not count for this one
            self.heartbeat.unlink(missing_ok=True)
        except OSError:
            pass  # _watch counts only a beat that changed
        env = {**os.environ, HEARTBEAT_ENV: str(self.heartbeat)}
        child = subprocess.Popen(self.command, env=env)
        self._record(starts=self._state["starts"] + 1)
        log.info("started %s (pid %d)", self.command, child.pid)
        return child

    def _watch(self, child: subprocess.Popen[bytes]) -> Ending | None:
        """Until the child ends or hangs: why to restart it; None when the watchdog is to end
        (the child exited 0, or we were told to stop — then the child is stopped here)."""
        started = time.monotonic()
        seen = last_beat(self.heartbeat)  # after _start's unlink normally None
        beaten_at: float | None = None
        while True:
            code = child.poll()
            if code == 0:
                log.info("kiosk (pid %d) exited 0: the watchdog ends too", child.pid)
                echo(f"{PREFIX} киоск завершён штатно (код 0), сторож тоже завершает работу",
                     err=True)
                return None
            if code is not None:
                log.warning("kiosk (pid %d) exited %d", child.pid, code)
                return Ending(f"exited {code}", f"киоск завершился (код {code}),")
            now = time.monotonic()
            beat = last_beat(self.heartbeat)
            if beat is not None and beat != seen:
                seen, beaten_at = beat, now
            silent = now - (started if beaten_at is None else beaten_at)
            limit = max(self.hang_after, START_GRACE) if beaten_at is None else self.hang_after
            if silent > limit:
                seconds = round(silent)
                log.warning("kiosk (pid %d) hung: no heartbeat for %d s%s", child.pid,
                            seconds, "" if beaten_at is not None else " since its start")
                self._terminate(child)
                return Ending(f"hung {seconds} s", f"киоск не отвечает {seconds} с —")
            if self._stop.wait(POLL):
                self._terminate(child)
                return None

    def _restart(self, ending: Ending) -> float:
        """Count and say a restart; the pause before it (longer once they are too many)."""
        now = time.monotonic()
        self._recent.append(now)
        while self._recent and self._recent[0] < now - HOUR:
            self._recent.popleft()
        pause = self.restart_pause
        if len(self._recent) > self.max_per_hour:
            pause = max(pause, THROTTLED_PAUSE)
            if not self._throttled:
                self._throttled = True
                log.warning("more than %d restarts in an hour: one restart a minute",
                            self.max_per_hour)
                echo(f"{PREFIX} перезапусков за час больше {self.max_per_hour} — установка, "
                     f"видимо, неисправна; теперь перезапуск раз в {THROTTLED_PAUSE:g} с",
                     err=True)
        elif self._throttled:
            self._throttled = False
            log.info("restarts back under %d an hour", self.max_per_hour)
        restarts = self._state["restarts"] + 1
        self._record(restarts=restarts, last_restart=datetime.now().astimezone().isoformat(
            timespec="seconds"), last_reason=ending.reason)
        log.warning("restart %d in %g s: %s", restarts, pause, ending.reason)
        echo(f"{PREFIX} {ending.said} перезапуск через {pause:g} с (перезапусков: {restarts})",
             err=True)
        return pause

    def _terminate(self, child: subprocess.Popen[bytes]) -> None:
        """SIGTERM (the kiosk may close its devices), SIGKILL if it is still there in 10 s.
        On Windows both are TerminateProcess."""
        if child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(KILL_AFTER)
        except subprocess.TimeoutExpired:
            log.warning("kiosk (pid %d) still running %g s after SIGTERM: killing", child.pid,
                        KILL_AFTER)
            child.kill()
            child.wait()

    def _load_state(self) -> dict[str, Any]:
        """The counts so far (they go on across watchdog runs); zeros if there are none."""
        state: dict[str, Any] = {"starts": 0, "restarts": 0, "last_restart": None,
                                 "last_reason": None}
        try:
            loaded = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return state
        if isinstance(loaded, dict):
            for key in ("starts", "restarts"):
                if isinstance(loaded.get(key), int) and loaded[key] >= 0:
                    state[key] = loaded[key]
            for key in ("last_restart", "last_reason"):
                if isinstance(loaded.get(key), str):
                    state[key] = loaded[key]
        return state

    def _record(self, **changes: Any) -> None:
        """Update watchdog.json atomically; a full disk is logged once, not fatal."""
        self._state.update(changes)
        data = json.dumps(self._state, ensure_ascii=False, indent=2) + "\n"
        try:
            atomic_write(self.state_path, data.encode("utf-8"))
        except OSError as error:
            if not self._state_failing:
                log.warning("cannot write %s: %s", self.state_path, error)
            self._state_failing = True
        else:
            self._state_failing = False

    @contextmanager
    def _stop_on_signals(self) -> Iterator[None]:
        """SIGTERM/SIGINT (and Windows' Ctrl+Break) only set a flag: the loop then stops the
        child gently and returns 0 — no KeyboardInterrupt, no traceback."""
        def stop(signum: int, _frame: FrameType | None) -> None:
            self._signal_name = signal.Signals(signum).name
            self._stop.set()

        wanted = [signal.SIGINT, signal.SIGTERM]
        if hasattr(signal, "SIGBREAK"):
            wanted.append(signal.SIGBREAK)
        previous = {number: signal.signal(number, stop) for number in wanted}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
