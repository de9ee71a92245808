"""Text a CP866 receipt printer can print.

Receipt printers print Cyrillic from code page CP866. Characters outside it — the ruble sign,
dashes, typographic quotes, odd spaces — would make the printer print garbage (or make a
"magic" encoder switch code pages mid-line), so every text is reduced to CP866 first, the
same way for the on-screen preview and for the paper.
"""

from __future__ import annotations

import unicodedata

ENCODING = "cp866"

REPLACEMENTS = {
    "\u20bd": "руб.",  # ₽
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2039": "<", "\u203a": ">",
    "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...", "\u00d7": "x",  # № is in CP866 (0xFC) and is kept
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\ufeff": "",
    "\t": " ", "\r": "", "\n": " ",
    "\u20ac": "EUR", "\u2122": "TM", "\u00a9": "(c)", "\u00ae": "(R)", "\u2022": "*",
}


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` with every character the printer's CP866 lacks replaced sensibly."""
    out: list[str] = []
    for char in text:
        if char in REPLACEMENTS:
            out.append(REPLACEMENTS[char])
        elif char.isprintable() and _encodable(char):
            out.append(char)
        elif not char.isprintable():
            continue  # control characters never reach the printer
        else:
            # é → e, ﬁ → fi; what has no such form becomes "?"
            decomposed = unicodedata.normalize("NFKD", char)
            kept = "".join(c for c in decomposed
                           if not unicodedata.combining(c) and _encodable(c))
            out.append(kept or "?")
    return "".join(out)


def encode(text: str) -> bytes:
    """The bytes of ``printable(text)`` in CP866."""
    return printable(text).encode(ENCODING)
