"""A copy of the journal before every migration; the last few kept; no copy, no migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from cashier_app.journal import Journal, JournalStorageError
from cashier_app.journal.backup import BACKUPS_DIR, KEEP
from cashier_app.journal.db import MIGRATIONS, SCHEMA_VERSION


def old_journal(path: Path, version: int = 4) -> None:
    """A journal as an older program left it: schema ``version``, one paid payment."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for migration in MIGRATIONS[:version]:
        migration(db)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("insert into payments (agent_transaction_id, service_id, account, state, "
                 "agent_transaction_date, created_at, updated_at, amount_to) values "
                 "(7, 'P1011', '9051234567', 'paid', 'x', '2026-11-20T10:00:00', 'x', '65.00')")
    conn.close()


def test_the_old_file_is_copied_before_it_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    old_journal(path)
    Journal(path).close()
    [copy] = (tmp_path / BACKUPS_DIR).glob("journal-v4-*.sqlite3")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    assert conn.execute("select agent_transaction_id, amount_to from payments").fetchall() == [
        (7, "65.00")]
    conn.close()
    Journal(path).close()  # already current: no second copy
    assert len(list((tmp_path / BACKUPS_DIR).glob("*.sqlite3"))) == 1
    assert SCHEMA_VERSION > 4


def test_only_the_last_copies_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / BACKUPS_DIR
    folder.mkdir()
    for day in range(1, 8):
        (folder / f"journal-v3-2026010{day}-120000-000000.sqlite3").write_bytes(b"old")
    path = tmp_path / "journal.sqlite3"
    old_journal(path)
    Journal(path).close()
    kept = sorted(p.name for p in folder.glob("*.sqlite3"))
    assert len(kept) == KEEP and kept[-1].startswith("journal-v4-")


def test_no_copy_no_migration(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    old_journal(path)
    (tmp_path / BACKUPS_DIR).write_text("a file where the folder should be")
    with pytest.raises(JournalStorageError, match="копию сохранить не удалось"):
        Journal(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4  # untouched
    conn.close()
