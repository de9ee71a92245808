"""``cashier-app pay`` against a hostile processing center (a real HTTP server on
loopback, tests/integration/hostile_server.py): whatever the answer to pay — about another
payment, a result that is not an integer, a «success» without transactionId, a lying
Content-Encoding, a number no int can hold, a byte every second — the payment is never
reported «не проведён» (exit 1) or paid: it stays «в обработке» (exit 3), the next command's
start-up recovery does not crash on it, and a real answer later finishes each one exactly
once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_app.emulator.center import load_catalog
from tests.e2e.helpers import CASHIER, PINS, base_env, cli, open_shift
from tests.integration.hostile_server import HostileServer

CHECK_OK = {"json": {"result": 0, "resultMessage": "ok", "transactionId": 555,
                     "agentTransactionId": "$id"}}
PAID = {"json": {"result": 0, "resultMessage": "Успешно", "transactionId": 777,
                 "agentTransactionId": "$id"}}
HOSTILE_PAYS: dict[str, dict[str, Any]] = {
    "another payment": {"json": {"result": 0, "resultMessage": "ok", "transactionId": 1,
                                 "agentTransactionId": "$id+1"}},
    "result as text": {"json": {"result": "0", "resultMessage": "ok", "transactionId": 1,
                                "agentTransactionId": "$id"}},
    "no transactionId": {"json": {"result": 0, "resultMessage": "ok",
                                  "agentTransactionId": "$id"}},
    "lying encoding": {"body": '{"result": 0}', "encoding": "gzip"},
    "huge number": {"body": '{"result": 0, "transactionId": ' + "9" * 5000 + "}"},
    "html": {"status": 200, "body": "<html>ok</html>"},
    "slow drip": {"json": {"result": 0, "transactionId": 1, "agentTransactionId": "$id"},
                  "drip": [1, 1.0]},
}


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    services = {"result": 0, "resultMessage": "ok",
                "services": [s for s in load_catalog()["services"] if s["serviceId"] == "P1011"]}
    with HostileServer({"services": {"json": services}, "check": CHECK_OK}) as server:
        yield server


def test_no_hostile_pay_answer_ends_a_payment(hostile: HostileServer, tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=hostile.url,
                   CASHIER_PROCESSING_TOKEN="t0ken-ok", CASHIER_PROCESSING_TIMEOUT="3",
                   CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2")
    open_shift(env)
    pending: dict[str, int] = {}
    for number, (name, step) in enumerate(HOSTILE_PAYS.items()):
        hostile.script("pay", step)
        started = time.monotonic()
        result = cli("pay", "--service", "P1011", "--account", f"90577700{number:02d}",
                     "--amount", "100.00", "--json", "--wait", "1", env=env,
                     pin=PINS[CASHIER], timeout=60)
        elapsed = time.monotonic() - started
        assert result.returncode == 3, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, (name, result.stderr)
        out = json.loads(result.stdout)
        assert out["status"] == "pending", (name, out)
        pending[name] = out["agentTransactionId"]
        # bounded: a check, then pay attempts for --wait 1 s, each at most 3 s in total
        assert elapsed < 20, (name, elapsed)
    # a center that answers properly again: each payment is finished, exactly once
    hostile.script("pay", PAID)
    recovered = cli("recover", "--json", "--wait", "20", env=env)
    assert recovered.returncode == 0, recovered.stderr
    states = {row["agentTransactionId"]: (row["status"], row["transactionId"])
              for row in json.loads(recovered.stdout)}
    assert states == {tx_id: ("paid", 777) for tx_id in pending.values()}


def test_escape_sequences_from_the_center_never_reach_the_terminal(hostile: HostileServer,
                                                                   tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=hostile.url,
                   CASHIER_PROCESSING_TOKEN="t0ken-ok", CASHIER_PROCESSING_TIMEOUT="3")
    open_shift(env)
    hostile.script("check", {"json": {
        "result": 777, "agentTransactionId": "$id", "transactionId": 1,
        "resultMessage": "\u001b[2J\u001b[32mУспешно\u001b]0;title\u0007\u009b31m"}})
    for extra in ((), ("--json",)):
        result = cli("pay", "--service", "P1011", "--account", "9057779999", "--amount", "10",
                     *extra, env=env, pin=PINS[CASHIER])
        assert result.returncode == 1, result.stderr
        shown = result.stdout + result.stderr
        assert "Успешно" in shown
        assert not any(ch in shown for ch in "\x1b\x07\x9b"), repr(shown)
