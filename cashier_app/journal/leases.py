"""Which running program owns which payment, so that several programs can share one data
directory (a window and a command, a watchdog restarting a program) without one of them
cancelling or taking over what another, still alive, is working on.

Every program that writes payments holds an exclusive OS lock on a file of its own,
``<data dir>/instances/<owner>.lock``, for as long as it runs (:class:`InstanceLease`); the
payments it creates carry that owner name. The OS drops the lock when the process ends in any
way — exit, crash, ``kill -9``, power cut — so "is the owner alive?" has an exact answer:
whoever can take the owner's lock knows the owner is gone. Then, and only then:

* a payment it left before pay (``new``, ``checking``, ``checked``) is cancelled — no money
  moved for it;
* a payment it left ``paying``, or a QR code it left waiting, is taken over (its owner column
  set to the new program in a compare-and-set write) and brought to its end.

The window also takes ``<data dir>/window.lock``: one cash drawer, one window
(:func:`hold_window`). Locks come from the ``filelock`` package (``flock`` on POSIX,
``msvcrt.locking`` on Windows).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from pathlib import Path

import filelock

from cashier_app.errors import UserFacingError

log = logging.getLogger(__name__)
INSTANCES_DIR = "instances"
WINDOW_LOCK = "window.lock"
#: owner names are ``<kind>-<pid>-<random>``; nothing else is ever looked up as a file
OWNER = re.compile(r"(?P<kind>[a-z]+)-(?P<pid>[0-9]+)-[0-9a-f]{8}")
KIND_TITLES = {"window": "окно кассы", "cli": "команда cashier-app", "kiosk": "киоск",
               "test": "тест"}
ALIVE_FOR = 1.0  # seconds an "alive" answer is reused (a gone owner stays gone)
SWEEP_AGE = 60.0  # seconds a lock file is left alone by the start-up sweep


class AlreadyRunning(UserFacingError, RuntimeError):
    """Another window holds this data directory; ``str()`` is Russian."""


def _lock(path: Path) -> filelock.BaseFileLock:
    return filelock.FileLock(str(path))


def _try(lock: filelock.BaseFileLock) -> bool:
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return False
    return True


def describe(owner: str | None) -> str:
    """The owner for a person: «окно кассы (процесс 1234)»."""
    match = OWNER.fullmatch(owner or "")
    if match is None:
        return "прежний запуск программы"
    return f"{KIND_TITLES.get(match['kind'], match['kind'])} (процесс {match['pid']})"


class InstanceLease:
    """This program's claim on the payments it creates; held until :meth:`release`."""

    def __init__(self, data_dir: Path, kind: str) -> None:
        self.directory = data_dir / INSTANCES_DIR
        self.directory.mkdir(parents=True, exist_ok=True)
        for _ in range(5):  # a fresh random name each time: only a broken filesystem fails
            self.owner = f"{kind}-{os.getpid()}-{secrets.token_hex(4)}"
            self._lock = _lock(self.directory / f"{self.owner}.lock")
            if _try(self._lock):
                break
        else:
            raise OSError(f"cannot lock a file in {self.directory}")
        self._seen: dict[str, float] = {}  # owner → when last found alive
        self._gone: set[str] = set()
        self._sweep()

    def alive(self, owner: str | None) -> bool:
        """Is the program that owns a payment still running? No owner (a journal from before
        owners existed) and an unknown name count as gone."""
        if owner == self.owner:
            return True
        if not owner or owner in self._gone or OWNER.fullmatch(owner) is None:
            return False
        seen = self._seen.get(owner)
        if seen is not None and time.monotonic() - seen < ALIVE_FOR:
            return True
        path = self.directory / f"{owner}.lock"
        if not path.exists():
            self._gone.add(owner)
            return False
        probe = _lock(path)
        if not _try(probe):
            self._seen[owner] = time.monotonic()
            return True
        probe.release()
        path.unlink(missing_ok=True)
        self._gone.add(owner)
        log.info("owner %s is gone; its payments may be taken over", owner)
        return False

    def _sweep(self) -> None:
        """Remove the lock files of programs that are gone (a crash leaves one behind).

        Only files older than :data:`SWEEP_AGE`: a program starting right now creates its
        file and then locks it, and a probe between the two would take its lock for a moment
        (and wrongly think it gone). A payment's owner is never in that moment — it wrote
        the payment holding its lock — so :meth:`alive` needs no such care."""
        now = time.time()
        for path in self.directory.glob("*.lock"):
            try:
                young = now - path.stat().st_mtime < SWEEP_AGE
            except OSError:
                continue
            if path.stem != self.owner and not young:
                self.alive(path.stem)

    def release(self) -> None:
        self._lock.release()
        Path(self._lock.lock_file).unlink(missing_ok=True)


def hold_window(data_dir: Path) -> filelock.BaseFileLock:
    """One window per data directory: the lock is held until the window's process ends.
    A second window is refused (two windows would be two cashiers on one drawer)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(data_dir / WINDOW_LOCK)
    if not _try(lock):
        raise AlreadyRunning(
            f"Окно кассы уже открыто на этом компьютере (каталог данных {data_dir}). "
            "Переключитесь на открытое окно; второе окно на одной кассе не открывается")
    return lock
