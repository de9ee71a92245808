"""A document laid out for a paper width: the exact lines the printer prints.

The on-screen preview shows these lines and the ESC/POS bytes are made from them, so the
preview is what comes out of the printer. 58 mm paper has 32 columns, 80 mm 42 or 48
(font A); double height (titles) keeps the width.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .document import BLANK, CENTER, PAIR, QR, RULE, RULE2, TEXT, TITLE, TOTAL, Document
from .text import ENCODING, printable

COLUMNS = (32, 42, 48)
COPY_MARK = "*** КОПИЯ ***"


@dataclass(frozen=True)
class Line:
    text: str = ""
    bold: bool = False
    big: bool = False  # double height
    qr: str | None = None  # a QR code of this text instead of a text line


def _wrap(text: str, columns: int) -> list[str]:
    return textwrap.wrap(text, columns, break_long_words=True, break_on_hyphens=False) or [""]


def _center(text: str, columns: int) -> list[str]:
    return [line.center(columns).rstrip() for line in _wrap(text, columns)]


def _pair(left: str, right: str, columns: int) -> list[str]:
    if len(left) + 1 + len(right) <= columns:
        return [left + " " * (columns - len(left) - len(right)) + right]
    lines = _wrap(left, columns)
    last = lines[-1]
    if len(last) + 1 + len(right) <= columns:  # the value fits after the label's last line
        lines[-1] = last + " " * (columns - len(last) - len(right)) + right
        return lines
    return lines + [line.rjust(columns) for line in _wrap(right, columns)]


def _ruler(columns: int) -> list[str]:
    digits = "".join(str((i + 1) % 10) for i in range(columns))
    return [digits, "<" + "-" * (columns - 2) + ">"]


def _codepage_table() -> list[str]:
    rows = []
    for high in range(0x8, 0x10):
        chars = bytes(range(high * 16, high * 16 + 16)).decode(ENCODING)
        rows.append(f"{high:X}0 " + printable(chars).ljust(16))
    return rows


def layout(document: Document, columns: int, *, copy: bool = False) -> list[Line]:
    """The printed lines of ``document`` at ``columns`` characters per line."""
    if columns < 24:
        raise ValueError(f"too narrow paper: {columns} columns")
    out: list[Line] = []
    if copy:
        out.append(Line(COPY_MARK.center(columns).rstrip(), bold=True))
    for kind, *texts in document.blocks:
        texts = [printable(text) for text in texts]
        if kind == TITLE:
            out += [Line(line, bold=True, big=True) for line in _center(texts[0], columns)]
        elif kind == CENTER:
            out += [Line(line) for line in _center(texts[0], columns)]
        elif kind == TEXT:
            out += [Line(line) for line in _wrap(texts[0], columns)]
        elif kind in (PAIR, TOTAL):
            out += [Line(line, bold=kind == TOTAL) for line in _pair(texts[0], texts[1], columns)]
        elif kind == RULE:
            out.append(Line("-" * columns))
        elif kind == RULE2:
            out.append(Line("=" * columns))
        elif kind == QR:
            out.append(Line(texts[0], qr=texts[0]))
        elif kind == BLANK:
            out.append(Line())
        elif kind == "ruler":
            out += [Line(line) for line in _ruler(columns)]
        elif kind == "cptable":
            out += [Line(line) for line in _codepage_table()]
        else:  # a block from a newer program: keep its text rather than lose it
            out += [Line(line) for line in _wrap(" ".join(texts), columns)]
    if copy:
        out.append(Line(COPY_MARK.center(columns).rstrip(), bold=True))
    return out


def as_text(lines: list[Line], *, qr_marker: bool = True) -> str:
    """Plain text of the lines (the preview's text, and what golden tests compare)."""
    shown = []
    for line in lines:
        if line.qr is not None:
            shown.append(f"[QR: {line.qr}]" if qr_marker else "")
        else:
            shown.append(line.text)
    return "\n".join(shown) + "\n"
