"""Text from outside (the processing center, its error pages) made safe to show.

A server's ``resultMessage``, a service name or a display line ends up on a terminal, in a
Qt label, on a receipt and in the log. Control characters there are an attack, not content:
an ANSI escape can recolour, clear or rewrite the cashier's terminal (hide the real outcome
of a payment behind a fake «Успешно»), a bidi override can turn «сумма 100» into something
that reads differently than it is stored. :func:`printable` keeps the visible text and drops
everything that moves the cursor or changes how the rest is drawn.
"""

from __future__ import annotations

import re

# Escape sequences are dropped whole, not just their ESC: «[2J» left behind is noise.
# CSI: ESC [ (or C1 0x9B), parameter bytes, intermediate bytes, one final byte.
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
# OSC, DCS, SOS, PM, APC: up to their terminator (BEL or ST), or to the end of the text.
_STRING = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
# Any other two-byte escape (ESC c reset, ESC 7/8 save/restore cursor, charset selection…).
_ESC_PAIR = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_SEQUENCE = re.compile(f"{_CSI}|{_STRING}|{_ESC_PAIR}")

# Line breaks and tabs become spaces: one message stays one line.
_BREAKS = "\t\n\v\f\r\x85\u2028\u2029"
_TO_SPACE = {ord(ch): " " for ch in _BREAKS}
# The rest of C0, DEL, C1, and the bidi embeddings/overrides/isolates and marks go.
_DROP = (
    [code for code in range(0x20) if chr(code) not in _BREAKS]
    + [0x7F]
    + [code for code in range(0x80, 0xA0) if chr(code) not in _BREAKS]
    + [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_TABLE = {**_TO_SPACE, **dict.fromkeys(_DROP)}
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without control characters, escape sequences and bidi controls; tabs and
    line breaks as spaces. Plain text (the usual case) comes back as the same object."""
    if not _SUSPECT.search(text):
        return text
    return _SEQUENCE.sub("", text).translate(_TABLE)
