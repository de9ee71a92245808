"""``cashier-app card …`` as a user runs it, against the processing emulator (a process) and
the card gateway emulator on loopback: ``card pay`` prints the link at once and waits; a
process killed (SIGKILL) while it follows a payment, or between the creation and its
journaling, is finished by ``recover`` — the gateway's books show nothing doubled or lost;
the supervisor's refund."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.emulator.card import CardGateway
from tests.e2e.helpers import CLI, PINS, TOKEN, as_cashier, base_env, cli, open_shift

CARD_TOKEN = "e2e-shop-token"
CASHIER = "Тестова Анна"
SUPERVISOR = "Сидорова Мария"
PAY = ("card", "pay", "--service", "P1011", "--account", "9051234567", "--amount", "150.00")


@pytest.fixture
def gateway() -> Iterator[CardGateway]:
    with CardGateway(token=CARD_TOKEN, hold_seconds=0.1) as running:
        yield running


@pytest.fixture
def env(emulator_process: str, gateway: CardGateway, tmp_path: Path) -> dict[str, str]:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_CARD_URL=gateway.url,
                   CASHIER_CARD_TOKEN=CARD_TOKEN,
                   CASHIER_CARD_SERVICE_MAP='{"*": "109-5804-1"}',
                   CASHIER_CARD_POLL_INTERVAL="0.5", CASHIER_RETRY_INITIAL="0.05",
                   CASHIER_RETRY_MAX="0.2")
    open_shift(env)
    return env


def last_json(text: str) -> Any:
    return json.loads(text.strip().splitlines()[-1])


def started(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """``card pay`` running, its link line read (the person has the link now)."""
    process = subprocess.Popen([*CLI, *PAY, "--json", "--cashier", CASHIER, *extra], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{PINS[CASHIER]}\n")
    process.stdin.flush()
    process.stdin.close()
    process.stdin = None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else ""
    return process, json.loads(line)


def payments(gateway: CardGateway) -> list[dict[str, Any]]:
    return list(gateway.books().values())


def test_card_pay_prints_the_link_and_waits_for_the_payment(env: dict[str, str],
                                                            gateway: CardGateway) -> None:
    process, link = started(env, "--wait", "30")
    assert link["event"] == "link" and link["payUrl"].endswith(str(link["regPayNum"]))
    assert gateway.pay(str(link["regPayNum"]), "4111111111111111", "123")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert last_json(out)["status"] == "paid" and last_json(out)["paymentMethod"] == "card"

    declined, link = started(env, "--wait", "30")
    gateway.pay(str(link["regPayNum"]), "4111111111111111", "000")
    out, err = declined.communicate(timeout=60)
    assert declined.returncode == 1 and "05" in last_json(out)["message"], err


def test_killed_while_following_is_finished_once_by_recover(env: dict[str, str],
                                                            gateway: CardGateway) -> None:
    process, link = started(env, "--wait", "60")
    process.send_signal(signal.SIGKILL)  # the power goes while the person pays
    process.communicate(timeout=10)
    reg_pay_num = str(link["regPayNum"])
    gateway.pay(reg_pay_num, "4111111111111111", "123")
    recovered = cli("recover", "--wait", "10", "--json", env=env)
    assert recovered.returncode == 0, recovered.stderr
    assert [row["status"] for row in last_json(recovered.stdout)] == ["paid"]
    assert [p["state"] for p in payments(gateway)] == ["payed"]  # one payment, paid once

    refund = as_cashier("card", "refund", reg_pay_num, "--amount", "50.00", "--note",
                        "частичный возврат", "--json", env=env, cashier=SUPERVISOR)
    assert refund.returncode == 0, refund.stderr
    assert Decimal(str(last_json(refund.stdout)["remainingAfter"])) == Decimal("100.00")
    by_cashier = as_cashier("card", "refund", reg_pay_num, "--amount", "1.00", "--note", "x",
                            env=env)
    assert by_cashier.returncode == 2  # only a supervisor gives money back
    status = last_json(cli("card", "status", reg_pay_num, "--json", env=env).stdout)
    assert status["state"] == "payed"
    assert Decimal(str(status["remainingAmount"])) == Decimal("100.00")


def test_killed_between_creation_and_journal_leaves_a_link_nobody_can_pay(
        env: dict[str, str], gateway: CardGateway) -> None:
    killed = as_cashier(*PAY, env={**env, "CASHIER_FAILPOINT": "after-card-answer"})
    assert killed.returncode == -signal.SIGKILL
    assert "payUrl" not in killed.stdout  # the link was never shown to anybody
    recovered = cli("recover", "--wait", "5", "--json", env=env)
    rows = last_json(recovered.stdout)
    assert [row["status"] for row in rows] == ["failed"]
    assert "оплатить её нельзя" in rows[0]["message"]
    assert [p["state"] for p in payments(gateway)] == ["created"]  # made, unseen, unpaid


def test_a_refund_killed_after_the_gateway_did_it_is_settled_once_by_refund_check(
        env: dict[str, str], gateway: CardGateway) -> None:
    """The power goes right after the gateway refunded, before the journal heard of it: the
    refund stays «sending»; a new refund is refused until it is checked; ``refund-check``
    settles it by the remainder — done, once — and sends nothing again."""
    process, link = started(env, "--wait", "30")
    reg_pay_num = str(link["regPayNum"])
    gateway.pay(reg_pay_num, "4111111111111111", "123")
    process.communicate(timeout=60)
    assert process.returncode == 0
    killed = as_cashier("card", "refund", reg_pay_num, "--amount", "40.00", "--note", "возврат",
                        env={**env, "CASHIER_FAILPOINT": "after-card-refund"},
                        cashier=SUPERVISOR)
    assert killed.returncode == -signal.SIGKILL
    again = as_cashier("card", "refund", reg_pay_num, "--amount", "1.00", "--note", "ещё",
                       env=env, cashier=SUPERVISOR)
    assert again.returncode == 1 and "не подтверждён" in again.stderr
    by_cashier = as_cashier("card", "refund-check", reg_pay_num, env=env)
    assert by_cashier.returncode == 2  # the supervisor's
    checked = as_cashier("card", "refund-check", reg_pay_num, "--json", env=env,
                         cashier=SUPERVISOR)
    assert checked.returncode == 0, checked.stderr
    assert [(r["state"], Decimal(str(r["remainingAfter"])))
            for r in last_json(checked.stdout)] == [("done", Decimal("110.00"))]
    book = gateway.books()[reg_pay_num]
    assert book["remaining"] == 11000 and len(book["refunds"]) == 1  # kopecks: once
    nothing = as_cashier("card", "refund-check", reg_pay_num, env=env, cashier=SUPERVISOR)
    assert nothing.returncode == 0 and "неподтверждённых возвратов нет" in nothing.stdout
