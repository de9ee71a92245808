"""What can go wrong with the journal file itself, as errors whose ``str()`` is a Russian
sentence for the cashier or the engineer.

Every SQLite error the journal meets is turned into one of these in one place
(:mod:`cashier_app.journal.connection`), so that no caller ever sees a raw
``sqlite3.OperationalError`` — and so that the callers can tell a full disk (the payment's
outcome may be unknown: keep it pending) from a damaged file (stop and call support).
"""

from __future__ import annotations

import sqlite3

from cashier_app.errors import UserFacingError


class JournalError(UserFacingError, RuntimeError):
    """The journal cannot do what was asked; ``str()`` is Russian."""


class JournalStorageError(JournalError):
    """The disk refused a write or a read: full, read-only, an I/O error. Nothing half-written
    stays (SQLite rolls the transaction back); what was being recorded is *not* recorded."""


class JournalBusy(JournalError):
    """Another program held the journal's write lock for longer than the wait."""


class JournalDamaged(JournalError):
    """The file is not a whole SQLite database (or fails its own integrity check)."""


class JournalMissing(JournalError):
    """The journal is gone or empty although this point has issued payment ids before."""


class JournalTooNew(JournalError):
    """The journal was written by a newer version of the program."""


FULL_TEXT = ("Диск заполнен: журнал платежей не может записать данные. Освободите место на "
             "диске; уже записанные платежи не потеряны")
DAMAGED_TEXT = ("Файл журнала платежей повреждён ({path}). Работа остановлена, чтобы не "
                "потерять платежи: сохраните файл и обратитесь в поддержку")


def translate(error: sqlite3.Error, path: object) -> JournalError:
    """The one mapping from an SQLite error to a journal error (see the module docstring)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return JournalStorageError(FULL_TEXT)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return JournalBusy("Журнал платежей занят другой программой дольше 30 секунд; "
                           "повторите действие")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or (
            "not a database" in text):
        return JournalDamaged(DAMAGED_TEXT.format(path=path))
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return JournalStorageError(f"Журнал платежей доступен только для чтения ({path}): "
                                   "проверьте права на каталог данных")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text or (
            "unable to open" in text):
        return JournalStorageError(f"Ошибка диска при работе с журналом платежей ({path}): "
                                   "проверьте диск и права на каталог данных")
    return JournalError(f"Ошибка журнала платежей ({path}); подробности — в логе программы")
