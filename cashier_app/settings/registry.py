"""The registry: every setting declared once, typed, with its environment variable, its
check and (for a list of tables) its one conversion into typed values; the value kinds and how
text from a file or the environment becomes each."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cashier_app.errors import UserFacingError

T = TypeVar("T")


class ConfigError(UserFacingError):
    """A configuration problem; ``str()`` is a Russian message naming the file and key."""


@dataclass(frozen=True, eq=False)  # identity: a setting is a key of override mappings
class Setting(Generic[T]):
    key: str
    kind: type
    default: T
    env: str
    description: str
    secret: bool = False
    check: Callable[[T], str | None] | None = None  # returns a problem or None
    #: A list setting's one conversion into typed values (commission rules, cashiers),
    #: done once at load; ValueError with a Russian message for a bad entry.
    convert: Callable[[T], Any] | None = None


REGISTRY: dict[str, Setting[Any]] = {}


def declare(setting: Setting[T]) -> Setting[T]:
    if setting.key in REGISTRY:
        raise RuntimeError(f"setting {setting.key} declared twice")
    if any(other.env == setting.env for other in REGISTRY.values()):
        raise RuntimeError(f"environment variable {setting.env} used twice")
    REGISTRY[setting.key] = setting
    return setting


_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"0", "false", "no", "off", "нет"}


def coerce(setting: Setting[Any], value: object, *, from_env: bool) -> Any:
    kind = setting.kind
    if kind is bool:
        if isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("нужно true или false")
    if kind is float:
        if isinstance(value, bool):
            raise ValueError("нужно число")
        if isinstance(value, int | float):
            return float(value)
        if from_env and isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                raise ValueError("нужно число") from None
        raise ValueError("нужно число")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise ValueError("нужно целое число")
    if kind is list:
        if from_env and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError("нужен JSON-список") from None
        if isinstance(value, list):
            return value
        raise ValueError("нужен список")
    if kind is dict:
        if from_env and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError("нужен JSON-объект") from None
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return {str(k): v.strip() for k, v in value.items()}
        raise ValueError("нужна таблица «имя = \"значение\"» (в переменной — JSON-объект)")
    if kind is str:
        if isinstance(value, str):
            return value.strip()
        raise ValueError("нужна строка в кавычках")
    raise RuntimeError(f"unsupported setting type {kind}")
