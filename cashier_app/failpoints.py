"""Crash points for the crash tests: ``CASHIER_FAILPOINT=<name>`` makes the process kill itself
with SIGKILL when it reaches that point — as a power cut would, with nothing flushed or cleaned.
Unset (always, in production), :func:`failpoint` does nothing."""

from __future__ import annotations

import os
import signal

ENV = "CASHIER_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
