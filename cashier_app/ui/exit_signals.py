"""SIGTERM and SIGINT close the cashier's window the way Ctrl+Q does.

A watchdog stopping the program, a system shutting down, Ctrl+C in the terminal it was
started from: each asks the program to end. Left to Python, SIGTERM kills it on the spot (no
shutdown: a pay in flight not waited for, the demo's data directory left behind), and SIGINT
never gets through while Qt's loop runs, because Python runs a signal handler only between its
own bytecodes. So the C-level handler also writes a byte to a socket Qt watches
(``signal.set_wakeup_fd``): Qt wakes up, the Python handler runs, and the window is closed at
the next clean point of the event loop — the normal exit, code 0.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)
#: the requests to end; SIGTERM also exists on Windows (for ``signal.signal``), where Ctrl+C
#: in a console is SIGINT
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ExitSignals(QObject):
    """While it lives, the exit signals call :meth:`on_exit`'s target (once the event loop
    runs; a signal that came before there was a target is kept for it)."""

    def __init__(self, signals: tuple[signal.Signals, ...] = EXIT_SIGNALS) -> None:
        super().__init__()
        self.requested: int | None = None
        self._target: Callable[[], object] | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous: dict[signal.Signals, Any] = {}
        for number in signals:
            self._previous[number] = signal.signal(number, self._caught)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def on_exit(self, target: Callable[[], object]) -> None:
        self._target = target
        if self.requested is not None:
            QTimer.singleShot(0, self._act)

    def _caught(self, number: int, frame: FrameType | None) -> None:
        # this runs between any two bytecodes of whatever Python code is running: only note
        # the request and let the event loop act on it
        log.info("signal %s: closing the window", number)
        self.requested = number
        QTimer.singleShot(0, self._act)

    def _drain(self) -> None:
        """Qt woke up for the byte the C handler wrote; the Python handler has run by now."""
        with contextlib.suppress(OSError):
            while self._reader.recv(512):
                pass

    def _act(self) -> None:
        if self.requested is not None and self._target is not None:
            self._target()

    def close(self) -> None:
        """Put back what was there before (the program is ending)."""
        self._notifier.setEnabled(False)
        for number, previous in self._previous.items():
            if previous is not None:  # None: a handler not set from Python, nothing to put
                signal.signal(number, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
