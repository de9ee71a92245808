"""``cashier-app wallet …`` as a user runs it, against the wallet emulator on loopback: the
command contract (exit codes, --json), and a process killed (SIGKILL, as a power cut) between
the journal write and the answer — the next ``recover`` settles it exactly once, as the
emulator's books show."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.emulator.wallet import WalletServer
from tests.e2e.helpers import (
    CLI,
    PINS,
    TOKEN,
    as_cashier,
    audit_rows,
    base_env,
    cli,
    open_shift,
)

CREDENTIALS = {"client_id": "e2e-point", "client_secret": "e2e-wallet-secret-9",
               "partner_id": "e2e-partner"}
SUPERVISOR = "Сидорова Мария"


@pytest.fixture
def wallets() -> Iterator[WalletServer]:
    with WalletServer(**CREDENTIALS) as server:
        yield server


@pytest.fixture
def env(emulator_process: str, wallets: WalletServer, tmp_path: Path) -> dict[str, str]:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_WALLET_URL=wallets.url,
                   CASHIER_WALLET_CLIENT_ID=CREDENTIALS["client_id"],
                   CASHIER_WALLET_CLIENT_SECRET=CREDENTIALS["client_secret"],
                   CASHIER_WALLET_PARTNER_ID=CREDENTIALS["partner_id"],
                   CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2",
                   CASHIER_WALLET_RECONCILE_MINUTES="0.1")
    open_shift(env)
    return env


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def funded(env: dict[str, str], wallets: WalletServer, amount: str = "1000.00") -> str:
    """A wallet opened at the point and refilled by the person's bank."""
    opened = as_cashier("wallet", "register", "--phone", "9161234567", "--identification",
                        "1", "--json", env=env)
    assert opened.returncode == 0, opened.stderr
    wallet_id = str(as_json(opened)["walletId"])
    refill = subprocess.Popen(
        [*CLI, "wallet", "refill", wallet_id, "--amount", amount, "--wait", "20", "--json",
         "--cashier", "Тестова Анна"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert refill.stdin is not None and refill.stdout is not None
    refill.stdin.write(f"{PINS['Тестова Анна']}\n")
    refill.stdin.flush()
    link = json.loads(refill.stdout.readline())
    assert link["event"] == "link" and link["payload"].startswith("https://qr.nspk.ru/")
    assert wallets.confirm_refill(link["payload"])
    refill.stdin.close()
    refill.stdin = None  # communicate() must not flush it again
    out, err = refill.communicate(timeout=30)
    assert refill.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["status"] == "paid"
    return wallet_id


def debits(wallets: WalletServer, wallet_id: str, kind: str) -> list[dict[str, Any]]:
    return [op for op in wallets.books()[wallet_id]["operations"] if op["type"] == kind]


def test_the_wallet_commands_as_a_cashier_uses_them(env: dict[str, str],
                                                     wallets: WalletServer,
                                                     tmp_path: Path) -> None:
    wallet_id = funded(env, wallets)
    info = cli("wallet", "info", wallet_id, "--json", env=env)
    assert info.returncode == 0, info.stderr
    card = as_json(info)
    assert Decimal(str(card["balance"])) == Decimal("1000.00")
    assert card["identification"] == "PERSONALIZED"
    assert Decimal(str(card["limits"]["PAYMENT"]["oneTimeLimit"])) == Decimal("60000.00")

    found = cli("wallet", "find", "8 916 123-45-67", env=env)
    assert wallet_id in found.stdout

    paid = as_cashier("wallet", "pay", wallet_id, "--amount", "100.00", "--tsp", "shop-42",
                      "--json", env=env)
    assert paid.returncode == 0, paid.stderr
    assert as_json(paid)["status"] == "paid"
    over = as_cashier("wallet", "pay", wallet_id, "--amount", "5000.00", "--tsp", "shop-42",
                      env=env)
    assert over.returncode == 1 and "Traceback" not in over.stderr
    assert "не проведена" in over.stdout

    banks = as_json(cli("wallet", "banks", "--json", env=env))
    out = as_cashier("wallet", "withdraw", wallet_id, "--bank", banks[0]["bankIdentifier"],
                     "--amount", "200.00", env=env)
    assert out.returncode == 0, out.stderr

    report = cli("wallet", "report", wallet_id, "--type", "PAYMENT", "--json", env=env)
    assert report.returncode == 0, report.stderr
    assert [row["operationType"] for row in as_json(report)["content"]] == ["PAYMENT"]
    too_big = cli("wallet", "report", wallet_id, "--size", "500", env=env)
    assert too_big.returncode == 2

    limited = as_cashier("wallet", "limits", wallet_id, "--set",
                         "PAYMENT.oneTimeLimit=500.00", "--json", env=env)
    assert limited.returncode == 0, limited.stderr
    assert Decimal(str(as_json(limited)["limits"]["PAYMENT"]["oneTimeLimit"])) == D500

    refused = as_cashier("wallet", "close", wallet_id, env=env)
    assert refused.returncode == 1  # 700.00 are still on it
    ident = as_cashier("wallet", "identify", wallet_id, "--level", "2", env=env)
    assert ident.returncode == 0, ident.stderr
    actions = [row["action"] for row in audit_rows(tmp_path) if row["action"].startswith(
        "wallet-")]
    assert actions == ["wallet-register", "wallet-limits", "wallet-identify"]

    journal = as_json(cli("journal", "--format", "json", env=env))
    assert {row["serviceId"] for row in journal if row["paymentMethod"] == "wallet"} == {
        "wallet:refill", "wallet:payment", "wallet:withdrawal"}
    csv = cli("journal", "--format", "csv", env=env).stdout
    assert "Вывод с кошелька в банк" in csv and ";кошелёк;" in csv
    usage = cli("wallet", "pay", wallet_id, "--amount", "abc", "--tsp", "x", env=env)
    assert usage.returncode == 2


D500 = Decimal("500.00")


def killed(env: dict[str, str], point: str, *args: str) -> subprocess.CompletedProcess[str]:
    return as_cashier(*args, env={**env, "CASHIER_FAILPOINT": point})


def test_payment_killed_after_the_debit_is_finished_once_by_recover(
        env: dict[str, str], wallets: WalletServer) -> None:
    wallet_id = funded(env, wallets)
    result = killed(env, "after-wallet-answer", "wallet", "pay", wallet_id, "--amount",
                    "120.00", "--tsp", "shop-1")
    assert result.returncode == -signal.SIGKILL, result.stderr
    pending = as_json(cli("pending", "--json", env=env))
    assert [row["state"] for row in pending] == ["paying"]
    recovered = cli("recover", "--wait", "10", "--json", env=env)
    assert recovered.returncode == 0, recovered.stderr
    assert [row["status"] for row in as_json(recovered)] == ["paid"]
    assert len(debits(wallets, wallet_id, "PAYMENT")) == 1
    assert Decimal(str(wallets.books()[wallet_id]["balance"])) == Decimal("880.00")


def test_withdrawal_killed_after_the_answer_is_found_in_the_report(
        env: dict[str, str], wallets: WalletServer) -> None:
    wallet_id = funded(env, wallets)
    bank = as_json(cli("wallet", "banks", "--json", env=env))[0]["bankIdentifier"]
    result = killed(env, "after-wallet-answer", "wallet", "withdraw", wallet_id, "--bank",
                    bank, "--amount", "300.00")
    assert result.returncode == -signal.SIGKILL
    recovered = cli("recover", "--wait", "10", "--json", env=env)
    assert [row["status"] for row in as_json(recovered)] == ["paid"], recovered.stderr
    assert len(debits(wallets, wallet_id, "DEBIT")) == 1


def test_withdrawal_killed_before_it_was_sent_waits_for_a_supervisor(
        env: dict[str, str], wallets: WalletServer, tmp_path: Path) -> None:
    wallet_id = funded(env, wallets)
    bank = as_json(cli("wallet", "banks", "--json", env=env))[0]["bankIdentifier"]
    result = killed(env, "before-wallet-send", "wallet", "withdraw", wallet_id, "--bank",
                    bank, "--amount", "300.00")
    assert result.returncode == -signal.SIGKILL
    recovered = cli("recover", "--wait", "12", "--json", env=env)
    assert recovered.returncode == 3  # not in the report: nobody can say it was done
    listed = as_json(cli("wallet", "decide", "--json", env=env))
    assert len(listed) == 1 and listed[0]["needsDecision"]
    operation = str(listed[0]["agentTransactionId"])
    cashier = as_cashier("wallet", "decide", operation, "--not-done", "--reason", "нет",
                         env=env)
    assert cashier.returncode == 2  # a cashier may not decide
    decided = as_cashier("wallet", "decide", operation, "--not-done", "--reason",
                         "клиент ушёл, вывода нет в отчёте", "--json", env=env,
                         cashier=SUPERVISOR)
    assert decided.returncode == 1 and as_json(decided)["status"] == "failed"
    assert debits(wallets, wallet_id, "DEBIT") == []
    assert Decimal(str(wallets.books()[wallet_id]["balance"])) == Decimal("1000.00")
    assert "wallet-decision" in [row["action"] for row in audit_rows(tmp_path)]


def test_refill_killed_after_its_link_came_is_watched_never_asked_again(
        env: dict[str, str], wallets: WalletServer) -> None:
    """The power goes when the service has made the refill's СБП link but before the
    journal kept it: nobody ever saw that link. ``recover`` watches the wallet's report for
    it (while the link would live, ``wallet.refill_minutes``; its end there is the engine's
    test with a clock), never asks the service for another link, and calls it neither paid
    nor failed meanwhile; nothing is credited."""
    wallet_id = funded(env, wallets)
    result = killed(env, "after-wallet-answer", "wallet", "refill", wallet_id, "--amount",
                    "250.00", "--wait", "20")
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert '"link"' not in result.stdout  # the link was never shown
    recovered = cli("recover", "--wait", "3", "--json", env=env)
    assert recovered.returncode == 3, recovered.stdout + recovered.stderr  # still open
    pending = as_json(cli("pending", "--json", env=env))
    assert len(pending) == 1 and pending[0]["state"] in ("paying", "qr_waiting")
    refills = wallets.books()[wallet_id]["refills"]
    assert sorted(r["amount"] for r in refills.values()) == [Decimal("250.00"),
                                                              Decimal("1000.00")]  # not again
    assert Decimal(str(wallets.books()[wallet_id]["balance"])) == Decimal("1000.00")
