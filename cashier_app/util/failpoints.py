"""Crash points for the crash tests: ``CASHIER_FAILPOINT=<name>`` makes the process kill itself
with SIGKILL when it reaches that point — as a power cut would, with nothing flushed or cleaned.
``CASHIER_FAILPOINT=<name>#N`` kills it the N-th time it gets there (the second bill, say).
``CASHIER_FAILPOINT=<name>:stop`` stops it there instead (SIGSTOP, POSIX): the test changes
the world meanwhile — fills the disk, say — and lets it go on with SIGCONT.
Unset (always, in production), :func:`failpoint` does nothing."""

from __future__ import annotations

import os
import signal

ENV = "CASHIER_FAILPOINT"
_reached: dict[str, int] = {}


def failpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, action = wanted.partition(":")
    point, _, nth = point.partition("#")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if nth and _reached[name] != int(nth):
        return
    if action == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)
    elif hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    else:  # Windows: no SIGKILL; ending at once, with nothing flushed or closed, is the same
        os._exit(137)
