"""QR СБП across a real process death: a program that starts a QR payment is killed (SIGKILL,
as a power cut) before the code is created, or after, with the code then paid by the person's
bank while nothing runs; ``cashier-app recover`` finds and finishes each."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.helpers import TOKEN, base_env, cli, control

#: a cashier's QR payment, in a process of its own (no CLI command starts one)
START_QR = """
import asyncio
from decimal import Decimal
from cashier_app import settings as cfg
from cashier_app.bootstrap import open_point
from cashier_app.engine import PaymentInput

async def main():
    async with open_point(cfg.Settings.load()) as point:
        engine = point.engine
        answer = await point.client.service("P1011")
        service = answer.services[0]
        record = await engine.check(PaymentInput(service, {"account": "9051234567"}))
        plan = engine.plan(record, amount=Decimal("100"))
        record = await engine.start_qr(record.agent_transaction_id, plan.money)
        print(record.agent_transaction_id, record.qr_status, flush=True)

asyncio.run(main())
"""


@pytest.fixture
def env(emulator_process: str, tmp_path: Path) -> dict[str, str]:
    return base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                    CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_SBP_ENABLED="true",
                    CASHIER_SBP_POLL_INTERVAL="0.5", CASHIER_RETRY_INITIAL="0.05",
                    CASHIER_RETRY_MAX="0.2")


def start_qr(env: dict[str, str], failpoint: str = "") -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    if failpoint:
        run_env["CASHIER_FAILPOINT"] = failpoint
    return subprocess.run([sys.executable, "-c", START_QR], env=run_env, capture_output=True,
                          text=True, timeout=60, encoding="utf-8")


def test_killed_before_the_code_is_created(env: dict[str, str],
                                           emulator_process: str) -> None:
    killed = start_qr(env, "before-qr-create")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    waiting = json.loads(cli("pending", "--json", env=env).stdout)
    assert [row["state"] for row in waiting] == ["qr_waiting"]
    assert waiting[0]["paymentMethod"] == "sbp"
    done = cli("recover", "--json", env=env)
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["state"] == "cancelled"  # never reached the center: nothing to pay
    assert control(emulator_process, "state")["qr"] == []


def test_paid_while_nothing_ran(env: dict[str, str], emulator_process: str) -> None:
    started = start_qr(env)
    assert started.returncode == 0, started.stderr
    tx_id, status = started.stdout.split()
    assert status == "CREATED"
    still = cli("recover", "--wait", "0.3", "--json", env=env)
    assert still.returncode == 3 and json.loads(still.stdout)[0]["state"] == "qr_waiting"
    paid = control(emulator_process, "sbp/pay", {"agentTransactionId": int(tx_id)})
    assert paid["ok"]
    done = cli("recover", "--json", env=env)
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["state"] == "paid" and record["transactionId"] == paid["transactionId"]
    state = control(emulator_process, "state")
    [transaction] = [t for t in state["transactions"]
                     if t["agentTransactionId"] == int(tx_id)]
    assert transaction["debits"] == 1
