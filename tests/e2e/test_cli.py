"""The headless commands as a user runs them: real processes, real emulator process."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.helpers import CLI, TOKEN, base_env, cli, emulator_at, free_port


def test_services_against_the_emulator_process(emulator_process: str, tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN)
    result = cli("services", env=env)
    assert result.returncode == 0, result.stderr
    assert "Сотовая связь" in result.stdout
    assert "P1011    Билайн  [простая]" in result.stdout
    assert "P0005    ЕРЦ «Городские коммунальные системы»  [комплексная]" in result.stdout
    assert "P0006    Банк «Пример»  [с выбором]" in result.stdout
    assert (tmp_path / "data" / "catalog-cache.json").exists()

    as_json = json.loads(cli("services", "--json", env=env).stdout)
    herbalife = next(s for s in as_json if s["serviceId"] == "P2001")
    assert herbalife["fixedPayment"] is True and herbalife["scheme"] == "simple"
    assert herbalife["inputs"][1] == {"name": "ev_account1", "title": "Номер заказа",
                                      "required": True, "regexp": r"^\d{10}$"}

    balance = cli("balance", "--json", env=env)
    assert balance.returncode == 0
    assert '"balance":500000.00' in balance.stdout
    assert json.loads(balance.stdout, parse_float=Decimal)["currency"] == "RUB"
    text = cli("balance", env=env).stdout
    assert "Баланс: 500 000,00 RUB" in text

    log = (tmp_path / "data" / "logs" / "cashier.log").read_text(encoding="utf-8")
    assert TOKEN not in log


def test_processing_down_uses_the_cache_then_fails_without_it(tmp_path: Path) -> None:
    port = free_port()
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=f"http://127.0.0.1:{port}",
                   CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_PROCESSING_TIMEOUT="2")
    down = cli("services", env=env)
    assert down.returncode == 1
    assert down.stderr.strip() == "cashier-app: Нет связи с процессингом"
    assert "Traceback" not in down.stderr

    with emulator_at(port, tmp_path):
        assert cli("services", env=env).returncode == 0
    cached = cli("services", env=env)
    assert cached.returncode == 0 and "Билайн" in cached.stdout
    assert "показан сохранённый каталог" in cached.stderr
    offline = cli("services", "--offline", "--json", env=env)
    assert offline.returncode == 0 and len(json.loads(offline.stdout)) == 10
    balance = cli("balance", env=env)
    assert balance.returncode == 1 and balance.stderr.count("\n") == 1


def test_wrong_token(emulator_process: str, tmp_path: Path) -> None:
    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN="wrong-token")
    result = cli("balance", env=env)
    assert result.returncode == 1
    assert "отклонил авторизацию (HTTP 401)" in result.stderr
    assert "wrong-token" not in result.stderr


def test_not_configured(tmp_path: Path) -> None:
    result = cli("services", env=base_env(tmp_path))
    assert result.returncode == 1
    assert "processing.url" in result.stderr and str(tmp_path / "config.toml") in result.stderr


def test_malformed_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[processing]\ntimeout = 'x'\n", encoding="utf-8")
    result = cli("balance", env=base_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"cashier-app: Настройки: файл {tmp_path / 'config.toml'}, ключ processing.timeout: "
        "нужно число")


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert cli("services", "--bogus", env=base_env(tmp_path)).returncode == 2
    assert cli("frobnicate", env=base_env(tmp_path)).returncode == 2


def test_demo_headless(tmp_path: Path) -> None:
    result = cli("--demo", "balance", env=base_env(tmp_path))
    assert result.returncode == 0 and "ООО «Демо-Платежи»" in result.stdout
    result = cli("--demo", "services", "--json", env=base_env(tmp_path))
    assert {s["scheme"] for s in json.loads(result.stdout)} == {"simple", "choice", "complex"}
    assert not (tmp_path / "data").exists()  # demo uses a throwaway data directory


def test_config_commands(tmp_path: Path) -> None:
    example = cli("config", "--example", env=base_env(tmp_path))
    assert "[processing]" in example.stdout and "CASHIER_PROCESSING_TOKEN" in example.stdout
    env = base_env(tmp_path, CASHIER_PROCESSING_TOKEN="very-secret")
    shown = cli("config", env=env)
    assert "processing.token = ***" in shown.stdout and "very-secret" not in shown.stdout


@pytest.mark.parametrize("display", ["off", "window"])
def test_demo_window_opens(tmp_path: Path, display: str) -> None:
    """The demo (QR СБП on) opens, loads and closes cleanly, with a customer display too
    (which must not keep the program alive or break its shutdown)."""
    screenshot = tmp_path / "demo.png"
    env = base_env(tmp_path, QT_QPA_PLATFORM="offscreen",
                   CASHIER_SBP_CUSTOMER_DISPLAY=display)
    started = time.monotonic()
    result = cli("--demo", "--smoke-screenshot", str(screenshot), env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "catalog: 10 services" in result.stdout and "Процессинг: на связи" in result.stdout
    assert screenshot.stat().st_size > 10_000
    assert time.monotonic() - started < 120
    # the window is shown in the program's style: its status bar is the style sheet's dark
    # one, not Qt's default grey
    from PySide6.QtGui import QImage

    picture = QImage(str(screenshot))
    corner = picture.pixelColor(3, picture.height() - 3)
    assert corner.name() == "#1f2933", corner.name()


def test_the_data_directory_is_owner_only(tmp_path: Path) -> None:
    """Other people's payments are in there: a journal an older version left 0644 is made
    0600, the directory 0700, and whatever the program creates is born private."""
    import sqlite3
    import stat

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    sqlite3.connect(data / "journal.sqlite3").close()
    (data / "journal.sqlite3").chmod(0o644)
    env = base_env(tmp_path, CASHIER_PROCESSING_URL="http://127.0.0.1:9",
                   CASHIER_PROCESSING_TOKEN=TOKEN)
    result = cli("pending", env=env)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_a_reader_that_goes_away_is_no_traceback(emulator_process: str,
                                                 tmp_path: Path) -> None:
    """`cashier-app services --json | head -1`: the reader closes the pipe before the command
    has written; the command ends quietly with its own exit code."""
    import subprocess

    env = base_env(tmp_path, CASHIER_PROCESSING_URL=emulator_process,
                   CASHIER_PROCESSING_TOKEN=TOKEN)
    process = subprocess.Popen([*CLI, "services", "--json"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first byte
    code = process.wait(timeout=60)
    err = process.stderr.read().decode("utf-8")
    assert code == 0, err
    assert "Traceback" not in err and "Exception ignored" not in err and "Broken" not in err


def test_no_screen_is_said_in_russian_not_a_qt_abort(tmp_path: Path) -> None:
    """On a machine with no X11 or Wayland session, the window and the validator's control
    window say so in one Russian line and exit 1 — Qt would abort with SIGABRT."""
    env = {k: v for k, v in base_env(tmp_path).items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    for command in (["--demo"], ["acceptor", "emulate"]):
        result = cli(*command, env=env, timeout=60)
        assert result.returncode == 1, (command, result.returncode, result.stderr)
        assert result.stderr.startswith("cashier-app: Нет экрана: окно не открыть"), command
        assert "Traceback" not in result.stderr and "qt.qpa" not in result.stderr
