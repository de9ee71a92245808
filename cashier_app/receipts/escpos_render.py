"""Laid-out lines → the ESC/POS bytes a printer receives, through python-escpos.

The code page is selected once (``ESC t n`` with the CP866 slot of the printer's profile) and
every text is CP866 bytes: no "magic" switching of code pages mid-line. python-escpos gives the
profiles (which slot CP866 has, the columns, whether the printer draws QR codes itself and can
cut) and the commands for styles, QR codes and the cut.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import Line
from .text import encode

FEED_BEFORE_CUT = 4


def escpos_modules() -> Any:
    """Import python-escpos (slow, ~0.5 s: only when printing) without its side effects: it
    would pickle its printer database into a new temporary directory on every start and
    configure the root logger."""
    import sys

    if "escpos.printer" not in sys.modules:
        cache = Path(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
                     or Path(tempfile.gettempdir()) / "cashier-app-escpos")
        cache.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        root = logging.getLogger()
        guard = None
        if not root.handlers:  # escpos.capabilities calls logging.basicConfig() on import
            guard = logging.NullHandler()
            root.addHandler(guard)
        try:
            import escpos.printer
        finally:
            if guard is not None:
                root.removeHandler(guard)
    import escpos

    return escpos


@dataclass(frozen=True)
class ProfileFacts:
    name: str
    codepage: int | None  # the CP866 slot, None when the profile does not list CP866
    columns: int
    native_qr: bool
    cut: bool


@functools.lru_cache(maxsize=1)
def _profiles() -> dict[str, Any]:
    """python-escpos's printer database, read as data (9 ms) rather than through its module
    (0.5 s and a pickle cache): the window needs the columns for a preview at once."""
    text = (importlib.resources.files("escpos") / "capabilities.json").read_text("utf-8")
    profiles: dict[str, Any] = json.loads(text)["profiles"]
    return profiles


def profile_facts(name: str) -> ProfileFacts:
    """What python-escpos knows of a printer profile. Raises KeyError for an unknown name."""
    data = _profiles()[name]
    slots = sorted(int(slot) for slot, page in data.get("codePages", {}).items()
                   if page == "CP866")
    font = data.get("fonts", {}).get("0", {})
    columns = font.get("columns") if isinstance(font.get("columns"), int) else 42
    features = data.get("features", {})
    return ProfileFacts(name, slots[0] if slots else None, columns,
                        bool(features.get("qrCode")),
                        bool(features.get("paperPartCut") or features.get("paperFullCut")))


def profile_names() -> list[str]:
    return sorted(_profiles())


def qr_code(text: str) -> Any:
    """The QR code of ``text`` (1-module border, error correction M): on paper and on screen."""
    import qrcode

    code = qrcode.QRCode(box_size=5, border=1,
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_image(text: str) -> Any:
    """A QR code as a black-and-white PIL image, 5 dots per module."""
    return qr_code(text).make_image().get_image().convert("1")


def render(lines: list[Line], *, profile: str = "default", codepage: int = 17,
           cut: bool = True) -> bytes:
    """The whole receipt as bytes: init, code page, the lines, feed and cut."""
    escpos_modules()
    from escpos import constants
    from escpos.printer import Dummy

    facts = profile_facts(profile)
    printer = Dummy(profile=profile)
    printer._raw(constants.HW_INIT)
    printer._raw(constants.CODEPAGE_CHANGE + bytes([codepage]))
    bold = big = False
    for line in lines:
        if (line.bold, line.big) != (bold, big):
            # ESC ! (the size) also clears emphasis, so the size goes first, then bold
            printer._raw(constants.TXT_STYLE["size"]["2h" if line.big else "normal"])
            printer._raw(constants.TXT_STYLE["bold"][line.bold])
            bold, big = line.bold, line.big
        if line.qr is not None:
            printer._raw(constants.TXT_STYLE["align"]["center"])
            if facts.native_qr:
                printer.qr(line.qr, size=5, native=True)
            else:  # the printer cannot draw QR codes itself: send the code as a raster image
                printer.image(qr_image(line.qr), impl="bitImageRaster", center=False)
            printer._raw(constants.TXT_STYLE["align"]["left"])
            continue
        printer._raw(encode(line.text) + b"\n")
    if bold or big:
        printer._raw(constants.TXT_STYLE["size"]["normal"])
        printer._raw(constants.TXT_STYLE["bold"][False])
    printer._raw(b"\n" * FEED_BEFORE_CUT)
    if cut and facts.cut:
        printer._raw(constants.PAPER_PART_CUT)
    output: bytes = printer.output
    return output
