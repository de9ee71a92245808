"""Checks of single values: each returns a Russian problem or None (never echoing a
secret)."""

from __future__ import annotations

import ipaddress
import math
import urllib.parse
from typing import Any


def positive(value: float) -> str | None:
    return None if value > 0 and math.isfinite(value) else "нужно положительное число"


def at_least_one(value: float) -> str | None:
    return None if value >= 1 and math.isfinite(value) else "нужно число не меньше 1"


def url(value: str) -> str | None:
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        return "адрес должен начинаться с http:// или https://"
    try:
        host = urllib.parse.urlsplit(value).hostname
    except ValueError:
        host = None
    return None if host else "в адресе нет имени или IP-адреса процессинга"


def is_loopback_url(url: str) -> bool:
    """True for a URL whose host is this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def header_value(value: str) -> str | None:
    # Never echoes the value: this is the token.
    if all("\x21" <= ch <= "\x7e" for ch in value):
        return None
    return "processing.token содержит недопустимые символы (пробел, перевод строки, не-ASCII)"


def auth_scheme(value: str) -> str | None:
    if value == "" or (value.isascii() and value.isalpha()):
        return None
    return "processing.auth_scheme — только латинские буквы (например, Bearer)"


def commission_problem(value: list[Any]) -> str | None:
    if not all(isinstance(item, dict) for item in value):
        return "нужен список таблиц [[commission.rules]]"
    return None


def cashiers_problem(value: list[Any]) -> str | None:
    if not all(isinstance(item, dict) for item in value):
        return "нужен список таблиц [[cashiers.list]] с name и pin"
    return None


def log_level(value: str) -> str | None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if value.upper() in levels else f"одно из: {', '.join(levels)}"


def printer_kind(value: str) -> str | None:
    kinds = ("none", "network", "usb", "serial", "file")
    return None if value in kinds else f"одно из: {', '.join(kinds)}"


def text_lines(value: list[Any]) -> str | None:
    return None if all(isinstance(item, str) for item in value) else "нужен список строк"


def pairs_problem(value: list[Any]) -> str | None:
    if not all(isinstance(item, str) and "=" in item for item in value):
        return "нужен список строк «наше=их»"
    return None


def customer_display(value: str) -> str | None:
    if value in ("off", "window") or (value.startswith("screen:")
                                      and value[len("screen:"):].isdigit()):
        return None
    return "off, window или screen:N (N — номер экрана, с 1)"
