"""Where the program's read-only files are (the style sheets, the demo catalog, translations),
and how the program starts itself again — the two things a frozen build answers differently.

In a source tree and an editable install they are ``resources/`` beside the package; in the
frozen folder PyInstaller puts the package's modules and the data the build names under one
directory, ``sys._MEIPASS``, and the build copies ``resources/`` there. One function, so that
no module counts parent directories of its own file.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def is_frozen() -> bool:
    """True in the built program (PyInstaller), False when run from source."""
    return bool(getattr(sys, "frozen", False))


def own_command() -> list[str]:
    """How to start this same program again (the watchdog starting the kiosk, an autostart
    entry): the frozen executable itself, or this interpreter with ``-m cashier_app`` — the
    frozen one would take ``-m`` for an option of its own."""
    if is_frozen():
        return [sys.executable]
    return [sys.executable, "-m", "cashier_app"]
