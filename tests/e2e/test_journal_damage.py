"""A journal deleted, emptied or damaged under a real point: every command says so in one
Russian line (exit 1, no traceback) instead of silently starting afresh; ``journal verify``
reports a damaged file; ``journal new --yes`` is the engineer's way forward, keeping the old
file and the id high-water mark."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.helpers import TOKEN, as_cashier, base_env, cli, open_shift
from tests.unit.journal.test_damage import damage_a_page


def _point(tmp_path: Path, url: str) -> dict[str, str]:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=url, CASHIER_PROCESSING_TOKEN=TOKEN)
    open_shift(env)
    for number in range(12):  # enough rows for a page in the middle to hold payments
        result = as_cashier("pay", "--service", "P1011", "--account", f"90566600{number:02d}",
                            "--amount", "10", env=env)
        assert result.returncode == 0, result.stderr
    return env


def _refused(env: dict[str, str], *words: str) -> None:
    for command in (("pending",), ("shift", "status"), ("journal",)):
        result = cli(*command, env=env)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert all(word in result.stderr for word in words), result.stderr
        assert "Traceback" not in result.stderr


def test_deleted_journal_is_refused_then_started_anew(emulator_process: str,
                                                      tmp_path: Path) -> None:
    env = _point(tmp_path, emulator_process)
    data = tmp_path / "data"
    hwm = (data / "agent-transaction-id.hwm").read_text()
    for name in ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    _refused(env, "не найден", "journal new")
    assert not (data / "journal.sqlite3").exists()

    asked = cli("journal", "new", env=env)
    assert asked.returncode == 2 and "--yes" in asked.stderr
    started = cli("journal", "new", "--yes", env=env)
    assert started.returncode == 0, started.stderr
    assert "Начат новый журнал" in started.stdout
    assert cli("pending", env=env).returncode == 0
    with sqlite3.connect(data / "journal.sqlite3") as conn:
        [(action, details)] = conn.execute("select action, details from audit").fetchall()
    assert action == "journal_new" and hwm.strip() in details
    # new ids keep growing past the old ones
    open_shift(env)
    paid = as_cashier("pay", "--service", "P1011", "--account", "9056669999", "--amount", "10",
                      "--json", env=env)
    assert paid.returncode == 0 and int(paid.stdout.split('"agentTransactionId":')[1]
                                        .split(",")[0]) > int(hwm)


def test_emptied_and_damaged_journals(emulator_process: str, tmp_path: Path) -> None:
    env = _point(tmp_path, emulator_process)
    path = tmp_path / "data" / "journal.sqlite3"
    damage_a_page(path, page=3)
    _refused(env, "повреждён")
    verify = cli("journal", "verify", env=env)
    assert verify.returncode == 1, (verify.stdout, verify.stderr)
    assert "повреждён" in verify.stdout + verify.stderr and "Traceback" not in verify.stderr
    started = cli("journal", "new", "--yes", env=env)
    assert started.returncode == 0, started.stderr
    kept = list(path.parent.glob("journal.sqlite3.damaged-*"))
    assert len([p for p in kept if not p.name.endswith(("-wal", "-shm"))]) == 1
    path.write_bytes(b"")  # emptied
    _refused(env, "пуст")
