"""agentTransactionId: positive, at most 18 digits, never repeated by this point.

How an id is built (18 digits until the year 2051)::

    milliseconds since 2020-01-01 UTC  ×  10^6
  + point number (00-99, setting point.number)  ×  10^4
  + sequence within that millisecond (0000-9999)

e.g. 217 000 000 000 01 0003 → ``217000000000010003``. Ids grow with time, so a journal that was
deleted, or restored from an old backup, cannot make the program reuse an id: the clock has moved
on. Two more guards cover a clock that goes back (NTP, a dead CMOS battery): the last id issued is
kept in a small high-water-mark file beside the journal (written and fsynced *before* the id is
used), and the journal's own largest id; a new id is always above both. The point number keeps
two cash desks of one agent apart even when their clocks agree. Two programs on one data
directory (a window and a command) allocate under an OS file lock (``<hwm>.lock``), so they
never hand out the same id in the same millisecond.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import filelock

from cashier_app.util.fsutil import atomic_write

from .errors import JournalBusy, JournalStorageError

EPOCH = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
MS_FACTOR = 10**6
POINT_FACTOR = 10**4
MAX_ID = 10**18 - 1
#: How far ahead of the clock a reservation of ids reaches (see IdAllocator.allocate).
RESERVE_MS = 10_000


class IdAllocator:
    def __init__(self, hwm_path: Path, point: int, *, floor: int = 0,
                 clock: Callable[[], float] = time.time) -> None:
        if not 0 <= point <= 99:
            raise ValueError("point number must be 0..99")
        self.path = hwm_path
        self.point = point
        self.floor = floor
        self._clock = clock
        self._reserved = 0  # the mark this allocator wrote: ids up to it are its own

    def _read_hwm(self) -> int:
        return read_hwm(self.path)

    def _write_hwm(self, value: int) -> None:
        atomic_write(self.path, f"{value}\n".encode("ascii"))

    def _after(self, last: int) -> int:
        """The smallest id of this point above ``last``."""
        ms, rest = divmod(last, MS_FACTOR)
        point, seq = divmod(rest, POINT_FACTOR)
        if point < self.point:
            return ms * MS_FACTOR + self.point * POINT_FACTOR
        if point == self.point and seq < POINT_FACTOR - 1:
            return last + 1
        return (ms + 1) * MS_FACTOR + self.point * POINT_FACTOR

    def allocate(self) -> int:
        """The next id. The high-water mark on disk is a *reservation*: before an id above
        it is issued, the mark is moved :data:`RESERVE_MS` ahead and written with fsync; ids
        below it need no disk write (one fsync per ten seconds of payments, not two per
        payment). A restart — or another program on this data directory — starts above the
        mark, so an id is never issued twice, and the ids of two programs never mix: each
        issues only from a range it reserved under the file lock.

        JournalStorageError when the mark cannot be written (a full disk): no id, nothing
        sent."""
        now_ms = max(0, round((self._clock() - EPOCH) * 1000))
        candidate = now_ms * MS_FACTOR + self.point * POINT_FACTOR
        issued = candidate if candidate > self.floor else self._after(self.floor)
        if issued > self._reserved:
            issued = self._reserve(issued, now_ms)
        if not 0 < issued <= MAX_ID:
            raise RuntimeError("agentTransactionId range exhausted (clock beyond 2051?)")
        self.floor = issued
        return issued

    def _reserve(self, wanted: int, now_ms: int) -> int:
        """Take the next range above everything on disk; returns the first id in it."""
        lock = filelock.FileLock(f"{self.path}.lock")
        try:
            with lock.acquire(timeout=30):
                mark = self._read_hwm()
                first = wanted if wanted > mark else self._after(mark)
                ahead = (now_ms + RESERVE_MS) * MS_FACTOR + self.point * POINT_FACTOR
                reserved = max(first, ahead)
                if not 0 < first <= MAX_ID:
                    raise RuntimeError("agentTransactionId range exhausted")
                self._write_hwm(min(reserved, MAX_ID))
                self._reserved = min(reserved, MAX_ID)
                return first
        except filelock.Timeout:
            raise JournalBusy("Номер платежа не выдан: другая программа держит счётчик "
                              "номеров дольше 30 секунд") from None
        except OSError as error:
            raise JournalStorageError(
                f"Номер платежа не записан ({self.path}): {error.strerror or error}. "
                "Освободите место на диске; платёж не начат") from None


def read_hwm(path: Path) -> int:
    """The last id this point issued (0: none, or the mark is unreadable)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() else 0
