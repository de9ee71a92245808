"""A copy of the journal before its schema changes: a migration that goes wrong (a bug, a full
disk half-way, a power cut in a long one) must never cost a point its payment history.

Before the first migration of an existing journal (its version above 0 and below the
program's) the whole file is copied with SQLite's online backup — consistent even with other
programs writing — to ``<data dir>/backups/journal-v<old>-<time>.sqlite3``, fsynced. The
last :data:`KEEP` copies are kept. No copy, no migration: the program stops with a message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from .errors import JournalStorageError

log = logging.getLogger(__name__)
BACKUPS_DIR = "backups"
KEEP = 5


def backup_before_migration(conn: sqlite3.Connection, path: Path, target: int) -> Path | None:
    """Copy the journal if it is about to be migrated to ``target``; returns the copy."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if not 0 < version < target:
        return None
    folder = path.parent / BACKUPS_DIR
    copy = folder / f"{path.stem}-v{version}-{datetime.now():%Y%m%d-%H%M%S-%f}.sqlite3"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(str(copy))
        try:
            conn.backup(destination)
        finally:
            destination.close()
        with copy.open("rb") as handle:
            os.fsync(handle.fileno())
    except (OSError, sqlite3.Error) as error:
        log.error("journal backup before migration to %s failed: %s", copy, error)
        try:
            copy.unlink(missing_ok=True)
        except OSError:
            pass
        raise JournalStorageError(
            f"Журнал нужно обновить до новой версии, но его копию сохранить не удалось "
            f"({folder}): освободите место на диске и запустите программу снова") from None
    log.info("journal v%s copied to %s before migrating to v%s", version, copy, target)
    for old in sorted(folder.glob(f"{path.stem}-v*.sqlite3"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return copy
