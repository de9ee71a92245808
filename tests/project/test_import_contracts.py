"""The layers and "no Qt outside ui" (pyproject's import-linter contracts) hold for the code as
it is, and would catch a Qt import in the core or a lower layer importing a higher one: the
contracts are run on a copy of the package with such a module added."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINT, "--config", str(folder / "pyproject.toml"), "--no-cache"],
                          cwd=folder, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})


def test_the_code_keeps_the_contracts() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(("where", "line", "broken"), [
    ("core/qt_probe.py", "import PySide6.QtWidgets\n", "No Qt outside ui"),
    ("journal/up_probe.py", "from cashier_app.engine import PaymentEngine\n", "Layers"),
    ("engine/sideways_probe.py", "from cashier_app.receipts import service\n", "Layers"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, where: str, line: str,
                                              broken: str) -> None:
    shutil.copytree(ROOT / "cashier_app", tmp_path / "cashier_app",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cashier_app" / where).write_text(line, encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert f"{broken} BROKEN" in result.stdout, result.stdout[-3000:]
