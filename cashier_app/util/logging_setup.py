"""Logging: a daily-rotating file in the data directory, secrets masked everywhere.

Three promises, each because something broke without it:

* a secret (the processing token) never reaches a log line in any spelling: an exception
  text shows it escaped (``'tok\\nen'``, ``b'tok\\xd0\\xb9'``, ``%20``), not as typed, so
  :class:`SecretMask` replaces every form a secret takes;
* the log is the owner's: the directory is created 0700 and the file 0600 on POSIX (it holds
  request bodies: accounts and amounts);
* logging never breaks or clutters the program: a full disk makes a write fail quietly
  instead of printing a traceback to stderr on every record, and the console gets one line
  per record, never a traceback (that is what the file is for).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cashier_app.util.printable import printable

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MASK = "***"


def _escapes() -> list[Callable[[str], str]]:
    def bytes_repr(text: str) -> str:
        return repr(text.encode("utf-8"))[2:-1]

    def latin1_repr(text: str) -> str:
        try:
            return repr(text.encode("latin-1"))[2:-1]
        except UnicodeEncodeError:
            return text

    return [
        lambda text: repr(text)[1:-1],
        lambda text: ascii(text)[1:-1],
        lambda text: json.dumps(text)[1:-1],
        lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
        lambda text: text.encode("unicode_escape").decode("ascii"),
        lambda text: urllib.parse.quote(text, safe=""),
        lambda text: urllib.parse.quote_plus(text, safe=""),
        lambda text: urllib.parse.quote(text, safe="").lower(),
        bytes_repr,
        latin1_repr,
    ]


def secret_forms(secret: str) -> list[str]:
    """Every spelling of ``secret`` a log record may carry: as is, escaped once (repr, JSON,
    unicode_escape, percent-encoding, bytes repr) and escaped twice (the repr of a message
    that quotes a repr). Longest first, so a longer form is masked before its parts."""
    escapes = _escapes()
    forms = {secret}
    once = {escape(secret) for escape in escapes}
    forms |= once
    forms |= {escape(form) for form in once for escape in escapes}
    return sorted((form for form in forms if len(form) >= 4), key=len, reverse=True)


class SecretMask(logging.Filter):
    """Replace every form of a secret (the processing token) in a record with ``***``: in
    the message, its arguments, the exception text and the stack."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]
        self._forms = sorted({form for s in self.secrets for form in secret_forms(s)},
                             key=len, reverse=True)

    def mask(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._forms:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: show both, masked
            message = f"{record.msg!s} {record.args!r}"
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


class OneLineFormatter(logging.Formatter):
    """For the console: the message on one line, control characters removed; a traceback
    is only mentioned (it is in the log file)."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        line = printable(f"{record.levelname} {record.name}: {message}")
        if record.exc_info or record.exc_text:
            line += " (подробности в логе)"
        return line


class QuietStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A console handler whose failure (a closed or missing stderr) is silent."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


class OwnerOnlyFileHandler(logging.handlers.TimedRotatingFileHandler):
    """The daily log: created 0600 (each rotation too), and silent when a write fails
    (disk full) instead of printing a traceback to stderr for every record."""

    def _open(self) -> Any:  # a text stream, as FileHandler._open returns
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def _owner_only(path: Path, mode: int) -> None:
    if sys.platform != "win32":
        try:
            os.chmod(path, mode)
        except OSError:
            pass  # not ours to change (a shared, read-only mount): still log


def setup_logging(log_dir: Path | None, *, level: str = "INFO", secrets: list[str] | None = None,
                  console_level: int = logging.WARNING) -> Path | None:
    """Configure the root logger; returns the log file path (None when there is no file)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG)
    mask = SecretMask(secrets or [])
    console = QuietStreamHandler(sys.stderr)
    console.setLevel(console_level)
    console.setFormatter(OneLineFormatter())
    console.addFilter(mask)
    root.addHandler(console)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    if log_dir is None:
        return None
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(log_dir, 0o700)
    path = log_dir / "cashier.log"
    file_handler = OwnerOnlyFileHandler(path, when="midnight", backupCount=60, encoding="utf-8")
    _owner_only(path, 0o600)  # a file left by an older version
    file_handler.setLevel(getattr(logging, level.upper(), logging.INFO))
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.addFilter(mask)
    root.addHandler(file_handler)
    return path
