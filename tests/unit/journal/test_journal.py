import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.states import IllegalTransition, State
from cashier_app.journal import Attempt, Journal, JournalTooNew


def new(journal: Journal, tx_id: int = 1) -> None:
    journal.create(agent_transaction_id=tx_id, service_id="P1011", service_name="Билайн",
                   scheme="simple", account="9051234567", extras={"a": "б"},
                   agent_transaction_date="2026-11-23T10:00:00", check_body=b'{"x":1}')


def test_durability_pragmas_and_schema(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    conn = journal.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 9
    assert {"payments", "attempts", "shifts", "receipts", "cash_link", "cash_sessions",
            "cash_in"} <= set(journal.db.table_names())
    journal.close()
    Journal(tmp_path / "j.sqlite3").close()  # reopening migrates nothing twice


def test_a_version_1_journal_is_migrated_with_its_payments(tmp_path: Path) -> None:
    import sqlite_utils

    from cashier_app.journal.db import MIGRATIONS

    conn = sqlite3.connect(tmp_path / "j.sqlite3", isolation_level=None)
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 1")
    conn.execute("insert into payments (agent_transaction_id, service_id, account, state, "
                 "agent_transaction_date, created_at, updated_at, amount_to) values "
                 "(7, 'P1', '123', 'paid', 'd', '2026-01-01T10:00', '2026-01-01T10:00', "
                 "'200.00')")
    conn.close()
    journal = Journal(tmp_path / "j.sqlite3")
    record = journal.get(7)
    assert record.state is State.PAID and record.amount_to == Decimal("200.00")
    assert record.field_titles is None and record.receipt_printed_at is None
    assert record.payment_method == "cash" and record.cash_accepted  # v3: a cash payment
    stored = journal.add_receipt("payment", {"lines": []}, agent_transaction_id=7,
                                 payment_state="paid")
    journal.receipt_failed(stored.number, "Принтер не отвечает")
    assert journal.get(7).receipt_error == "Принтер не отвечает"
    journal.receipt_printed(stored.number, 1)
    printed = journal.get(7)
    assert printed.receipt_printed_at and printed.receipt_error is None
    assert printed.state is State.PAID  # printing never touches the payment's state


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "j.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(JournalTooNew, match="более новой версией"):
        Journal(tmp_path / "j.sqlite3")


def test_exact_values_round_trip(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    new(journal)
    body = '{"amountTo":200.00,"fullName":"Иванов\u00a0И."}'.encode()
    journal.transition(1, State.CHECKING)
    journal.transition(1, State.CHECKED, check_answer={"result": 0})
    record = journal.transition(1, State.PAYING, pay_body=body, amount_to=Decimal("200.00"),
                                commission=Decimal("0.10"), amount_from=Decimal("200.10"))
    assert record.pay_body == body
    assert record.amount_to == Decimal("200.00") and str(record.amount_from) == "200.10"
    assert record.extras == {"a": "б"} and record.check_answer == {"result": 0}
    assert [r.agent_transaction_id for r in journal.pending()] == [1]
    assert journal.count_pending() == 1
    assert journal.count_pending_by_state() == {State.PAYING: 1, State.QR_WAITING: 0}
    journal.add_attempt(Attempt(1, "pay", "2026-11-23T10:00:01", 12, "transport", None, "x"))
    assert journal.attempts(1)[0].outcome == "transport"


def test_state_machine_is_enforced(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    new(journal)
    with pytest.raises(IllegalTransition):
        journal.transition(1, State.PAID)  # never without paying
    journal.transition(1, State.CHECKING)
    journal.transition(1, State.CHECKED)
    journal.transition(1, State.PAYING)
    with pytest.raises(IllegalTransition):
        journal.transition(1, State.CANCELLED)  # a paying payment cannot be cancelled
    journal.transition(1, State.PAID)
    with pytest.raises(IllegalTransition):
        journal.transition(1, State.FAILED)


def test_the_center_s_answers_are_kept_with_their_numbers_exact(tmp_path: Path) -> None:
    """Stored as numbers, read back as the same Decimals (never floats, never strings), and
    decoded once into the record; an answer an older version stored with strings reads too."""
    journal = Journal(tmp_path / "j.sqlite3")
    new(journal, 1)
    journal.transition(1, State.CHECKING)
    answer = {"result": 0, "resultMessage": "ok", "transactionId": 5, "agentTransactionId": 1,
              "displays": {"fixedAmount": Decimal("509455.9000")},
              "contracts": [{"contractId": "7", "contractSum": Decimal("359.8")}]}
    journal.transition(1, State.CHECKED, check_answer=answer)
    stored = journal.db.execute("select check_answer from payments").fetchone()[0]
    assert '"contractSum":359.8' in stored and '509455.9000' in stored  # numbers as numbers
    record = journal.get(1)
    assert record.check_answer == answer
    sum_ = record.check_answer["contracts"][0]["contractSum"]
    assert isinstance(sum_, Decimal) and str(sum_) == "359.8"
    assert record.check.contracts[0].contract_sum == Decimal("359.8")
    assert record.check is record.check  # decoded once
    journal.db.execute("update payments set check_answer = ?", [
        '{"result": 0, "contracts": [{"contractId": "7", "contractSum": "1000.00"}]}'])
    assert journal.get(1).check.contracts[0].contract_sum == Decimal("1000.00")
    journal.close()


def test_orphans_are_taken_over_in_one_write_each_by_compare_and_set(tmp_path: Path) -> None:
    """A program starting after a crash claims the gone program's payments together; one
    that a second program took over first is left to it."""
    gone = Journal(tmp_path / "j.sqlite3")
    gone.owner = "window-gone"
    for tx_id in (1, 2, 3):
        new(gone, tx_id)
    gone.close()
    first, second = Journal(tmp_path / "j.sqlite3"), Journal(tmp_path / "j.sqlite3")
    first.owner, second.owner = "cli-first", "cli-second"
    assert second.claim(2, "window-gone") is not None  # the other program got there first
    commits = []
    first.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT"
                                     else None)
    claimed = first.claim_many([(1, "window-gone"), (2, "window-gone"), (3, "window-gone")])
    first.db.conn.set_trace_callback(None)
    assert [record.agent_transaction_id for record in claimed] == [1, 3]
    assert all(record.owner == "cli-first" for record in claimed)
    assert len(commits) == 1
    assert first.get(2).owner == "cli-second"
    assert [first.get(tx).owner for tx in (1, 3)] == ["cli-first", "cli-first"]
