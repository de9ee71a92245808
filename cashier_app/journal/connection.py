"""Opening the journal file: checks before trusting it, pragmas, and write transactions that
wait for each other instead of failing.

* **Presence.** A journal that is missing, or empty, where this point has issued payment ids
  before (the id high-water mark says so) is refused with :class:`JournalMissing` instead of
  being silently recreated: the payments «в обработке» it held would vanish from recovery.
* **Soundness.** ``PRAGMA quick_check`` at every open; a file that is not an SQLite database
  or fails the check is :class:`JournalDamaged`.
* **Several programs on one file** (a window and a command, a watchdog restart): every write
  transaction is ``BEGIN IMMEDIATE``. A deferred transaction that reads first and writes later
  cannot wait for another writer in WAL mode — SQLite answers «database is locked» at once;
  an immediate one takes the write lock up front and waits up to :data:`BUSY_TIMEOUT`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import JournalDamaged, JournalMissing, translate

log = logging.getLogger(__name__)
BUSY_TIMEOUT = 30.0  # seconds a write waits for another program's transaction
SQLITE_HEADER = b"SQLite format 3\x00"


def check_presence(path: Path, *, ids_issued: int) -> None:
    """Refuse a missing or empty journal when ``ids_issued`` (the last agentTransactionId
    this point handed out, 0 if none) shows there was one."""
    if ids_issued <= 0:
        return
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = -1
    if size > 0:
        return
    what = "не найден" if size < 0 else "пуст"
    raise JournalMissing(
        f"Журнал платежей {path} {what}, хотя эта касса уже выдавала номера платежей "
        f"(последний — {ids_issued}). Платежи «в обработке» из прежнего журнала иначе "
        "потерялись бы. Восстановите файл из резервной копии; если прежнего журнала больше "
        "нет, начните новый: cashier-app journal new")


def connect(path: Path) -> sqlite3.Connection:
    """A read-write connection with the durability pragmas (WAL alone does not survive a
    power cut; ``synchronous=FULL`` does)."""
    _check_header(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        quick_check(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_header(path: Path) -> None:
    """A non-empty file that does not start as SQLite does is not ours to open: SQLite would
    say «file is not a database» at the first read, deep inside something else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        log.error("journal %s unreadable: %s", path, error)
        raise JournalDamaged(f"Файл журнала платежей {path} не читается: "
                             f"{os.strerror(error.errno or 0)}") from None
    if head and head != SQLITE_HEADER:
        raise JournalDamaged(f"Файл журнала платежей {path} повреждён или это не журнал "
                             "(не база SQLite). Сохраните файл и обратитесь в поддержку")


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """SQLite's own quick structural check; anything but «ok» stops the program."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as error:
        log.error("journal %s: quick_check failed: %s", path, error)
        raise translate(error, path) from None
    if rows != ["ok"]:
        log.error("journal %s fails quick_check: %s", path, "; ".join(map(str, rows)))
        raise JournalDamaged(f"Файл журнала платежей {path} повреждён (его не принимает "
                             "проверка SQLite; подробности — в логе). Работа остановлена, "
                             "чтобы не потерять платежи: сохраните файл и обратитесь в "
                             "поддержку")


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes the write lock first (waits for other programs up to
    the busy timeout). Nested: a savepoint inside the outer transaction."""
    if conn.in_transaction:
        name = f"nested_{id(object())}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        # a failed COMMIT (a full disk) leaves the transaction open: undo it whole
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("journal rollback failed")
        raise
