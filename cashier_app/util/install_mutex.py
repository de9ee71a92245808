"""The named mutex that tells the installer the program is running.

Inno Setup's ``AppMutex`` (installer.iss) refuses to install over, or uninstall, a program
that holds a mutex of that name: nobody replaces the files of a cash desk in the middle of a
payment. Every process of the program that works with a point's settings holds it for its
whole life (the window, the kiosk, a ``pay`` from a script; not ``--version`` or the
emulator); Windows releases it when the process ends, however it ends. The name
is in both the session namespace and ``Global\\`` so that an installer started in another
session (an engineer over remote desktop) sees a desk running at the console too.
Elsewhere there is no such installer, and the call does nothing.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

#: The name installer.iss names in AppMutex (a test reads both and compares them).
MUTEX_NAME = "KassaCashierAppRunning"

_held: list[Any] = []  # the handles, kept open until the process ends


def hold_install_mutex(platform: str | None = None) -> bool:
    """Create the mutex (both names) and keep it; True where it was created."""
    if (platform or sys.platform) != "win32":
        return False
    try:
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        create = kernel32.CreateMutexW
        create.restype = ctypes.c_void_p
        for name in (MUTEX_NAME, "Global\\" + MUTEX_NAME):
            handle = create(None, False, name)
            if handle:
                _held.append(handle)
            else:  # another user's Global one may be out of reach; the local one is enough
                log.warning("could not create mutex %s (error %s)", name,
                            ctypes.get_last_error())  # type: ignore[attr-defined]
    except (OSError, AttributeError) as error:
        log.warning("installer mutex not created: %s", error)
        return False
    return bool(_held)
