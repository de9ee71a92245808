"""``cashier-app shift`` and ``cashier-app journal verify`` as real processes against the
emulator process; the journal is edited with the real sqlite3 shell."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.e2e.helpers import TOKEN, base_env, cli


def test_pay_needs_a_shift_then_close_with_count_and_verify(emulator_process: str,
                                                           tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN)
    pay = ["pay", "--service", "P1011", "--amount", "100.00", "--cash", "200", "--json"]
    refused = cli(*pay, "--account", "9051234567", env=env)
    assert refused.returncode == 1 and "Смена не открыта" in refused.stderr
    assert cli("shift", "status", env=env).stdout.strip() == "Смена не открыта"
    assert cli("shift", "open", env=env).returncode == 2  # whose shift? no cashier given

    opened = cli("shift", "open", "--cashier", "Иванова Анна", "--opening-cash", "500",
                 "--json", env=env)
    assert opened.returncode == 0, opened.stderr
    shift = json.loads(opened.stdout)
    assert shift["openingCash"] == "500.00" and shift["closedAt"] is None
    paid = cli(*pay, "--account", "9051234567", env=env)
    assert paid.returncode == 0, paid.stderr
    record = json.loads(paid.stdout)
    assert record["status"] == "paid"
    status = json.loads(cli("shift", "status", "--json", env=env).stdout)
    assert status["id"] == shift["id"] and status["expectedCash"] == "600.00"

    assert cli("shift", "close", env=env).returncode == 2  # a close needs the count
    closed = cli("shift", "close", "--counted", "590", "--json", env=env)
    assert closed.returncode == 0, closed.stderr
    outcome = json.loads(closed.stdout)
    assert (outcome["expectedCash"], outcome["countedCash"], outcome["difference"]) == (
        "600.00", "590.00", "-10.00")
    assert outcome["closedBy"].startswith("командная строка")
    assert cli(*pay, "--account", "9051234567", env=env).returncode == 1  # closed again

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
