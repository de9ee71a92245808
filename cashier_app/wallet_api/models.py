"""Typed answers of the e-wallet API (seed 002 §4.2), each parsed strictly.

An answer is believed only when it is the shape the seed draws: a missing field, a walletId
that is not a UUID, an amount that is not a JSON number with at most two decimals, a date in
another format — any of these makes the whole answer :class:`WalletNoAnswer` (``bad_answer``),
never a half-filled model and never an exception of another type. For a payment that matters:
a «success» we cannot read is not a success, and the caller reconciles it.

Every answer keeps ``raw``, the decoded JSON as received (numbers as Decimal), for the journal.
Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from cashier_app.core.money import CENT, MAX_AMOUNT
from cashier_app.core.text import money

from .errors import WalletInputError, WalletNoAnswer, clean_message
from .requests import LIMIT_TYPES

__all__ = [
    "OPERATION_TYPES",
    "REPORT_MAX_SIZE",
    "Bank",
    "Identification",
    "Limits",
    "Operation",
    "OperationLimit",
    "PaymentToken",
    "Refill",
    "Registered",
    "ReportFilter",
    "ReportPage",
    "WalletInfo",
    "Withdrawal",
]

#: Seed 002 §4.2.5: «Максимально возможный размер страницы = 100».
REPORT_MAX_SIZE = 100
OPERATION_TYPES = ("PAYMENT", "CREDIT", "DEBIT", "REFUND")
#: Report filters (a request): the seed's ``ГГГГ-ММ-ДД ЧЧ-ММ-СС``, dashes in the time too.
FILTER_DATE_FORMAT = "%Y-%m-%d %H-%M-%S"
#: ``operationDate`` in answers: ``ГГГГ-ММ-ДД ЧЧ:ММ:СС``.
ANSWER_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_ANSWER_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}[:-]\d{2}[:-]\d{2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_BIC = re.compile(r"[0-9]{9}")
MAX_TEXT = 2000


class Identification(enum.IntEnum):
    """The identification level: the number on the wire of requests (registration, the path
    of ``/identification/{0|1|2}``), the name in answers."""

    ELEMENTARY = 0
    PERSONALIZED = 1
    IDENTIFIED = 2

    @property
    def title(self) -> str:
        return _TITLES[self]

    @classmethod
    def of(cls, value: object) -> Identification:
        """From the wire: a name (``PERSONALIZED``) or a number 0..2; ValueError otherwise."""
        if isinstance(value, str) and value in cls.__members__:
            return cls[value]
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1, 2):
            return cls(value)
        raise ValueError(f"not an identification level: {value!r}")


_TITLES = {
    Identification.ELEMENTARY: "не идентифицирован",
    Identification.PERSONALIZED: "упрощённая идентификация (УПРИД)",
    Identification.IDENTIFIED: "полностью идентифицирован",
}


# --- the readers: each raises WalletNoAnswer naming what was wrong ---------------------------

def bad(what: str) -> WalletNoAnswer:
    return WalletNoAnswer("bad_answer", f"Сервис кошельков прислал непонятный ответ: {what}")


def _object(data: object, what: str = "ответ") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise bad(f"{what} — не объект JSON")
    return data


def _uuid(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise bad(f"{key} — не UUID")
    return value.lower()


def _text(data: Mapping[str, Any], key: str, *, required: bool = True,
          numbers: bool = False) -> str | None:
    value = data.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise bad(f"нет поля {key}")
        return None
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > MAX_TEXT:
        raise bad(f"{key} — не текст")
    return value


def _amount(value: object, key: str, *, signed: bool = False) -> Decimal:
    """A JSON number (decoded as Decimal or int) with at most two decimals, within range."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise bad(f"{key} — не число")
    if isinstance(value, int) and not -10**15 < value < 10**15:
        raise bad(f"{key} — вне допустимого диапазона")
    amount = Decimal(value)
    if not amount.is_finite() or amount.copy_abs() > MAX_AMOUNT:
        raise bad(f"{key} — вне допустимого диапазона")
    if amount != amount.quantize(CENT):
        raise bad(f"{key} — больше двух знаков после запятой")
    if amount < 0 and not signed:
        raise bad(f"{key} — отрицательная сумма")
    return amount.quantize(CENT)


