"""Helpers for the end-to-end tests: run ``cashier-app`` as a user would, as real processes."""

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

CLI = [sys.executable, "-m", "cashier_app"]
TOKEN = "cli-token-77aa"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_")}
    env.update({"CASHIER_CONFIG": str(tmp_path / "config.toml"),
                "CASHIER_DATA_DIR": str(tmp_path / "data"), "PYTHONIOENCODING": "utf-8"})
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, encoding="utf-8")


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


def open_shift(env: dict[str, str], cashier: str = "Тестова Анна") -> None:
    """Payments are taken only in an open shift: open the point's shift as a cashier would."""
    result = cli("shift", "open", "--cashier", cashier, env=env)
    assert result.returncode == 0, result.stderr
