"""Request bodies of the e-wallet API as the exact bytes to send, and the checks of what a
person typed before anything is sent.

The bodies of money operations (refill, payment, withdrawal) are built once, journaled, and
sent unchanged on every repeat: so they are bytes, keys in the seed's order, amounts as JSON
numbers with exactly two decimals (``500.00``, :func:`cashier_app.core.wire.encode_body`).
An amount becomes a wire amount in one place, :func:`wallet_amount`.

Every builder checks its input and raises :class:`WalletInputError` (with the field's wire
name and a Russian sentence) instead of building a body the service would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cashier_app.core.money import CENT, MAX_AMOUNT, AmountError, parse_user_amount
from cashier_app.core.wire import encode_body

from .errors import WalletInputError

__all__ = [
    "LIMIT_TYPES",
    "check_amount",
    "check_phone",
    "check_tsp",
    "check_uuid",
    "limits_body",
    "payment_body",
    "refill_body",
    "registration_body",
    "wallet_amount",
    "withdrawal_body",
]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# What a person types around a phone number: spaces, dashes, brackets, dots.
_PHONE_NOISE = re.compile(r"[\s\-().\u00a0\u2010-\u2015]")
_TEN_DIGITS = re.compile(r"[0-9]{10}")
#: Money as a person writes it: ASCII digits, one separator, two decimals — not ``1e3``,
#: ``1_000``, ``+5`` or other scripts' digits, which Decimal would all take.
_WRITTEN_AMOUNT = re.compile(r"[0-9]{1,15}(?:[.,][0-9]{1,2})?")
PHONE_TEXT = "Номер телефона — 10 цифр без +7 и 8, например 9051234567"
#: Operation types whose limits a partner may set (seed 002 §4.2.10).
LIMIT_TYPES = ("CREDIT", "DEBIT", "PAYMENT")
MAX_TSP = 255
_UUID_WHAT = {"walletId": "кошелька", "token": "операции"}


def check_phone(text: str) -> str:
    """Ten digits, as the seed wants (§4.2.1), from what a person typed: ``+7 905 123-45-67``,
    ``8 (905) 1234567`` and ``9051234567`` are all ``9051234567``. Only ASCII digits count:
    ``str.isdigit`` would take Arabic-Indic or full-width digits the service cannot read."""
    if not isinstance(text, str):
        raise WalletInputError("phone", PHONE_TEXT)
    compact = _PHONE_NOISE.sub("", text)
    if compact.startswith("+7"):
        compact = compact[2:]
    elif len(compact) == 11 and compact[:1] in ("7", "8"):
        compact = compact[1:]
    if not _TEN_DIGITS.fullmatch(compact):
        raise WalletInputError("phone", PHONE_TEXT)
    return compact


def check_uuid(text: str, what: str) -> str:
    """A UUID in its usual 8-4-4-4-12 form, lower-cased (``what``: the wire name, ``walletId``
    or ``token``). Also guards the path: a walletId goes into the URL."""
    if not isinstance(text, str) or not _UUID.fullmatch(text.strip()):
        name = _UUID_WHAT.get(what, what)
        raise WalletInputError(what, f"Идентификатор {name} должен быть UUID вида "
                                     "123e4567-e89b-12d3-a456-426614174000")
    return text.strip().lower()


def wallet_amount(amount: Decimal) -> Decimal:
    """The one conversion of money to the wallet wire: a positive Decimal with at most two
    decimals, as a Decimal quantized to kopecks (the encoder prints it ``500.00``)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise WalletInputError("amount", "Сумма должна быть числом (Decimal), не float")
    value = Decimal(amount)
    if not value.is_finite():
        raise WalletInputError("amount", "Сумма должна быть числом")
    if value <= 0:
        raise WalletInputError("amount", "Сумма должна быть больше нуля")
    if value > MAX_AMOUNT:
        raise WalletInputError("amount", "Слишком большая сумма")
    if value != value.quantize(CENT):
        raise WalletInputError("amount", "В сумме не больше двух знаков после запятой")
    return value.quantize(CENT)


def check_amount(value: str | Decimal | int) -> Decimal:
    """An amount typed by a person (``500``, ``500,50``, ``1 000.00``) or given as a Decimal:
    positive, at most two decimals."""
    if isinstance(value, str):
        compact = value.strip().replace("\u00a0", "").replace(" ", "")
        if not _WRITTEN_AMOUNT.fullmatch(compact):
            raise WalletInputError("amount", "Сумма — цифрами, например 500 или 500,50")
        try:
            value = parse_user_amount(compact)
        except AmountError as error:
            raise WalletInputError("amount", str(error)) from None
    return wallet_amount(value)  # type: ignore[arg-type]  # float is refused inside


