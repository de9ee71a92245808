"""Crash tests: a real ``cashier-app pay`` killed with SIGKILL at many points of the flow, then
``cashier-app recover``. The emulator's own records prove every payment that reached ``paying``
was settled exactly once, with the same bytes every time, and nothing paid is missing from the
journal."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.e2e.helpers import CASHIER, CLI, PINS, TOKEN, base_env, cli, control, open_shift

KILLED = -signal.SIGKILL


def journal_rows(data_dir: Path) -> dict[int, dict[str, Any]]:
    conn = sqlite3.connect(data_dir / "journal.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return {row["agent_transaction_id"]: dict(row)
                for row in conn.execute("select * from payments")}
    finally:
        conn.close()


def test_killed_at_every_point_then_recovered_exactly_once(emulator_process: str,
                                                           tmp_path: Path) -> None:
    processing = emulator_process
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=processing,
                   CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_PROCESSING_TIMEOUT="5",
                   CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2")
    data_dir = tmp_path / "data"
    pay = ["pay", "--service", "P1011", "--amount", "100.00", "--json", "--wait", "10"]
    open_shift(env)

    def pay_killed_at(point: str, account: str, faults: list[dict[str, Any]] = ()) -> None:
        if faults:  # aimed at this payment: a new pay first resumes earlier pending ones
            rules = [{**rule, "match": {"account": account}} for rule in faults]
            control(processing, "faults", {"rules": rules})
        result = cli(*pay, "--account", account, env={**env, "CASHIER_FAILPOINT": point},
                     pin=PINS[CASHIER])
        assert result.returncode == KILLED, (point, result.stdout, result.stderr)
        control(processing, "faults/clear", {})

    def recover(expect_paid: int) -> None:
        result = cli("recover", "--json", "--wait", "30", env=env)
        assert result.returncode == 0, result.stderr
        assert [r["status"] for r in json.loads(result.stdout)] == ["paid"] * expect_paid

    # killed before anything was sent, after check was answered (before and after storing it)
    pay_killed_at("before-check", "9050000001")
    pay_killed_at("after-check-answer", "9050000002")
    pay_killed_at("after-check", "9050000003")
    # killed with the pay body journaled but not yet sent
    pay_killed_at("before-pay", "9050000004")
    recover(1)
    # killed after the answer arrived but before it was stored: plain, after a non-final
    # code, and after a lost answer followed by a success. (Recover after each: a new pay
    # resumes pending payments first, and would meet the crash point there.)
    pay_killed_at("after-pay-answer", "9050000005")
    recover(1)
    pay_killed_at("after-pay-answer", "9050000006",
                  [{"method": "pay", "action": "code", "result": 153}])
    recover(1)
    pay_killed_at("after-pay-answer", "9050000007",
                  [{"method": "pay", "action": "broken_json", "when": "after"}])
    recover(1)

    # killed from outside while pay is in flight (the processing center is slow)
    control(processing, "faults", {"rules": [{"method": "pay", "action": "delay",
                                              "seconds": 1.5,
                                              "match": {"account": "9050000008"}}]})
    process = subprocess.Popen([*CLI, *pay, "--account", "9050000008"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdin is not None
    process.stdin.write(f"{PINS[CASHIER]}\n".encode())
    process.stdin.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (data_dir / "journal.sqlite3").exists() and any(
                row["state"] == "paying" and row["account"] == "9050000008"
                for row in journal_rows(data_dir).values()):
            break
        time.sleep(0.02)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == KILLED

    # an answer lost without a crash: the payment is left pending when the wait runs out
    control(processing, "faults", {"rules": [{"method": "pay", "action": "drop",
                                              "when": "after", "times": -1,
                                              "match": {"account": "9050000009"}}]})
    pending = cli(*pay, "--account", "9050000009", "--wait", "0.3", env=env,
                  pin=PINS[CASHIER])
    assert pending.returncode == 3, pending.stderr
    assert json.loads(pending.stdout)["status"] == "pending"
    # and one more killed before pay while those two are pending
    pay_killed_at("before-pay", "9050000010")
    control(processing, "faults/clear", {})

    before = journal_rows(data_dir)
    states = {row["account"]: row["state"] for row in before.values()}
    assert len(states) == 10, states
    assert [states[f"905000000{n}"] for n in (1, 2, 3)] == ["cancelled"] * 3
    assert [states[f"905000000{n}"] for n in (4, 5, 6, 7)] == ["paid"] * 4
    # the payment killed in flight was settled by the next pay's start-up recovery already
    assert states["9050000008"] in ("paying", "paid")
    assert [states[a] for a in ("9050000009", "9050000010")] == ["paying"] * 2

    recovered = cli("recover", "--json", "--wait", "30", env=env)
    assert recovered.returncode == 0, recovered.stderr
    assert {r["status"] for r in json.loads(recovered.stdout)} == {"paid"}

    after = journal_rows(data_dir)
    emulator = {t["agentTransactionId"]: t for t in control(processing, "state")["transactions"]}
    reached_paying = {tx for tx, row in after.items() if row["pay_body"] is not None}
    assert len(reached_paying) == 7
    for tx in reached_paying:
        row, seen = after[tx], emulator[tx]
        assert row["state"] == "paid" and row["transaction_id"] == seen["transactionId"]
        assert seen["payState"] == "paid" and seen["debits"] == 1  # exactly once
        assert set(seen["payRequests"]) == {row["pay_body"].decode()}  # never changed
        assert row["pay_body"] == before[tx]["pay_body"]
    for tx, row in after.items():
        if tx not in reached_paying:  # stopped before pay: cancelled, never paid
            assert row["state"] == "cancelled"
            assert tx not in emulator or emulator[tx]["debits"] == 0
    # nothing paid at the processing center is missing from the journal
    paid_there = {tx for tx, seen in emulator.items() if seen["debits"]}
    assert paid_there == {tx for tx, row in after.items() if row["state"] == "paid"}
    balance = control(processing, "state")["balance"]
    assert Decimal(balance) == Decimal("499300.00")  # 7 × 100.00, each once

    again = cli("recover", "--json", env=env)
    assert again.returncode == 0 and json.loads(again.stdout) == []
