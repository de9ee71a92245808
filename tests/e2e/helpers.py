"""Helpers for the end-to-end tests: run ``cashier-app`` as a user would, as real processes.

The point's settings file names the cashiers (``cashiers.list`` with PIN hashes from
``core.cashiers.hash_pin``); ``shift open|close`` and ``pay`` read the PIN from stdin."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cashier_app.core.cashiers import hash_pin

CLI = [sys.executable, "-m", "cashier_app"]
TOKEN = "cli-token-77aa"
#: The cashiers of the test point and their PINs.
PINS = {"Тестова Анна": "1234", "Иванова Анна": "1111", "Петров Олег": "2222",
        "Сидорова Мария": "9999"}
SUPERVISORS = {"Сидорова Мария"}
CASHIER = "Тестова Анна"


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(tmp_path: Path) -> Path:
    """``config.toml`` with the cashiers (few PBKDF2 rounds: the tests check who may act,
    not the hash's cost). Left alone when a test wrote its own."""
    path = tmp_path / "config.toml"
    if not path.exists():
        lines = ["[cashiers]", "list = ["]
        for name, pin in PINS.items():
            role = ', role = "supervisor"' if name in SUPERVISORS else ""
            lines.append(f"  {{ name = {_toml(name)}, pin = "
                         f"{_toml(hash_pin(pin, iterations=1000))}{role} }},")
        lines.append("]")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_")}
    env.update({"CASHIER_CONFIG": str(write_config(tmp_path)),
                "CASHIER_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"})
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str], timeout: float = 60, pin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run a command; ``pin`` is its stdin's first line. Stdin is always a pipe, never the
    terminal pytest may run in (a PIN prompt would wait for it)."""
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, encoding="utf-8",
                          input="" if pin is None else f"{pin}\n")


def as_cashier(*args: str, env: dict[str, str], cashier: str = CASHIER,
               pin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A command that acts as ``cashier`` (``--cashier``, their PIN on stdin)."""
    return cli(*args, "--cashier", cashier, env=env, timeout=timeout,
               pin=PINS[cashier] if pin is None else pin)


@contextmanager
def emulator_at(port: int, tmp_path: Path) -> Iterator[str]:
    """``cashier-app emulator --port PORT`` as a process; yields its base URL."""
    process = subprocess.Popen([*CLI, "emulator", "--port", str(port), "--token", TOKEN],
                               env=base_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "слушает" in line and f"http://127.0.0.1:{port}/api/v20/" in line, line
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def control(url: str, path: str, data: Any = None) -> Any:
    """The emulator's control endpoints: GET state, POST faults and balance."""
    request = urllib.request.Request(f"{url}/_emulator/{path}",
                                     data=None if data is None else json.dumps(data).encode(),
                                     method="GET" if data is None else "POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def open_shift(env: dict[str, str], cashier: str = CASHIER) -> None:
    """Payments are taken only in an open shift: open the point's shift as a cashier would."""
    result = as_cashier("shift", "open", env=env, cashier=cashier)
    assert result.returncode == 0, result.stderr


def audit_rows(tmp_path: Path) -> list[dict[str, Any]]:
    """The journal's audit table, oldest first, details decoded."""
    import sqlite3

    conn = sqlite3.connect(tmp_path / "data" / "journal.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [{**dict(row), "details": json.loads(row["details"] or "{}")}
                for row in conn.execute("select * from audit order by id")]
    finally:
        conn.close()
