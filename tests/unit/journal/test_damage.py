"""A damaged, missing or emptied journal: refused at open with a clear Russian message (never
silently recreated, never a raw sqlite3 error), and found by verify (SQLite's integrity check,
edited per-day totals). Real files, edited the way a disk or a person would."""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cashier_app import settings as cfg
from cashier_app.bootstrap import HWM_NAME, JOURNAL_NAME, close_journal, journal_for
from cashier_app.core.states import State
from cashier_app.journal import Journal, JournalDamaged, JournalMissing
from cashier_app.journal.chain import verify
from cashier_app.journal.ids import IdAllocator


def settings_for(data_dir: Path) -> cfg.Settings:
    return cfg.Settings.load(data_dir / "none.toml", env={"CASHIER_DATA_DIR": str(data_dir)})


def fill(data_dir: Path, count: int = 300) -> None:
    """A journal with ``count`` payments issued through the id allocator (so the high-water
    mark shows that ids were issued)."""
    journal = journal_for(settings_for(data_dir), "test")
    ids = IdAllocator(data_dir / HWM_NAME, 1)
    for number in range(count):
        journal.create(agent_transaction_id=ids.allocate(), service_id="P1011",
                       service_name="Билайн", scheme="simple",
                       account=f"905{number:07d}", agent_transaction_date="2026-11-23T10:00:00",
                       check_body=b"{}", amount_to=None)
    close_journal(journal)


def test_a_missing_journal_where_ids_were_issued_is_refused(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    (tmp_path / JOURNAL_NAME).unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"{JOURNAL_NAME}{suffix}").unlink(missing_ok=True)
    with pytest.raises(JournalMissing, match=r"не найден.*journal new"):
        journal_for(settings_for(tmp_path), "test")
    assert not (tmp_path / JOURNAL_NAME).exists()  # not recreated


def test_an_emptied_journal_is_refused(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    (tmp_path / JOURNAL_NAME).write_bytes(b"")
    with pytest.raises(JournalMissing, match="пуст"):
        journal_for(settings_for(tmp_path), "test")


def test_a_fresh_point_starts_a_journal(tmp_path: Path) -> None:
    close_journal(journal_for(settings_for(tmp_path), "test"))
    assert (tmp_path / JOURNAL_NAME).stat().st_size > 0


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    (tmp_path / JOURNAL_NAME).write_bytes(b"PK\x03\x04 this is a zip, not SQLite" * 100)
    with pytest.raises(JournalDamaged, match="повреждён или это не журнал"):
        journal_for(settings_for(tmp_path), "test")


def damage_a_page(path: Path, page: int = 5) -> None:
    """Overwrite one 4 KiB page in the middle with random bytes, as a failing disk would."""
    noise = random.Random(7)
    with path.open("r+b") as handle:
        handle.seek(4096 * page)
        handle.write(bytes(noise.randrange(256) for _ in range(4096)))


def test_a_damaged_page_stops_the_open_and_verify_reports_it(tmp_path: Path) -> None:
    fill(tmp_path)
    path = tmp_path / JOURNAL_NAME
    damage_a_page(path)
    with pytest.raises(JournalDamaged, match="проверка SQLite"):
        journal_for(settings_for(tmp_path), "test")
    outcome = verify(Journal.reader(path))
    assert not outcome.ok
    assert any(problem.kind == "damaged" for problem in outcome.problems)


def test_edited_day_totals_are_found_by_verify(tmp_path: Path) -> None:
    journal = Journal(tmp_path / JOURNAL_NAME)
    journal.create(agent_transaction_id=1, service_id="P1011", service_name="Билайн",
                   scheme="simple", account="9051234567",
                   agent_transaction_date="2026-11-23T10:00:00", check_body=b"{}")
    journal.transition(1, State.CHECKING)
    journal.transition(1, State.CHECKED)
    from decimal import Decimal
    journal.transition(1, State.PAYING, amount_to=Decimal("65.00"),
                       amount_from=Decimal("65.00"), commission=Decimal("0.00"))
    journal.transition(1, State.PAID)
    assert verify(journal).ok
    journal.close()
    # the supervisor's totals come from day_totals: a person edits them in the sqlite3 shell
    subprocess.run(["sqlite3", str(tmp_path / JOURNAL_NAME),
                    "update day_totals set amount_to_kop = 106500 where state = 'paid'"],
                   check=True)
    journal = Journal(tmp_path / JOURNAL_NAME)
    outcome = verify(journal)
    assert not outcome.ok
    [problem] = outcome.problems
    assert problem.table == "day_totals"
    assert "1065.00" in problem.message and "65.00" in problem.message
    journal.close()


def test_a_journal_that_sqlite_cannot_open_is_a_journal_error(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    path = tmp_path / JOURNAL_NAME
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x03"  # page size 3: not a valid SQLite header
    path.write_bytes(bytes(data))
    with pytest.raises((JournalDamaged, JournalMissing)):
        journal_for(settings_for(tmp_path), "test")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("select count(*) from payments").fetchone()
