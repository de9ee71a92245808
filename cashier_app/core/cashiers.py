"""Cashiers, their roles and PINs. A PIN is stored only as a salted PBKDF2 hash; no Qt, no I/O.

Roles: a *cashier* takes payments; a *supervisor* (старший кассир) also opens the journal,
shifts, reconciliation and agent balance screens, reprints and voids; an *administrator*
can do all that and is the one who may change settings.

The stored form is ``pbkdf2_sha256$<iterations>$<salt, base64>$<hash, base64>`` (the layout
Django and passlib use), so a hash made by ``cashier-app pin-hash`` can be pasted into the
settings file and checked here with a constant-time comparison.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cashier_app.errors import UserFacingError

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 120_000
PIN_MIN, PIN_MAX = 4, 12


class PinError(UserFacingError, ValueError):
    """A PIN of the wrong shape; ``str()`` is Russian."""


def check_pin_shape(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit()) or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinError(f"PIN — от {PIN_MIN} до {PIN_MAX} цифр")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    check_pin_shape(pin)
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, bytes, bytes]:
    try:
        algorithm, iterations, salt, digest = stored.split("$")
        if algorithm != ALGORITHM or int(iterations) < 1:
            raise ValueError(stored)
        return int(iterations), base64.b64decode(salt, validate=True), base64.b64decode(
            digest, validate=True)
    except (ValueError, TypeError):
        raise ValueError("не хэш PIN (ожидается pbkdf2_sha256$…, см. cashier-app pin-hash)"
                         ) from None


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; a malformed hash never matches."""
    try:
        iterations, salt, expected = _parse(stored)
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def russian(self) -> str:
        return ROLE_TITLES[self]

    @property
    def supervises(self) -> bool:
        """May open the supervisor screens and act there."""
        return self in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def administers(self) -> bool:
        """May change settings."""
        return self is Role.ADMIN


ROLE_TITLES = {Role.CASHIER: "кассир", Role.SUPERVISOR: "старший кассир",
               Role.ADMIN: "администратор"}


@dataclass(frozen=True)
class Cashier:
    name: str
    pin_hash: str
    role: Role = Role.CASHIER

    def verify(self, pin: str) -> bool:
        return verify_pin(pin, self.pin_hash)


def cashiers_from(raw: Sequence[Mapping[str, object]]) -> list[Cashier]:
    """Cashiers from settings (``[[cashiers.list]]`` tables with ``name``, ``pin`` — the
    hash — and optionally ``role``: cashier, supervisor or admin); ValueError with a Russian
    message."""
    cashiers: list[Cashier] = []
    for index, item in enumerate(raw):
        where = f"кассир №{index + 1}"
        unknown = set(item) - {"name", "pin", "role"}
        if unknown:
            raise ValueError(f"{where}: неизвестные поля {sorted(unknown)}")
        name, pin = item.get("name"), item.get("pin")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: name — имя кассира")
        if not isinstance(pin, str):
            raise ValueError(f"{where} ({name}): pin — хэш PIN из cashier-app pin-hash")
        try:
            _parse(pin)
        except ValueError as error:
            raise ValueError(f"{where} ({name}): pin — {error}") from None
        if any(c.name == name.strip() for c in cashiers):
            raise ValueError(f"{where}: имя {name} повторяется")
        role = item.get("role", "cashier")
        if role not in set(Role):
            raise ValueError(f"{where} ({name}): role — cashier, supervisor или admin, "
                             f"а не {role!r}")
        cashiers.append(Cashier(name.strip(), pin, Role(str(role))))
    return cashiers
