"""Tamper evidence: a journal edited with the real sqlite3 shell is caught by verify."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlite_utils

from cashier_app.core.states import State
from cashier_app.journal import Journal
from cashier_app.journal.chain import verify
from cashier_app.journal.db import MIGRATIONS, row_digest
from cashier_app.journal.seal import RowDigest
from tests.unit.receipts.helpers import make_payment

SQLITE3 = shutil.which("sqlite3")


def shell(path: Path, sql: str) -> None:
    """What somebody at the point would do: the sqlite3 shell on the journal file."""
    assert SQLITE3 is not None, "scripts/bootstrap installs the sqlite3 shell"
    subprocess.run([SQLITE3, str(path), sql], check=True, capture_output=True, timeout=30)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "journal.sqlite3")
    make_payment(journal, "simple", 101, cashier="Иванова Анна")
    make_payment(journal, "choice", 102, cashier="Иванова Анна", state=State.FAILED)
    make_payment(journal, "simple", 103, cashier="Петров Олег", method="sbp")
    journal.audit("Сидорова Мария", "supervisor", "reprint", "платёж 101", {"receipt": 1})
    return journal


def reopened(journal: Journal) -> Journal:
    path = journal.path
    journal.close()
    return Journal(path)


def test_a_journal_written_by_the_program_is_whole(journal: Journal) -> None:
    outcome = verify(journal)
    assert outcome.ok, outcome.problems
    assert outcome.rows >= 4 and outcome.links >= outcome.rows
    assert "Журнал цел" in outcome.summary()


def test_an_amount_edited_in_the_shell_is_found(journal: Journal) -> None:
    shell(journal.path, "update payments set amount_to = '20.00' "
                        "where agent_transaction_id = 101")
    outcome = verify(reopened(journal))
    assert not outcome.ok
    [problem] = outcome.problems
    assert (problem.table, problem.key, problem.kind) == ("payments", "101", "edited")
    assert "Платёж 101: запись изменена вне программы" in problem.message
    assert "к зачислению 20.00" in problem.message


def test_a_deleted_payment_is_found(journal: Journal) -> None:
    shell(journal.path, "pragma foreign_keys=off; delete from payments "
                        "where agent_transaction_id = 102")
    outcome = verify(reopened(journal))
    assert [(p.table, p.key, p.kind) for p in outcome.problems] == [
        ("payments", "102", "deleted")]


def test_a_row_inserted_in_the_shell_is_found(journal: Journal) -> None:
    shell(journal.path, "insert into payments (agent_transaction_id, service_id, account, "
                        "state, agent_transaction_date, created_at, updated_at, extras) "
                        "select 999, service_id, account, 'paid', agent_transaction_date, "
                        "created_at, updated_at, extras from payments limit 1")
    outcome = verify(reopened(journal))
    assert [(p.table, p.key, p.kind) for p in outcome.problems] == [
        ("payments", "999", "added")]


def test_an_audit_entry_edited_and_the_chain_cut_are_found(journal: Journal) -> None:
    shell(journal.path, "update audit set actor = 'Никто'")
    assert [p.kind for p in verify(reopened(journal)).problems] == ["edited"]
    # hiding the edit by rewriting the row's own hash does not help: the link says otherwise
    second = reopened(journal)
    shell(second.path, "delete from ledger where seq = 3")
    kinds = {p.kind for p in verify(reopened(second)).problems}
    assert "chain" in kinds


def test_a_link_edited_to_match_an_edit_breaks_the_chain(journal: Journal) -> None:
    shell(journal.path, "update payments set account = '0000000000' "
                        "where agent_transaction_id = 103")
    edited = reopened(journal)
    row = next(iter(edited.db.query("select * from payments where agent_transaction_id = 103")))
    edited.close()
    shell(journal.path, f"update ledger set digest = '{row_digest(row)}' where seq = "
                        "(select max(seq) from ledger where tbl = 'payments' and key = '103')")
    outcome = verify(Journal(journal.path))
    # the row matches its (forged) link now, but the link no longer matches the chain
    assert [p.kind for p in outcome.problems] == ["chain"]
    assert "изменено вне программы" in outcome.problems[0].message


def test_an_older_journal_is_sealed_as_found_at_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for migration in MIGRATIONS[:3]:
        migration(db)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("insert into payments (agent_transaction_id, service_id, account, state, "
                 "agent_transaction_date, created_at, updated_at, amount_to, commission, "
                 "amount_from) values (7, 'P1011', '9051234567', 'paid', 'x', "
                 "'2026-11-20T10:00:00', 'x', '1234.5', '12.35', '1246.85')")
    conn.close()
    journal = Journal(path)
    assert verify(journal).ok
    row = journal.db.execute("select amount_to_kop, commission_kop, amount_from_kop "
                             "from payments").fetchone()
    assert row == (123450, 1235, 124685)
    journal.close()


@pytest.mark.parametrize("row", [
    {},
    {"a": None, "chain_hash": "x"},
    {"state": "paid", "amount": "10.00", "count": 3, "big": -2**63, "note": None},
    {"name": "ЖКХ «Дом» \u2028 \"кавычки\" \\ слэш\n\t\x00\x1f\x7f", "ёж": "ё", "Z": 1, "a": 2},
    {"blob": b"\x00\xffdata", "real": 1.5, "tiny": 1e-300, "flag": True, "off": False},
    {"inf": float("inf"), "nan": float("nan"), "neg": float("-inf")},
])
def test_the_fast_digest_hashes_the_same_text_as_the_definition(
        row: dict[str, object]) -> None:
    digest = RowDigest(list(row))
    assert digest(list(row.values())) == row_digest(row)


def test_the_fast_digest_agrees_with_rows_as_sqlite_returns_them(journal: Journal) -> None:
    for table in ("payments", "attempts", "audit", "receipts", "shifts"):
        cursor = journal.db.execute(f"select * from {table}")
        names = [column[0] for column in cursor.description]
        digest = RowDigest(names)
        for values in cursor:
            assert digest(values) == row_digest(dict(zip(names, values, strict=True)))


def test_verify_counts_up_to_what_it_expected(journal: Journal) -> None:
    told: list[tuple[int, int]] = []
    outcome = verify(journal, progress=lambda done, expected: told.append((done, expected)))
    assert outcome.ok
    expected = outcome.links + outcome.rows
    assert told[0] == (0, expected) and told[-1] == (expected, expected)
    assert [done for done, _ in told] == sorted(done for done, _ in told)

