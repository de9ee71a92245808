"""Which settings file is read and where the data goes: the user's file, else the point's
(the installer's), else the user's path to create; a Windows kiosk keeps its journal in
ProgramData, a desk in the cashier's profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from cashier_app import settings as cfg


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    monkeypatch.delenv(cfg.CONFIG_ENV, raising=False)
    return {"user": tmp_path / "user-config" / "cashier-app" / "config.toml",
            "site": tmp_path / "ProgramData" / "cashier-app" / "config.toml",
            "program_data": tmp_path / "ProgramData"}


def test_the_users_file_then_the_points_then_the_users_path(places: dict[str, Path]) -> None:
    env = {"PROGRAMDATA": str(places["program_data"])}
    assert cfg.site_config_path(env, "win32") == places["site"]
    assert cfg.default_config_path(env, "win32") == places["user"]  # neither: where to write
    places["site"].parent.mkdir(parents=True)
    places["site"].write_text('[point]\nnumber = 7\n', encoding="utf-8")
    assert cfg.default_config_path(env, "win32") == places["site"]
    places["user"].parent.mkdir(parents=True)
    places["user"].write_text('[point]\nnumber = 3\n', encoding="utf-8")
    assert cfg.default_config_path(env, "win32") == places["user"]  # instead, not over it
    assert cfg.default_config_path({**env, cfg.CONFIG_ENV: "/x/c.toml"}, "win32") == Path(
        "/x/c.toml")
    assert cfg.site_config_path({}, "linux") == Path("/etc/cashier-app/config.toml")


def test_a_windows_kiosk_keeps_its_journal_in_program_data(places: dict[str, Path],
                                                            tmp_path: Path) -> None:
    env = {"PROGRAMDATA": str(places["program_data"])}
    user_data = tmp_path / "user-data" / "cashier-app"
    assert cfg.default_data_dir(kiosk=True, platform="win32", env=env) == \
        places["program_data"] / "cashier-app"
    assert cfg.default_data_dir(kiosk=False, platform="win32", env=env) == user_data
    assert cfg.default_data_dir(kiosk=True, platform="linux", env=env) == user_data
    settings = cfg.Settings.load(tmp_path / "none.toml", env={})
    assert settings.data_dir == user_data  # this machine is not Windows
    kiosk = settings.with_overrides({cfg.KIOSK_ENABLED: True})
    assert kiosk.data_dir == cfg.default_data_dir(kiosk=True)
    explicit = kiosk.with_overrides({cfg.DATA_DIR: str(tmp_path / "d")})
    assert explicit.data_dir == tmp_path / "d"  # paths.data_dir always wins
