"""``cashier-app shift`` and ``cashier-app journal verify`` as real processes against the
emulator process; the journal is edited with the real sqlite3 shell. ``shift open|close`` and
``pay`` act as a configured cashier whose PIN comes on stdin: wrong PINs are audited and
lock, and only the shift's cashier (or a supervisor, for the close) may act on a shift."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from cashier_app.core.cashiers import Cashier, hash_pin
from cashier_app.journal import Journal
from cashier_app.workplace.login import AT_COMMAND_LINE, PinGuard
from tests.e2e.helpers import CASHIER, TOKEN, as_cashier, audit_rows, base_env, cli


def test_pay_needs_a_shift_then_close_with_count_and_verify(emulator_process: str,
                                                           tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN)
    pay = ["pay", "--service", "P1011", "--amount", "100.00", "--cash", "200", "--json"]
    refused = as_cashier(*pay, "--account", "9051234567", env=env, cashier="Иванова Анна")
    assert refused.returncode == 1 and "Смена не открыта" in refused.stderr
    assert cli("shift", "status", env=env).stdout.strip() == "Смена не открыта"
    assert cli("shift", "open", env=env).returncode == 2  # whose shift? no cashier given

    opened = as_cashier("shift", "open", "--opening-cash", "500", "--json", env=env,
                        cashier="Иванова Анна")
    assert opened.returncode == 0, opened.stderr
    shift = json.loads(opened.stdout)
    assert shift["openingCash"] == "500.00" and shift["closedAt"] is None
    paid = cli(*pay, "--account", "9051234567", env=env, pin="1111")  # the shift's cashier
    assert paid.returncode == 0, paid.stderr
    record = json.loads(paid.stdout)
    assert record["status"] == "paid"
    status = json.loads(cli("shift", "status", "--json", env=env).stdout)
    assert status["id"] == shift["id"] and status["expectedCash"] == "600.00"

    assert cli("shift", "close", env=env).returncode == 2  # a close needs the count
    closed = cli("shift", "close", "--counted", "590", "--json", env=env, pin="1111")
    assert closed.returncode == 0, closed.stderr
    outcome = json.loads(closed.stdout)
    assert (outcome["expectedCash"], outcome["countedCash"], outcome["difference"]) == (
        "600.00", "590.00", "-10.00")
    assert outcome["closedBy"] == "Иванова Анна"
    refused = as_cashier(*pay, "--account", "9051234567", env=env, cashier="Иванова Анна")
    assert refused.returncode == 1 and "Смена не открыта" in refused.stderr  # closed again
    rows = audit_rows(tmp_path)
    close = next(row for row in rows if row["action"] == "shift_close")
    assert (close["actor"], close["role"]) == ("Иванова Анна", "cashier")
    logins = [row for row in rows if row["action"] == "pin_ok"]
    assert [row["details"]["command"] for row in logins] == [
        "pay", "shift open", "pay", "shift close", "pay"]
    assert {(row["actor"], row["target"]) for row in logins} == {("Иванова Анна",
                                                                  "командная строка")}
    assert all(row["details"]["os_user"] for row in logins)

    whole = cli("journal", "verify", env=env)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert "Журнал цел" in whole.stdout

    sqlite3 = shutil.which("sqlite3")
    assert sqlite3 is not None, "scripts/bootstrap installs the sqlite3 shell"
    journal = tmp_path / "data" / "journal.sqlite3"
    subprocess.run([sqlite3, str(journal), "update payments set amount_to = '10.00', "
                    f"amount_to_kop = 1000 where agent_transaction_id = "
                    f"{record['agentTransactionId']}"], check=True, timeout=30)
    broken = cli("journal", "verify", env=env)
    assert broken.returncode == 1
    assert f"Платёж {record['agentTransactionId']}: запись изменена вне программы" in (
        broken.stdout)
    assert "НАРУШЕНА ЦЕЛОСТНОСТЬ ЖУРНАЛА" in broken.stderr
    as_json = json.loads(cli("journal", "verify", "--format", "json", env=env).stdout)
    assert as_json["ok"] is False and as_json["problems"][0]["kind"] == "edited"


def test_a_wrong_pin_is_refused_audited_and_the_fifth_locks(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    wrong = as_cashier("shift", "open", env=env, pin="0000")
    assert wrong.returncode == 1
    assert wrong.stderr == "cashier-app: Неверный PIN. Осталось попыток: 4\n"
    assert cli("shift", "status", env=env).stdout.strip() == "Смена не открыта"
    (failed,) = audit_rows(tmp_path)
    assert (failed["action"], failed["actor"], failed["role"], failed["target"]) == (
        "pin_failed", CASHIER, "cashier", "командная строка")
    assert failed["details"]["failures"] == 1 and failed["details"]["os_user"]
    assert failed["details"]["command"] == "shift open"

    # another cashier: four failures made a while ago (no real waiting for the pauses) …
    clock = [datetime.now() - timedelta(minutes=2)]
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    guard = PinGuard(journal, clock=lambda: clock[0])
    anna = Cashier("Иванова Анна", hash_pin("1111", iterations=1000))
    for _ in range(4):
        clock[0] += timedelta(seconds=10)
        verdict = guard.check_now(anna, "0000", AT_COMMAND_LINE)
        assert verdict.checked and not verdict.ok
    journal.close()
    # … so the fifth, from the command line, locks; then even the right PIN is refused
    fifth = as_cashier("shift", "open", env=env, cashier="Иванова Анна", pin="5555")
    assert fifth.returncode == 1
    assert fifth.stderr.startswith("cashier-app: Вход кассира Иванова Анна заблокирован до ")
    assert fifth.stderr.endswith("после 5 неверных PIN подряд. Обратитесь к старшему "
                                 "кассиру.\n")
    right = as_cashier("shift", "open", env=env, cashier="Иванова Анна")
    assert right.returncode == 1 and right.stderr == fifth.stderr
    assert cli("shift", "status", env=env).stdout.strip() == "Смена не открыта"
    rows = [row for row in audit_rows(tmp_path) if row["actor"] == "Иванова Анна"]
    assert [row["action"] for row in rows] == ["pin_failed"] * 5  # the refusal is not one
    assert rows[-1]["details"]["locked_until"] and rows[-1]["details"]["failures"] == 5
    # the others are not locked
    assert as_cashier("shift", "open", env=env, cashier="Петров Олег").returncode == 0


def test_who_may_act_on_a_shift(tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL="http://127.0.0.1:9")
    unknown = cli("shift", "open", "--cashier", "Никто", env=env, pin="1234")
    assert unknown.returncode == 2
    assert "кассира «Никто» нет в cashiers.list" in unknown.stderr
    assert as_cashier("shift", "open", "--opening-cash", "100", env=env).returncode == 0

    # another cashier neither closes the shift nor takes payments in it (no PIN asked)
    other = as_cashier("shift", "close", "--counted", "100", env=env, cashier="Петров Олег")
    assert other.returncode == 1
    assert "закрыть её может он сам, старший кассир или администратор" in other.stderr
    paying = as_cashier("pay", "--service", "P1011", "--account", "9051234567", "--amount",
                        "10", env=env, cashier="Петров Олег")
    assert paying.returncode == 1
    assert f"платежи в ней принимает только {CASHIER}" in paying.stderr
    assert all(row["actor"] != "Петров Олег" for row in audit_rows(tmp_path))
    # a supervisor may close anybody's shift, with their own PIN
    wrong = as_cashier("shift", "close", "--counted", "100", env=env,
                       cashier="Сидорова Мария", pin="1234")
    assert wrong.returncode == 1 and "Неверный PIN" in wrong.stderr
    closed = as_cashier("shift", "close", "--counted", "100", "--json", env=env,
                        cashier="Сидорова Мария")
    assert closed.returncode == 0, closed.stderr
    assert json.loads(closed.stdout)["closedBy"] == "Сидорова Мария"
    close = next(row for row in audit_rows(tmp_path) if row["action"] == "shift_close")
    assert (close["actor"], close["role"]) == ("Сидорова Мария", "supervisor")
    assert close["details"]["cashier"] == CASHIER


def test_no_cashiers_configured(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[point]\ncashier = \"Иванова Анна\"\n",
                                          encoding="utf-8")
    refused = cli("shift", "open", env=base_env(tmp_path), pin="1111")
    assert refused.returncode == 1
    assert "Кассиры не настроены" in refused.stderr and "cashiers.list" in refused.stderr
    assert "cashier-app pin-hash" in refused.stderr


def test_demo_cashiers_on_the_command_line(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")  # the demo's own cashiers
    opened = cli("--demo", "shift", "open", "--cashier", "Иванова Анна", env=env, pin="1111")
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == "Открыта смена №1 кассира Иванова Анна"
    # each demo command has a fresh data directory: no shift is open for a payment there
    paying = cli("--demo", "pay", "--service", "P1011", "--account", "9051234567",
                 "--amount", "200", "--cash", "500", "--cashier", "Иванова Анна", env=env,
                 pin="1111")
    assert paying.returncode == 1 and "Смена не открыта" in paying.stderr
