"""``cashier-app autostart``: the kiosk's XDG autostart entry for this user — written,
reported and removed; its ``Exec`` quoted by the desktop-entry rules, not a shell's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cashier_app.cli import main
from cashier_app.cli.autostart import desktop_quoted


def test_on_status_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    entry = tmp_path / "autostart" / "cashier-app-kiosk.desktop"
    assert main(["autostart", "status"]) == 0 and "выключен" in capsys.readouterr().out
    assert main(["autostart", "on"]) == 0
    text = entry.read_text("utf-8")
    assert text.startswith("[Desktop Entry]\nType=Application\n")
    assert f"Exec={sys.executable} -m cashier_app watchdog\n" in text  # from source
    assert main(["autostart", "status"]) == 0 and "включён" in capsys.readouterr().out
    assert main(["autostart", "off"]) == 0 and not entry.exists()


def test_exec_arguments_are_quoted_as_desktop_entries_want() -> None:
    assert desktop_quoted("/opt/cashier-app/cashier-app") == "/opt/cashier-app/cashier-app"
    assert desktop_quoted("/home/kiosk user/py") == '"/home/kiosk user/py"'
    assert desktop_quoted('a"b$c`d\\e') == '"a\\"b\\$c\\`d\\\\e"'
    assert desktop_quoted("100%") == '"100%%"'
