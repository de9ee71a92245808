"""kill -9 of the program in the middle of taking cash: right after the unit's STACKED
answer (nothing written yet), right after the journal's commit (not yet acknowledged to the
unit), and between two bills (one in escrow). The software validator is the unit and keeps
its power; after the restart the journal's cash equals the bills in its cassette exactly, and
the interrupted session ends (test cash here: closed as test cash)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.ccnet_codes import PollState
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import OPEN, TEST
from tests.e2e.helpers import CLI, base_env


def accept(env: dict[str, str], until: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, "acceptor", "accept", "--until", until, "--json",
                             "--timeout", "20"], env={**env, **extra},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")


def wait_enabled(unit: SoftwareValidator, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while not unit.enabled:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.parametrize("point", ["cash.after_stacked_answer", "cash.after_stacked_commit",
                                   "between_bills"])
def test_killed_while_taking_cash_loses_nothing_and_counts_nothing_twice(
        point: str, tmp_path: Path) -> None:
    with SoftwareValidator() as unit:
        env = base_env(tmp_path, CASHIER_ACCEPTOR_PORT=unit.path)
        # between bills: the 100 goes through, the program dies as the 200 is journaled
        # for stacking (the unit holds it in escrow; the restart's RESET gives it back)
        failpoint = "cash.after_stacking_row#2" if point == "between_bills" else point
        first = accept(env, "1000", CASHIER_FAILPOINT=failpoint)
        wait_enabled(unit, first)
        unit.insert(100)
        if point == "between_bills":
            unit.insert(200)
        first.wait(timeout=20)
        assert first.returncode == -signal.SIGKILL
        if point == "between_bills":
            assert unit.state is PollState.ESCROW and unit.cassette == [Decimal("100.00")]
        journal = Journal(tmp_path / "data" / "journal.sqlite3")
        interrupted = journal.open_cash_sessions()
        assert len(interrupted) == 1 and interrupted[0].state == OPEN
        journal.close()

        second = accept(env, "500")
        wait_enabled(unit, second)
        unit.insert(500)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        events = [json.loads(line) for line in out.splitlines()]
        recovered = [e for e in events if e["event"] == "recovered"]
        expected_first = "100.00"  # the 200 of "between bills" was given back
        assert recovered == [{"event": "recovered", "session": interrupted[0].id,
                              "total": expected_first}]
        cassette = list(unit.cassette)

    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    counted = journal.cassette()
    assert sum((Decimal(k) * v for k, v in counted.items()), Decimal(0)) == sum(
        cassette, Decimal(0))
    assert sorted(cassette) == sorted(Decimal(k) for k, v in counted.items() for _ in range(v))
    assert journal.open_cash_sessions() == []
    assert journal.cash_session(interrupted[0].id).state == TEST
    assert journal.unconfirmed_bills() == []  # every bill resolved: nothing left to guess
    journal.close()


def test_two_programs_on_one_journal_each_count_their_own_cash(tmp_path: Path) -> None:
    """Two programs on one data directory (two terminals' engineers, say), each with its own
    unit, taking cash at the same time: every bill of each is in the journal once, in its own
    session, and the cassette count is the sum."""
    with SoftwareValidator(serial_number="EMU0000001") as one, \
            SoftwareValidator(serial_number="EMU0000002") as two:
        env = base_env(tmp_path)
        first = accept({**env, "CASHIER_ACCEPTOR_PORT": one.path}, "1000")
        wait_enabled(one, first)  # its session is open when the second program starts
        second = accept({**env, "CASHIER_ACCEPTOR_PORT": two.path}, "700")
        wait_enabled(two, second)
        for amount in (100, 500, 200, 200):
            one.insert(amount)
            two.insert(amount if amount != 500 else 100)
        two.insert(100)
        outs = [process.communicate(timeout=30) for process in (first, second)]
        assert [p.returncode for p in (first, second)] == [0, 0], outs
        summaries = [json.loads(out.splitlines()[-1]) for out, _ in outs]
        # the second did not take the first's live session for an interrupted one
        assert all('"recovered"' not in out for out, _ in outs)
        assert [s["total"] for s in summaries] == ["1000.00", "700.00"]
        cassettes = one.cassette + two.cassette
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    sessions = [journal.cash_session(s["session"]) for s in summaries]
    assert [s.device for s in sessions] == ["SM-RU1353-EMU EMU0000001",
                                            "SM-RU1353-EMU EMU0000002"]
    assert [s.total for s in sessions] == [Decimal("1000.00"), Decimal("700.00")]
    counted = journal.cassette()
    assert sorted(Decimal(k) for k, v in counted.items() for _ in range(v)) == sorted(cassettes)
    assert journal.unconfirmed_bills() == [] and journal.open_cash_sessions() == []
    journal.close()
