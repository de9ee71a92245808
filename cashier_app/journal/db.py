"""The journal: every payment is here before anything is sent, and survives a crash.

SQLite through sqlite-utils; WAL and ``synchronous=FULL`` on every connection (WAL alone is
not durable against a power cut); the schema version in ``PRAGMA user_version`` with ordered
migrations, each after a backup of the file. Amounts are stored as exact decimal text, request
bodies as the exact bytes sent. The table families live in their own modules (payments,
shifts, receipts, audit) and are mixed into :class:`Journal` here, which owns the connection.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from .audit import AuditTable
from .backup import backup_before_migration
from .cards import CardsTable
from .cash_in import CashInTable
from .connection import check_presence, connect
from .errors import JournalStorageError, JournalTooNew, translate
from .leases import InstanceLease
from .payments import PaymentsTable
from .receipts import ReceiptsTable
from .records import (
    CARD,
    CASH,
    SBP,
    WALLET,
    Attempt,
    AuditEntry,
    CashCount,
    PaymentRecord,
    Shift,
    ShiftError,
    StoredReceipt,
    day_bounds,
)
from .schema import MIGRATIONS, SCHEMA_VERSION
from .seal import CHAINED, GENESIS, Sealer, link_hash, row_digest, seal
from .shifts import ShiftsTable
from .wallets import WalletEntry, WalletsTable

__all__ = ["CARD", "CASH", "CHAINED", "GENESIS", "SBP", "SCHEMA_VERSION", "WALLET", "Attempt",
           "AuditEntry",
           "CashCount", "Journal", "PaymentRecord", "Shift", "ShiftError", "StoredReceipt",
           "WalletEntry", "day_bounds", "link_hash", "row_digest", "seal"]
log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def _translated(method: F) -> F:
    """Every SQLite error a journal method meets leaves it as a :class:`JournalError` (a
    Russian sentence; the detail goes to the log): callers never see ``sqlite3`` errors."""

    @functools.wraps(method)
    def wrapper(self: Journal, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            log.error("journal %s: %s failed: %s", getattr(self, "path", "?"),
                      method.__name__, error, exc_info=True)
            raise translate(error, getattr(self, "path", "?")) from error

    return wrapper  # type: ignore[return-value]


def _translate_all(cls: type[Journal]) -> type[Journal]:
    """Wrap every public method of the journal and of each table family it mixes in."""
    for owner in reversed(cls.__mro__[:-1]):  # object last: not ours
        for name, value in list(vars(owner).items()):
            if callable(value) and (name == "__init__" or not name.startswith("__")) and (
                    name not in _UNTRANSLATED):
                setattr(cls, name, _translated(value))
    return cls


#: helpers that run inside a translated method (wrapping them again would log twice)
_UNTRANSLATED = {"_update", "_add_attempt", "_migrate", "_write", "transaction", "reader"}


@_translate_all
class Journal(PaymentsTable, ShiftsTable, ReceiptsTable, AuditTable, CashInTable,
              WalletsTable, CardsTable):
    """The payment journal. ``lease`` is the running program's claim (see
    :mod:`cashier_app.journal.leases`): the payments it creates carry its owner name, and it
    tells whether another payment's owner is alive; ``ids_issued`` — the last
    agentTransactionId this point issued — makes a missing or emptied journal an error
    instead of a fresh start."""

    def __init__(self, path: Path, *, lease: InstanceLease | None = None,
                 ids_issued: int = 0) -> None:
        self.path = path
        self.lease = lease
        self.owner = lease.owner if lease is not None else None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise JournalStorageError(f"Каталог журнала {path.parent} не создаётся: "
                                      f"{error.strerror}") from None
        check_presence(path, ids_issued=ids_issued)
        conn = connect(path)
        self.db = sqlite_utils.Database(conn)
        self.sealer = Sealer(conn)
        try:
            self._migrate()
        except BaseException:
            conn.close()
            raise

    @classmethod
    def reader(cls, path: Path) -> Journal:
        """A read-only second connection to an existing journal, usable from another thread
        (the supervisor's totals, the export and the integrity check run off the UI
        thread); no migration."""
        journal = cls.__new__(cls)
        journal.path = path
        journal.lease, journal.owner = None, None
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                               isolation_level=None, check_same_thread=False)
        journal.db = sqlite_utils.Database(conn)
        journal.sealer = Sealer(conn)
        return journal

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA optimize")  # keeps the planner's statistics current
        except sqlite3.Error:
            pass
        self.db.conn.close()

    def _migrate(self) -> None:
        backup_before_migration(self.db.conn, self.path, SCHEMA_VERSION)
        for number in range(SCHEMA_VERSION):
            with self._write():  # the version is read under the write lock: one migrates
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise JournalTooNew(f"Журнал {self.path} записан более новой версией "
                                        f"программы (схема {version}): обновите программу")
                if version > number:
                    continue
                MIGRATIONS[number](self.db)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Reads and writes that must see no other program's write in between (a shift's
        close computes its totals and closes in one)."""
        try:
            with self._write():
                yield
        except sqlite3.Error as error:
            log.error("journal %s: transaction failed: %s", self.path, error, exc_info=True)
            raise translate(error, self.path) from error