def check_tsp(tsp: str) -> str:
    """The payee's identifier (seed: «Формат: текстовый»): non-empty, one line, bounded."""
    if not isinstance(tsp, str) or not tsp.strip():
        raise WalletInputError("tsp", "Не указан получатель платежа (ТСП)")
    if len(tsp) > MAX_TSP or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in tsp):
        raise WalletInputError("tsp", "Идентификатор получателя платежа (ТСП) недопустим")
    return tsp


def _identification(level: object) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in (0, 1, 2):
        raise WalletInputError("identification",
                               "Уровень идентификации — 0, 1 или 2")
    return level


def registration_body(phone: str, identification: int | None) -> bytes:
    """``{"phone":"9051234567","identification":1}``; without ``identification`` when None
    (the seed marks it optional: the service then opens an ELEMENTARY wallet)."""
    body: dict[str, Any] = {"phone": check_phone(phone)}
    if identification is not None:
        body["identification"] = _identification(identification)
    return encode_body(body)


def refill_body(amount: Decimal) -> bytes:
    """``{"amount":500.00}``."""
    return encode_body({"amount": wallet_amount(amount)})


def payment_body(wallet_id: str, token: str, amount: Decimal, tsp: str) -> bytes:
    """``{"walletId":…,"token":…,"amount":500.00,"tsp":…}`` — the seed's order (§4.2.7)."""
    return encode_body({"walletId": check_uuid(wallet_id, "walletId"),
                        "token": check_uuid(token, "token"),
                        "amount": wallet_amount(amount),
                        "tsp": check_tsp(tsp)})


def withdrawal_body(bank_identifier: str, amount: Decimal) -> bytes:
    """``{"bankIdentifier":"…","amount":500.00}``; the identifier is sent as the text the
    bank list gave (a number there becomes its digits)."""
    if not isinstance(bank_identifier, str) or not bank_identifier.strip() or len(
            bank_identifier) > 64:
        raise WalletInputError("bankIdentifier", "Не выбран банк для вывода")
    return encode_body({"bankIdentifier": bank_identifier.strip(),
                        "amount": wallet_amount(amount)})


# The keys a caller may use for each limit: the wire's or the model's (OperationLimit).
_LIMIT_KEYS = {"oneTimeLimit": "oneTimeLimit", "one_time": "oneTimeLimit",
               "monthLimit": "monthLimit", "month": "monthLimit", "enabled": "enabled"}


def _limit_value(operation: str, key: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise WalletInputError(key, f"Лимит {operation}: нужна сумма (Decimal)")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT \
            or amount != amount.quantize(CENT):
        raise WalletInputError(key, f"Лимит {operation}: сумма не меньше нуля, не больше двух "
                                    "знаков после запятой")
    return amount.quantize(CENT)


def limits_body(changes: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The new limits of some operation types, as seed 002 §4.2.10 draws them: an object
    ``operationLimits`` keyed by type, each value carrying its ``operationType`` too::

        {"operationLimits":{"PAYMENT":{"operationType":"PAYMENT","oneTimeLimit":1000.00,
                                        "monthLimit":5000.00,"enabled":true}}}

    ``changes``: type → ``{oneTimeLimit|one_time, monthLimit|month, enabled}``; a key not
    given is not sent (the service keeps that value). A limit is a Decimal ≥ 0; None is not
    a limit a partner can set (it would mean «no limit», above any system value)."""
    if not changes:
        raise WalletInputError("operationLimits", "Не указано, какие лимиты изменить")
    out: dict[str, Any] = {}
    for operation, given in changes.items():
        if operation not in LIMIT_TYPES:
            raise WalletInputError("operationType", f"Тип операции {operation!r} — один из "
                                                    f"{', '.join(LIMIT_TYPES)}")
        item: dict[str, Any] = {"operationType": operation}
        wire: dict[str, Any] = {}
        for key, value in given.items():
            name = _LIMIT_KEYS.get(key)
            if name is None:
                raise WalletInputError(key, f"Неизвестное поле лимита: {key}")
            if name == "enabled":
                if not isinstance(value, bool):
                    raise WalletInputError(key, "Доступность операции — да или нет")
                wire[name] = value
            else:
                wire[name] = _limit_value(operation, name, value)
        for name in ("oneTimeLimit", "monthLimit", "enabled"):
            if name in wire:
                item[name] = wire[name]
        out[operation] = item
    return encode_body({"operationLimits": out})
