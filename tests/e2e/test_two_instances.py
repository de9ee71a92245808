"""Several ``cashier-app`` processes on one data directory, as at a real point (a window and a
command, a script run twice, a watchdog restart): writes wait instead of failing, no payment
is cancelled or taken over while its program is alive, and a second window is refused. Real
processes against the emulator process."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.e2e.helpers import CASHIER, CLI, PINS, TOKEN, base_env, cli, control, open_shift


def _env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    return base_env(tmp_path, CASHIER_PROCESSING_URL=url, CASHIER_PROCESSING_TOKEN=TOKEN,
                    CASHIER_PROCESSING_TIMEOUT="10", CASHIER_RETRY_INITIAL="0.05",
                    CASHIER_RETRY_MAX="0.2", **extra)


def _pay(env: dict[str, str], account: str, amount: str = "100.00") -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*CLI, "pay", "--service", "P1011", "--account", account, "--amount", amount,
         "--cashier", CASHIER, "--json", "--wait", "30"], env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdin is not None
    process.stdin.write(f"{PINS[CASHIER]}\n")
    process.stdin.close()
    return process


def test_parallel_pays_on_one_journal_all_go_through(emulator_process: str,
                                                    tmp_path: Path) -> None:
    env = _env(tmp_path, emulator_process)
    open_shift(env)
    accounts = [f"90588800{n:02d}" for n in range(6)]
    running = [_pay(env, account) for account in accounts]
    results = [(process.wait(timeout=120), process.stdout.read(), process.stderr.read())
               for process in running if process.stdout and process.stderr]
    for code, out, err in results:
        assert code == 0, (code, out, err)
        assert "Traceback" not in err and "locked" not in err
    ids = {json.loads(out)["agentTransactionId"] for _, out, _ in results}
    assert len(ids) == len(accounts)  # never the same id twice, even in one millisecond
    debits = {t["account"]: t["debits"] for t in control(emulator_process, "state")[
        "transactions"]}
    assert all(debits[account] == 1 for account in accounts)


def test_a_start_does_not_cancel_the_payment_another_program_is_checking(
        emulator_process: str, tmp_path: Path) -> None:
    env = _env(tmp_path, emulator_process)
    open_shift(env)
    # the check of this payment takes 3 s at the center: meanwhile another program starts
    control(emulator_process, "faults", {"rules": [
        {"method": "check", "action": "delay", "seconds": 3, "match": {"account": "9058881111"}}]})
    slow = _pay(env, "9058881111")
    time.sleep(1.5)
    started = cli("recover", "--json", "--wait", "5", env=env)
    assert started.returncode == 0, started.stderr
    code = slow.wait(timeout=60)
    assert slow.stdout is not None and slow.stderr is not None
    out, err = slow.stdout.read(), slow.stderr.read()
    assert code == 0, (out, err)
    assert json.loads(out)["status"] == "paid"  # not «Прерван до оплаты»


def test_a_second_window_on_one_data_directory_is_refused(emulator_process: str,
                                                         tmp_path: Path) -> None:
    env = _env(tmp_path, emulator_process, QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen([*CLI], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             encoding="utf-8")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _window_up(first, tmp_path / "data"):
            time.sleep(0.2)
        assert first.poll() is None, first.communicate()
        second = cli(env=env, timeout=60)
        assert second.returncode == 1
        assert "Окно кассы уже открыто" in second.stderr
        assert "Traceback" not in second.stderr
        # a command beside the window is fine
        pending = cli("pending", env=env)
        assert pending.returncode == 0, pending.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)


def _window_up(process: subprocess.Popen[str], data_dir: Path) -> bool:
    """The window process holds its instance lock once it has opened the journal."""
    return process.poll() is None and any(
        (data_dir / "instances").glob(f"window-{process.pid}-*.lock"))


def test_pending_says_which_running_program_works_a_payment(emulator_process: str,
                                                           tmp_path: Path) -> None:
    env = _env(tmp_path, emulator_process)
    open_shift(env)
    control(emulator_process, "faults", {"rules": [
        {"method": "pay", "action": "delay", "seconds": 3, "match": {"account": "9058882222"}}]})
    paying = _pay(env, "9058882222")
    deadline = time.monotonic() + 30
    rows: list[dict[str, object]] = []
    while time.monotonic() < deadline and not rows:
        rows = json.loads(cli("pending", "--json", env=env).stdout)
        time.sleep(0.1)
    assert rows and rows[0]["account"] == "9058882222"
    assert rows[0]["workedBy"] == f"команда cashier-app (процесс {paying.pid})"
    assert paying.wait(timeout=60) == 0
    assert json.loads(cli("pending", "--json", env=env).stdout) == []
