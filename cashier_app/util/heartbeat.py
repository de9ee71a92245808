"""The kiosk's heartbeat: a small file the kiosk rewrites every couple of seconds and the
watchdog (``cashier-app watchdog``) reads.

Why a file and not "the process exists": a kiosk whose Qt event loop is stuck (a dead lock, a
driver call that never returns) is still a process — only a beat written *from the event loop*
(a Qt timer calls :meth:`Heartbeat.beat`) says the program still turns and can serve a person.

The contract: the watchdog puts the file's path in the environment variable
:data:`HEARTBEAT_ENV`; the kiosk, when it is set, calls ``beat()`` every :attr:`interval`
seconds. The file holds one line, ``<time.time()> <pid>`` (``1712345678.123456 4242``).
"""

from __future__ import annotations

import logging
import math
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: The environment variable the watchdog passes the heartbeat file's path in.
HEARTBEAT_ENV = "CASHIER_HEARTBEAT"


class Heartbeat:
    """Writes the beat. Never raises: a kiosk on a full disk must keep taking payments —
    the watchdog will see no beat and restart it, which is the most the file can do."""

    def __init__(self, path: Path, interval: float = 2.0) -> None:
        self.path = path
        #: How often the caller should beat, seconds (the watchdog waits much longer).
        self.interval = interval
        self._failing = False

    def beat(self) -> None:
        """Replace the file with the current time and pid: a temporary file beside it, then
        ``os.replace``, so the reader sees the old beat or the new, never half a line. No
        fsync — a beat lost in a power cut does not matter, and fsync every two seconds for
        months wears an SD card and may stall the event loop."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(f"{time.time():.6f} {os.getpid()}\n", encoding="ascii")
            os.replace(tmp, self.path)
        except OSError as error:
            if not self._failing:  # once per run of failures, not every two seconds
                log.warning("heartbeat: cannot write %s: %s", self.path, error)
                self._failing = True
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return
        if self._failing:
            log.info("heartbeat: writing %s again", self.path)
            self._failing = False


def last_beat(path: Path) -> float | None:
    """The time of the last beat in ``path`` (``time.time()`` of the writer), or None when
    there is no file or it holds no beat (garbage, empty, unreadable)."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.split()
    if not fields:
        return None
    try:
        moment = float(fields[0])
    except ValueError:
        return None
    return moment if math.isfinite(moment) else None
