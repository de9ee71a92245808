"""Loading: the file (``config.toml`` in the user config directory, or ``CASHIER_CONFIG``),
then the environment over it, then the defaults; each value checked and, for lists of tables,
converted once. The result is :class:`Settings`."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import platformdirs

from .checks import is_loopback_url
from .keys import (
    CASHIERS,
    COMMISSION,
    DATA_DIR,
    KIOSK_ENABLED,
    PROCESSING_ALLOW_HTTP,
    PROCESSING_TOKEN,
    PROCESSING_URL,
)
from .registry import REGISTRY, ConfigError, Setting, coerce

APP_NAME = "cashier-app"
CONFIG_ENV = "CASHIER_CONFIG"
T = TypeVar("T")


def default_config_path(env: Mapping[str, str] | None = None,
                        platform: str | None = None) -> Path:
    """``CASHIER_CONFIG``; else the user's ``config.toml`` if there is one; else the point's
    (:func:`site_config_path`: where the installer puts it) if there is one; else the user's
    path, named in messages as the place to create it."""
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    user = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    if user.exists():
        return user
    site = site_config_path(env, platform)
    return site if site.exists() else user


def site_config_path(env: Mapping[str, str] | None = None,
                     platform: str | None = None) -> Path:
    """The settings of the whole point, written once by the installer: Windows
    ``%ProgramData%\\cashier-app\\config.toml``, elsewhere ``/etc/cashier-app/config.toml``
    (the .deb's configuration file, which dpkg never overwrites once edited)."""
    if (platform or sys.platform) == "win32":
        return program_data(env) / "config.toml"
    return Path("/etc") / APP_NAME / "config.toml"


def program_data(env: Mapping[str, str] | None = None) -> Path:
    """``%ProgramData%\\cashier-app``: the machine's, not one user's, on Windows."""
    env = os.environ if env is None else env
    return Path(env.get("PROGRAMDATA") or "C:\\ProgramData") / APP_NAME


def default_data_dir(*, kiosk: bool = False, platform: str | None = None,
                     env: Mapping[str, str] | None = None) -> Path:
    """The user's data directory; a Windows kiosk's is ProgramData's instead. A terminal
    logs on automatically under an account an engineer may change, and the engineer who
    services it logs on under their own: the journal of its money must not depend on who
    is logged on."""
    if kiosk and (platform or sys.platform) == "win32":
        return program_data(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class Settings:
    """The resolved values. Read with ``settings[SETTING]`` or the named properties."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str],
                 config_path: Path, warnings: list[str] | None = None,
                 converted: Mapping[str, Any] | None = None) -> None:
        self._values = dict(values)
        self._sources = dict(sources)
        self.config_path = config_path
        self._warnings = list(warnings or [])
        # list settings as typed values, converted once (at load, or on first use for a
        # default or an override)
        self._converted = dict(converted or {})

    @classmethod
    def load(cls, config_path: Path | None = None,
             env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        path = config_path or default_config_path(env)
        file_values = read_file(path)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        converted: dict[str, Any] = {}
        for key, setting in REGISTRY.items():
            if setting.env in env and env[setting.env] != "":
                raw: object = env[setting.env]
                where = f"переменная окружения {setting.env}"
                from_env = True
            elif key in file_values:
                raw = file_values[key]
                where = f"файл {path}, ключ {key}"
                from_env = False
            else:
                values[key] = setting.default
                sources[key] = "default"
                continue
            try:
                value = coerce(setting, raw, from_env=from_env)
            except ValueError as error:
                raise ConfigError(f"Настройки: {where}: {error}") from None
            problem = setting.check(value) if setting.check else None
            if problem:
                raise ConfigError(f"Настройки: {where}: {problem}")
            if setting.convert is not None:
                try:
                    converted[key] = setting.convert(value)
                except ValueError as error:
                    raise ConfigError(f"Настройки: {where}: {error}") from None
            values[key] = value
            sources[key] = where
        problem = http_problem(values[PROCESSING_URL.key], values[PROCESSING_ALLOW_HTTP.key])
        if problem:
            raise ConfigError(f"Настройки: {sources[PROCESSING_URL.key]}: {problem}")
        warnings = file_warnings(path, file_values)
        if values[PROCESSING_ALLOW_HTTP.key] and values[PROCESSING_URL.key].startswith(
                "http://") and not is_loopback_url(values[PROCESSING_URL.key]):
            warnings.append("Внимание: processing.allow_http включён — токен и платежи идут "
                            "к процессингу по сети без шифрования")
        return cls(values, sources, path, warnings, converted)

    def with_overrides(self, overrides: Mapping[Setting[Any], Any]) -> Settings:
        values = dict(self._values)
        sources = dict(self._sources)
        converted = dict(self._converted)
        for setting, value in overrides.items():
            values[setting.key] = value
            sources[setting.key] = "override"
            converted.pop(setting.key, None)
        return Settings(values, sources, self.config_path, self._warnings, converted)

    def warnings(self) -> list[str]:
        """Russian lines about settings that work but should be fixed (a token in a file
        others can read, unencrypted HTTP allowed): show them at start, do not stop."""
        return list(self._warnings)

    def __getitem__(self, setting: Setting[T]) -> T:
        return cast(T, self._values[setting.key])

    def source(self, setting: Setting[Any]) -> str:
        return self._sources[setting.key]

    def converted(self, setting: Setting[Any]) -> Any:
        """A list setting as its typed values (see ``Setting.convert``), converted once."""
        if setting.key not in self._converted:
            assert setting.convert is not None, setting.key
            self._converted[setting.key] = setting.convert(self._values[setting.key])
        return self._converted[setting.key]

    @property
    def commission_rules(self) -> list[Any]:
        return cast(list[Any], self.converted(COMMISSION))

    @property
    def cashiers(self) -> list[Any]:
        return cast(list[Any], self.converted(CASHIERS))

    @property
    def data_dir(self) -> Path:
        configured = self[DATA_DIR]
        if configured:
            return Path(configured).expanduser()
        return default_data_dir(kiosk=bool(self._values.get(KIOSK_ENABLED.key)))

    def require_processing(self) -> None:
        """Raise a clear ConfigError when the program cannot talk to a processing center."""
        if not self[PROCESSING_URL]:
            raise ConfigError(
                f"Не задан адрес процессинга: укажите ключ processing.url в файле "
                f"{self.config_path} или переменную окружения {PROCESSING_URL.env} "
                f"(или запустите cashier-app --demo)"
            )
        problem = http_problem(self[PROCESSING_URL], self[PROCESSING_ALLOW_HTTP])
        if problem:  # overrides are checked here, the file and environment at load
            raise ConfigError(f"Настройки: {self.source(PROCESSING_URL)}: {problem}")

    def describe(self) -> list[tuple[str, str, str]]:
        """``(key, value, source)`` rows for diagnostics; secrets masked."""
        rows = []
        for key, setting in REGISTRY.items():
            value = self._values[key]
            shown = ("***" if value else "") if setting.secret else str(value)
            rows.append((key, shown, self._sources[key]))
        return rows


def http_problem(url: str, allowed: bool) -> str | None:
    """Plain HTTP to another machine carries the token and every payment readable (and
    changeable) by anyone on the way: refused unless asked for by name."""
    if allowed or not url.startswith("http://") or is_loopback_url(url):
        return None
    return ("processing.url начинается с http:// — токен и платежи пошли бы по сети без "
            "шифрования; укажите https:// (или, если сеть защищена иначе, "
            "processing.allow_http = true)")


def file_warnings(path: Path, file_values: Mapping[str, Any]) -> list[str]:
    if sys.platform == "win32" or not file_values.get(PROCESSING_TOKEN.key):
        return []
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return []
    return [f"Внимание: файл настроек {path} с токеном процессинга доступен другим "
            f"пользователям (права {stat.filemode(mode)}); выполните: chmod 600 {path}"]


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Файл настроек {path} повреждён: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Файл настроек {path} не читается: {error}") from None
    flat: dict[str, Any] = {}
    for section, table in document.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Файл настроек {path}: ключ {section} должен быть разделом [{section}]"
            )
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in REGISTRY:
                raise ConfigError(f"Файл настроек {path}: неизвестный ключ {key}")
            flat[key] = value
    return flat
