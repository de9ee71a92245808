"""kill -9 of a real ``cashier-app pay --from-acceptor`` while the person's banknotes become a
payment: after a bill's commit, after the pay was journaled with the cash spent (before it
was sent), after the center answered (before the answer was stored). The software validator
keeps its power; the processing emulator is a process of its own. After the restart every
interrupted session has ended in exactly one of: the payment, paid once at the center with
the cash as its amountFrom — or a voucher for the cash; the journal's money equals the
cassette's bills to the kopeck."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import SPENT, VOUCHER
from tests.e2e.helpers import CASHIER, CLI, PINS, TOKEN, base_env, cli, control, open_shift

KILLED = -signal.SIGKILL


def pay(env: dict[str, str], account: str, amount: str, **extra: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*CLI, "pay", "--service", "P1011", "--account", account, "--amount", amount,
         "--from-acceptor", "--json", "--timeout", "30", "--wait", "10"],
        env={**env, **extra}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdin is not None
    process.stdin.write(PINS[CASHIER] + "\n")
    process.stdin.close()
    process.stdin = None  # the PIN is all it reads; communicate() must not flush it again
    return process


def wait_enabled(unit: SoftwareValidator, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not unit.enabled:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the unit was never enabled"
        time.sleep(0.02)


def wait_for_cassette(unit: SoftwareValidator, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(unit.cassette) < count:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def events(out: str) -> list[dict[str, object]]:
    return [line for line in map(json.loads, out.splitlines()) if "event" in line]


#: where the first run dies: (failpoint, the bills it gets, what the killed session becomes)
POINTS = {
    # the unit said STACKED, nothing written yet: the restart hears it again (not ACKed)
    "cash.after_stacked_answer": ("cash.after_stacked_answer", (100,), "voucher"),
    # the bill written, not yet acknowledged to the unit
    "cash.after_stacked_commit": ("cash.after_stacked_commit", (100,), "voucher"),
    # the 100 in, the 50 journaled for stacking and held in escrow: given back at restart
    "between_bills": ("cash.after_stacking_row#2", (100, 50), "voucher"),
    # the pay journaled with the cash spent, not yet sent
    "before-pay": ("before-pay", (100, 50), "payment"),
    # the center paid it, its answer not yet stored
    "after-pay-answer": ("after-pay-answer", (100, 50), "payment"),
}


@pytest.mark.parametrize("point", list(POINTS))
def test_killed_while_cash_becomes_a_payment_ends_in_the_payment_or_a_voucher(
        point: str, emulator_process: str, tmp_path: Path) -> None:
    failpoint, bills, becomes = POINTS[point]
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_PROCESSING_TIMEOUT="5",
                   CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2",
                   CASHIER_ACCEPTOR_POLL_INTERVAL="0.05")
    open_shift(env)
    with SoftwareValidator() as unit:
        env["CASHIER_ACCEPTOR_PORT"] = unit.path
        first = pay(env, "9051112233", "150", CASHIER_FAILPOINT=failpoint)
        wait_enabled(unit, first)
        for number, bill in enumerate(bills):
            if number:
                wait_for_cassette(unit, number)
            unit.insert(bill)
        first.wait(timeout=30)
        assert first.returncode == KILLED, first.communicate()
        in_cassette = sum(unit.cassette, Decimal(0))

        # the next run starts the unit, settles what the killed one left, and takes a
        # payment of its own
        second = pay(env, "9054445566", "100")
        wait_enabled(unit, second)
        unit.insert(100)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        said = events(out)
        cassette = list(unit.cassette)

    recovered = cli("recover", "--json", "--wait", "20", env=env)
    assert recovered.returncode == 0, recovered.stderr
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    try:
        sessions = [journal.cash_session(row["id"]) for row in journal.db.query(
            "select id from cash_sessions order by id")]
        assert len(sessions) == 2 and all(s.state in (SPENT, VOUCHER) for s in sessions)
        killed, later = sessions
        assert killed.total == in_cassette
        vouchers = [e for e in said if e["event"] == "voucher"]
        if becomes == "voucher":
            # the pay was never journaled: the person's 100 is a voucher, nothing was paid
            assert killed.state == VOUCHER and killed.total == Decimal("100.00")
            assert vouchers == [{"event": "voucher", "session": killed.id,
                                 "code": killed.voucher, "total": "100.00",
                                 "reason": "interrupted"}]
        else:
            # the pay was journaled with the cash spent: the restart pays it, once
            assert killed.state == SPENT and vouchers == []
            payment = journal.get(killed.agent_transaction_id or 0)
            assert payment.state.value == "paid" and payment.amount_from == Decimal("150.00")
            state = control(emulator_process, "state")
            mine = [t for t in state["transactions"]
                    if t["agentTransactionId"] == payment.agent_transaction_id]
            assert len(mine) == 1 and mine[0]["payState"] == "paid"
        assert later.state == SPENT
        assert journal.get(later.agent_transaction_id or 0).state.value == "paid"
        # the books and the cassette agree, bill for bill
        counted = journal.cassette()
        assert sorted(cassette) == sorted(Decimal(k) for k, v in counted.items()
                                          for _ in range(v))
        assert sum(s.total for s in sessions) == sum(cassette, Decimal(0))
    finally:
        journal.close()