def _optional_amount(data: Mapping[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    return None if value is None else _amount(value, key)


def _count(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**12:
        raise bad(f"{key} — не целое неотрицательное число")
    return value


def _answer_date(value: object) -> datetime:
    """``ГГГГ-ММ-ДД ЧЧ:ММ:СС``; also read with dashes in the time (the request's format) or a
    ``T`` — one server formatter for both directions is a likely slip, and the moment is the
    same."""
    if not isinstance(value, str) or not _ANSWER_DATE.fullmatch(value):
        raise bad("operationDate — не дата ГГГГ-ММ-ДД ЧЧ:ММ:СС")
    try:
        return datetime.strptime(f"{value[:10]} {value[11:13]}:{value[14:16]}:{value[17:19]}",
                                 ANSWER_DATE_FORMAT)
    except ValueError:
        raise bad("operationDate — несуществующая дата") from None


def named_wallet(data: object) -> str:
    """The ``walletId`` of an answer that is only that (deactivation)."""
    return _uuid(_object(data), "walletId")


def _level_name(data: Mapping[str, Any]) -> str:
    try:
        return Identification.of(data.get("identification")).name
    except ValueError:
        raise bad("identification — не ELEMENTARY, PERSONALIZED или IDENTIFIED") from None


# --- the answers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Registered:
    """Registration and identification (§4.2.1, §4.2.4): the wallet and its level's name."""

    wallet_id: str
    identification: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def level(self) -> Identification:
        return Identification[self.identification]

    @classmethod
    def parse(cls, data: object) -> Registered:
        body = _object(data)
        return cls(_uuid(body, "walletId"), _level_name(body), body)


@dataclass(frozen=True)
class WalletInfo:
    """§4.2.2. ``identification``: the level's name where the service says it (ours does; the
    seed does not list it), else None."""

    number: str
    balance: Decimal
    status: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    identification: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    @classmethod
    def parse(cls, data: object) -> WalletInfo:
        body = _object(data)
        number = _text(body, "number", numbers=True)
        status = _text(body, "status")
        assert number is not None and status is not None
        level = _level_name(body) if body.get("identification") is not None else None
        return cls(number, _amount(body.get("balance"), "balance"), status, body, level)


@dataclass(frozen=True)
class Operation:
    """One line of the report (§4.2.5). The payee is ``tcp`` in the seed's report table and
    ``tsp`` in its payment request: either key is read (``tsp`` first)."""

    operation_type: str
    description: str
    operation_date: datetime
    amount: Decimal
    formatted_amount: str
    tsp: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Operation:
        body = _object(data, "операция отчёта")
        kind = _text(body, "operationType")
        assert kind is not None
        amount = _amount(body.get("amount"), "amount", signed=True)
        description = _text(body, "description", required=False) or ""
        formatted = _text(body, "formattedAmount", required=False) or money(amount)
        payee = body.get("tsp") if body.get("tsp") is not None else body.get("tcp")
        if payee is not None and not isinstance(payee, str):
            raise bad("tsp — не текст")
        return cls(kind, clean_message(description, MAX_TEXT), _answer_date(
            body.get("operationDate")), amount, clean_message(formatted), payee, body)


@dataclass(frozen=True)
class ReportFilter:
    """The report's query (§4.2.5). Checked when made: a page size over 100 or a bad type is
    refused before anything is sent."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    operation_type: str | None = None
    amount_from: Decimal | None = None
    amount_to: Decimal | None = None
    page: int = 0
    size: int = 20

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) \
                or not 1 <= self.size <= REPORT_MAX_SIZE:
            raise WalletInputError("size", f"Размер страницы отчёта — от 1 до {REPORT_MAX_SIZE}")
        if isinstance(self.page, bool) or not isinstance(self.page, int) or self.page < 0:
            raise WalletInputError("page", "Номер страницы отчёта — целое число от 0")
        if self.operation_type is not None and self.operation_type not in OPERATION_TYPES:
            raise WalletInputError("operationType",
                                   f"Тип операции — один из {', '.join(OPERATION_TYPES)}")
        for name in ("amount_from", "amount_to"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, Decimal)
                                      or not value.is_finite() or value < 0
                                      or value != value.quantize(CENT)):
                raise WalletInputError(name, "Сумма фильтра — не меньше нуля, до двух знаков")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise WalletInputError("dateFrom", "Начало периода позже его конца")
        if self.amount_from is not None and self.amount_to is not None \
                and self.amount_from > self.amount_to:
            raise WalletInputError("amountFrom", "Сумма «от» больше суммы «до»")

    def query(self) -> dict[str, str]:
        """The query parameters, in the seed's order, only those set (page and size always)."""
        params: dict[str, str] = {}
        if self.date_from is not None:
            params["dateFrom"] = self.date_from.strftime(FILTER_DATE_FORMAT)
        if self.date_to is not None:
            params["dateTo"] = self.date_to.strftime(FILTER_DATE_FORMAT)
        if self.operation_type is not None:
            params["operationType"] = self.operation_type
        if self.amount_from is not None:
            params["amountFrom"] = format(self.amount_from.quantize(CENT), "f")
        if self.amount_to is not None:
            params["amountTo"] = format(self.amount_to.quantize(CENT), "f")
        params["page"] = str(self.page)
        params["size"] = str(self.size)
        return params


@dataclass(frozen=True)
class ReportPage:
    """``{content, page, size, totalElements}``. ``page``/``size`` missing from the answer are
    the requested ones (Spring names the page ``number``: read too); ``total`` is None when
    the service does not say."""

    content: tuple[Operation, ...]
    page: int
    size: int
    total: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object, requested: ReportFilter | None = None) -> ReportPage:
        body = _object(data)
        content = body.get("content")
        if not isinstance(content, list):
            raise bad("content — не список операций")
        asked = requested or ReportFilter()
        page = body.get("page", body.get("number", asked.page))
        size = body.get("size", asked.size)
        total = body.get("totalElements")
        return cls(tuple(Operation.parse(item) for item in content), _count(page, "page"),
                   _count(size, "size"), None if total is None else _count(
                       total, "totalElements"), body)


@dataclass(frozen=True)
class Refill:
    """§4.2.6: nothing is credited yet; ``payload`` is the СБП link the person pays in their
    bank's app (shown as a QR)."""

    amount: Decimal
    payload: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Refill:
        body = _object(data)
        payload = _text(body, "payload")
        assert payload is not None
        if not payload.lower().startswith(("https://", "http://")) or any(
                ord(ch) <= 32 or ord(ch) == 127 for ch in payload):
            raise bad("payload — не ссылка СБП")
        return cls(_amount(body.get("amount"), "amount"), payload, body)


@dataclass(frozen=True)
class PaymentToken:
    """§4.2.7: the answer of both payment initialization and payment."""

    wallet_id: str
    token: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> PaymentToken:
        body = _object(data)
        return cls(_uuid(body, "walletId"), _uuid(body, "token"), body)


@dataclass(frozen=True)
class Withdrawal:
    """§4.2.8 does not describe the answer; ours is ``{walletId, bankIdentifier, amount}``.
    Any JSON object (or an empty body) on HTTP 200 is an accepted withdrawal; ``amount`` is
    None when it is not there or not readable."""

    amount: Decimal | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Withdrawal:
        body = _object(data) if data is not None else MappingProxyType({})
        try:
            amount = _optional_amount(body, "amount")
        except WalletNoAnswer:
            amount = None
        return cls(amount, body)


@dataclass(frozen=True)
class Bank:
    """One bank of ``GET …/wifhdrawal/banks``. ``bic`` is nine digits when given."""

    bank_identifier: str
    name: str
    original_name: str
    bic: str
    logo_url: str

    @classmethod
    def parse(cls, data: object) -> Bank:
        body = _object(data, "банк")
        identifier = _text(body, "bankIdentifier", numbers=True)
        name = _text(body, "name")
        assert identifier is not None and name is not None
        bic = _text(body, "bic", required=False, numbers=True) or ""
        if bic and not _BIC.fullmatch(bic):
            raise bad("bic — не 9 цифр")
        return cls(identifier, clean_message(name), clean_message(
            _text(body, "originalName", required=False) or name),
            bic, _text(body, "logoUrl", required=False) or "")

    @staticmethod
    def parse_list(data: object) -> tuple[Bank, ...]:
        """``{banks: [...]}`` (the seed's «Объект со списком»), or the bare list."""
        items = data.get("banks") if isinstance(data, Mapping) else data
        if not isinstance(items, list):
            raise bad("banks — не список банков")
        return tuple(Bank.parse(item) for item in items)


@dataclass(frozen=True)
class OperationLimit:
    """The limits of one operation type; None = no limit."""

    operation_type: str
    one_time: Decimal | None
    month: Decimal | None
    enabled: bool

    @classmethod
    def parse(cls, data: object, key: str | None = None) -> OperationLimit:
        body = _object(data, "лимит операции")
        kind = body.get("operationType", key)
        if kind is None or not isinstance(kind, str) or (key is not None and kind != key):
            raise bad("operationType лимита не совпадает с его ключом")
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise bad("enabled — не true/false")
        return cls(kind, _optional_amount(body, "oneTimeLimit"),
                   _optional_amount(body, "monthLimit"), enabled)


@dataclass(frozen=True)
class Limits:
    """§4.2.9: ``operationLimits`` keyed by type (each value with its ``operationType``), or
    a list of such values; ``balanceLimit``."""

    operations: Mapping[str, OperationLimit]
    balance_limit: Decimal | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Limits:
        body = _object(data)
        given = body.get("operationLimits")
        items: list[OperationLimit]
        if isinstance(given, Mapping):
            items = [OperationLimit.parse(value, key) for key, value in given.items()]
        elif isinstance(given, list):
            items = [OperationLimit.parse(value) for value in given]
        else:
            raise bad("operationLimits — не объект лимитов")
        operations = {item.operation_type: item for item in items}
        if len(operations) != len(items):
            raise bad("тип операции в лимитах повторяется")
        unknown = set(operations) - set(LIMIT_TYPES) - {"REFUND"}
        if unknown:
            raise bad(f"неизвестный тип операции в лимитах: {sorted(unknown)[0][:40]}")
        return cls(MappingProxyType(operations), _optional_amount(body, "balanceLimit"), body)
