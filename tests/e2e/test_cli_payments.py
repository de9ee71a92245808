"""``pay``, ``recover`` and ``journal`` as a user runs them (contract of issue 3)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.helpers import CASHIER, PINS, TOKEN, base_env, cli, control, open_shift


@pytest.fixture
def env(emulator_process: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN,
                   CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2",
                   CASHIER_COMMISSION='[{"service": "*", "percent": 1, "minimum": 5}]')
    open_shift(env)
    yield env


def pay(env: dict[str, str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = cli("pay", "--json", *args, env=env, pin=PINS[CASHIER])  # the shift's cashier
    return result.returncode, (json.loads(result.stdout, parse_float=Decimal)
                               if result.stdout.strip() else {})


def test_paid_with_commission_and_change(env: dict[str, str]) -> None:
    code, out = pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "1000",
                    "--cash", "2000")
    assert code == 0
    assert out["status"] == "paid" and out["result"] == 0 and out["transactionId"]
    assert len(str(out["agentTransactionId"])) == 18
    assert (out["amountTo"], out["commission"], out["amountFrom"], out["change"]) == (
        1000, 10, 1010, 990)


def test_each_scheme(env: dict[str, str]) -> None:
    assert pay(env, "--service", "P2001", "--account", "1234567890",
               "--extra", "ev_account1=0000012346")[1]["amountTo"] == Decimal("1200.50")
    code, out = pay(env, "--service", "P0006", "--account", "770123456789",
                    "--contract", "000000587")
    assert code == 0 and out["amountTo"] == 1000
    code, out = pay(env, "--service", "P0005", "--account", "1000000001",
                    "--sub", "37=412.50@318", "--sub", "2=925.20")
    assert code == 0 and out["amountTo"] == Decimal("1337.70")


def test_refusals_exit_1(env: dict[str, str]) -> None:
    for args, message in [
        (("--service", "P1011", "--account", "123", "--amount", "10"), "10 цифр"),
        (("--service", "P0006", "--account", "770123456789"), "Укажите договор"),
        (("--service", "P0006", "--account", "770123456789", "--contract", "nope"),
         "Договора nope нет"),
        (("--service", "P0005", "--account", "1000000001", "--sub", "2=10"), "не меньше"),
        (("--service", "NOPE", "--account", "1", "--amount", "10"), "нет в каталоге"),
        (("--service", "P1011", "--account", "9051234567", "--amount", "10", "--cash", "5"),
         "не хватает"),
    ]:
        code, out = pay(env, *args)
        assert code == 1 and message in out["message"], (args, out)
    code, out = pay(env, "--service", "P1011", "--account", "9030000000", "--amount", "10")
    assert code == 1 and out["status"] == "check_failed" and out["result"] == 5


def test_local_refusals_come_before_anything_is_sent(emulator_process: str,
                                                     env: dict[str, str]) -> None:
    """What the program can refuse by itself it refuses before a payment is journaled or a
    check goes out: amounts not written as money, zero or missing amounts, options of another
    scheme, fields the service does not have."""
    for amount in ("1e3", "1E3", "١٠٠", "۱۰۰", "1_000", "+5", "1e30", "10.555", "NaN",
                   "1 000"):
        result = cli("pay", "--service", "P1011", "--account", "9051239999", "--amount",
                     amount, env=env, pin=PINS[CASHIER])
        assert result.returncode == 2, (amount, result.stderr)
        assert "не сумма" in result.stderr and "Traceback" not in result.stderr
    for args, message in [
        (("--amount", "0"), "больше нуля"),
        (("--amount", "20000"), "не больше 15 000,00 ₽"),  # the limits /services publishes
        (("--amount", "5"), "не меньше 10,00 ₽"),
        ((), "Укажите сумму"),
        (("--amount", "10", "--extra", "promo=1"), "нет полей promo"),
        (("--amount", "10", "--contract", "1"), "только для услуг с выбором"),
        (("--amount", "10", "--sub", "1=10"), "только для услуг с квитанцией"),
    ]:
        code, out = pay(env, "--service", "P1011", "--account", "9051239999", *args)
        assert code == 1 and message in out["message"], (args, out)
    code, out = pay(env, "--service", "P0005", "--account", "1000000009", "--sub", "2=0")
    assert code == 1 and "больше нуля" in out["message"]
    seen = {t["account"] for t in control(emulator_process, "state")["transactions"]}
    assert not seen & {"9051239999", "1000000009"}  # not a single check was sent
    journal = json.loads(cli("journal", "--format", "json", env=env).stdout)
    assert not [row for row in journal if row["account"] in ("9051239999", "1000000009")]


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    assert cli("pay", "--service", "P1011", env=env).returncode == 2
    assert cli("pay", "--service", "P1011", "--account", "1", "--amount", "x", env=env
               ).returncode == 2
    assert cli("pay", "--service", "P0005", "--account", "1", "--sub", "36", env=env
               ).returncode == 2
    assert cli("journal", "--date", "23.11.2026", env=env).returncode == 2
    twice = cli("pay", "--service", "P0005", "--account", "1000000001", "--sub", "13=80",
                "--sub", "13=90", env=env)
    assert twice.returncode == 2 and "13 указано дважды" in twice.stderr


def test_final_error_and_pending_then_recover(emulator_process: str,
                                              env: dict[str, str]) -> None:
    processing = emulator_process
    control(processing, "faults", {"rules": [{"method": "pay", "action": "code",
                                              "result": 242}]})
    code, out = pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "10")
    assert code == 1 and out["status"] == "failed" and out["result"] == 242
    assert out["message"] == "Сумма слишком велика (код 242)"

    control(processing, "faults", {"rules": [{"method": "pay", "action": "code", "result": 220,
                                              "times": -1}]})
    code, out = pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "10",
                    "--wait", "0.5")
    assert code == 3 and out["status"] == "pending" and out["result"] == 220
    queue = json.loads(cli("pending", "--json", env=env).stdout)
    assert [p["agentTransactionId"] for p in queue] == [out["agentTransactionId"]]
    assert [a["method"] for a in queue[0]["attemptLog"]][:2] == ["check", "pay"]
    assert queue[0]["attemptLog"][-1]["result"] == 220 and queue[0]["nextAttemptAt"]
    assert "Недостаточно средств на балансе агента" in cli("pending", env=env).stdout
    still = cli("recover", "--wait", "0.3", "--json", env=env)
    assert still.returncode == 3 and json.loads(still.stdout)[0]["status"] == "pending"
    control(processing, "faults/clear", {})
    done = cli("recover", "--json", env=env)
    assert done.returncode == 0
    (settled,) = json.loads(done.stdout)
    assert settled["agentTransactionId"] == out["agentTransactionId"]
    assert settled["status"] == "paid" and settled["attempts"] >= 3


def test_journal_formats(env: dict[str, str]) -> None:
    pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "100")
    pay(env, "--service", "P1011", "--account", "9030000000", "--amount", "100")
    pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "50")
    rows = json.loads(cli("journal", "--format", "json", env=env).stdout)
    # the failed check keeps its reason after the next start's clean-up
    assert [r["status"] for r in rows] == ["paid", "check_failed", "paid"]
    assert rows[1]["result"] == 5 and "не найден" in rows[1]["message"]
    for key in ("agentTransactionId", "serviceId", "account", "amountTo", "amountFrom",
                "status", "result", "transactionId", "createdAt"):
        assert key in rows[0]
    table = cli("journal", env=env).stdout
    assert "Платежи за" in table and "9051234567" in table and "105,00" not in table
    parsed = list(csv.DictReader(io.StringIO(cli("journal", "--format", "csv", env=env).stdout),
                                 delimiter=";"))
    assert parsed[0]["К зачислению"] == "100,00" and parsed[0]["С клиента"] == "105,00"
    assert parsed[0]["agentTransactionId"] == str(rows[0]["agentTransactionId"])
    other_day = json.loads(cli("journal", "--date", "2020-01-01", "--format", "json",
                               env=env).stdout)
    assert other_day == []


def test_journal_export_files(env: dict[str, str], tmp_path: Path) -> None:
    """The supervisor's export from the command line: a period and a filter to CSV for
    Russian Excel and to XLSX with real types, read back and compared with the journal."""
    from datetime import date, timedelta

    from openpyxl import load_workbook

    pay(env, "--service", "P1011", "--account", "9051234567", "--amount", "100")
    pay(env, "--service", "P1012", "--account", "9101234567", "--amount", "250.50")
    pay(env, "--service", "P1011", "--account", "9030000000", "--amount", "100")  # check fails
    today = date.today()
    period = ["--from", str(today - timedelta(days=30)), "--to", str(today)]
    rows = json.loads(cli("journal", *period, "--format", "json", env=env).stdout)
    assert len(rows) == 3
    target = tmp_path / "journal.csv"
    done = cli("journal", *period, "--state", "paid", "--format", "csv", "--output", str(target),
               env=env)
    assert done.returncode == 0 and "Выгружено платежей: 2" in done.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    paid = [r for r in rows if r["status"] == "paid"]
    assert [r["agentTransactionId"] for r in table] == [str(r["agentTransactionId"])
                                                        for r in paid]
    assert [r["К зачислению"] for r in table] == ["100,00", "250,50"]
    assert table[1]["Услуга"] == "МТС" and table[1]["Состояние"] == "оплачен"
    book_path = tmp_path / "journal.xlsx"
    assert cli("journal", *period, "--service", "P1011", "--format", "xlsx", "--output",
               str(book_path), env=env).returncode == 0
    sheet = load_workbook(book_path).active
    header = [cell.value for cell in sheet[1]]
    lines = [dict(zip(header, [cell for cell in row], strict=True))
             for row in sheet.iter_rows(min_row=2)]
    assert len(lines) == 2  # the two P1011 payments, paid and check_failed
    first = lines[0]
    assert first["К зачислению"].value == 100 and first["К зачислению"].data_type == "n"
    assert first["Время"].is_date
    assert first["agentTransactionId"].value == str(rows[0]["agentTransactionId"])  # text
    assert lines[1]["Состояние"].value == "не прошёл проверку"
    assert lines[1]["К зачислению"].value is None
    refused = cli("journal", "--format", "xlsx", env=env)
    assert refused.returncode == 2 and "--output" in refused.stderr
    backwards = cli("journal", "--from", str(today), "--to", str(today - timedelta(days=1)),
                    env=env)
    assert backwards.returncode == 2 and "раньше" in backwards.stderr
