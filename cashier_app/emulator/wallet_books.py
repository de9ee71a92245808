"""The e-wallet service's books for the emulator (seed 002): wallets, balances, operations,
limits by identification level, payment tokens, СБП refills. Pure logic behind one lock; the
HTTP side is :mod:`.wallet`.

Each method takes the request as decoded JSON and returns ``(status, answer)`` or raises
:class:`WalletProblem` (a 400/403 with ``{code, message, fieldErrors}``). What matters for the
tests of the program is what a real service must guarantee: a payment token debits once
whatever is resent; a refill is credited only when the person's bank pays it, and once; a
withdrawal has no idempotency key (each accepted POST is a new one — the program reconciles
through the report); money never goes below zero or above a limit.

The default limits follow 161-ФЗ art. 10 for each level (balance, one operation, a month's
turnover per type CREDIT/PAYMENT/DEBIT); IDENTIFIED has no month limit.
"""

from __future__ import annotations

import binascii
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.core.money import CENT
from cashier_app.core.text import money

LEVELS = ("ELEMENTARY", "PERSONALIZED", "IDENTIFIED")
LIMIT_TYPES = ("CREDIT", "PAYMENT", "DEBIT")
REPORT_TYPES = ("PAYMENT", "CREDIT", "DEBIT", "REFUND")
FILTER_DATE = "%Y-%m-%d %H-%M-%S"
ANSWER_DATE = "%Y-%m-%d %H:%M:%S"
#: level → balance, one operation, a month per type (None: no limit).
DEFAULT_LIMITS: Mapping[str, Mapping[str, Decimal | None]] = {
    "ELEMENTARY": {"balance": Decimal("15000.00"), "oneTime": Decimal("15000.00"),
                   "month": Decimal("40000.00")},
    "PERSONALIZED": {"balance": Decimal("60000.00"), "oneTime": Decimal("60000.00"),
                     "month": Decimal("200000.00")},
    "IDENTIFIED": {"balance": Decimal("600000.00"), "oneTime": Decimal("600000.00"),
                   "month": None},
}
BANKS: tuple[Mapping[str, str], ...] = (
    {"bankIdentifier": "100000000004", "name": "Т-Банк", "originalName": "АО «ТБанк»",
     "bic": "044525974", "logoUrl": "https://wallet.dev.vseplatezhi.ru/logo/tbank.png"},
    {"bankIdentifier": "100000000111", "name": "Сбербанк", "originalName": "ПАО Сбербанк",
     "bic": "044525225", "logoUrl": "https://wallet.dev.vseplatezhi.ru/logo/sber.png"},
    {"bankIdentifier": "100000000005", "name": "ВТБ", "originalName": "Банк ВТБ (ПАО)",
     "bic": "044525187", "logoUrl": "https://wallet.dev.vseplatezhi.ru/logo/vtb.png"},
    {"bankIdentifier": "100000000008", "name": "Альфа-Банк", "originalName": "АО «Альфа-Банк»",
     "bic": "044525593", "logoUrl": "https://wallet.dev.vseplatezhi.ru/logo/alfa.png"},
    {"bankIdentifier": "100000000007", "name": "Райффайзенбанк",
     "originalName": "АО «Райффайзенбанк»", "bic": "044525700",
     "logoUrl": "https://wallet.dev.vseplatezhi.ru/logo/raif.png"},
)
SBP_BANK = "100000000001"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PAYMENT_TOKEN_TTL = 15 * 60.0


class WalletProblem(Exception):
    """An error answer: HTTP ``status`` with ``{code, message, fieldErrors}`` (``code`` None:
    an empty body, as the seed's «Пустой ответ с HTTP-кодом 400»)."""

    def __init__(self, status: int, code: str | None, message: str = "",
                 field_errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field_errors = dict(field_errors or {})

    def body(self) -> dict[str, Any] | None:
        if self.code is None:
            return None
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field_errors:
            out["fieldErrors"] = self.field_errors
        return out


def field_error(name: str, text: str) -> WalletProblem:
    return WalletProblem(400, "VALIDATION_ERROR", "Ошибка в параметрах запроса", {name: text})


def _amount(value: object, name: str = "amount") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise field_error(name, "Сумма — число в рублях, например 500.00")
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT) \
            or amount > Decimal("999999999999.99"):
        raise field_error(name, "Сумма — больше нуля, не больше двух знаков после точки")
    return amount.quantize(CENT)


@dataclass
class Operation:
    seq: int
    type: str
    amount: Decimal
    date: datetime
    description: str
    tsp: str | None = None
    bank: str | None = None


@dataclass
class PayToken:
    wallet_id: str
    created: float
    used: tuple[Decimal, str] | None = None
    debits: int = 0


@dataclass
class Refill:
    refill_id: str
    wallet_id: str
    amount: Decimal
    created: float
    payload: str
    status: str = "PENDING"  # PENDING, CREDITED, EXPIRED, REJECTED
    credited: int = 0
    reason: str = ""


@dataclass
class Wallet:
    wallet_id: str
    partner: str
    phone: str
    number: str
    level: int = 0
    balance: Decimal = Decimal("0.00")
    status: str = "ACTIVE"
    #: the partner's own limits: type → {oneTime, month, enabled}
    custom: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)


class WalletBooks:
    """Every wallet of the emulated service. All public methods take the one lock."""

    def __init__(self, *, refill_ttl: float = 600.0,
                 limits: Mapping[str, Mapping[str, Any]] | None = None,
                 payment_token_ttl: float = PAYMENT_TOKEN_TTL,
                 clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.lock = threading.Lock()
        self.refill_ttl = refill_ttl
        self.payment_token_ttl = payment_token_ttl
        self._clock, self._now = clock, now
        self.system: dict[str, dict[str, Decimal | None]] = {
            level: dict(values) for level, values in DEFAULT_LIMITS.items()}
        for level, values in (limits or {}).items():
            if level not in self.system:
                raise ValueError(f"unknown identification level {level!r}; one of {LEVELS}")
            for key, value in values.items():
                if key not in ("balance", "oneTime", "month"):
                    raise ValueError(f"unknown limit {key!r}: balance, oneTime, month")
                self.system[level][key] = None if value is None else Decimal(str(value))
        self.wallets: dict[str, Wallet] = {}
        self.by_phone: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, PayToken] = {}
        self.refills: dict[str, Refill] = {}
        self._seq = 0

    # --- helpers (called under the lock) ------------------------------------------------------

    def _wallet(self, partner: str, wallet_id: str, *, active: bool = True) -> Wallet:
        wallet = self.wallets.get(wallet_id.lower())
        if wallet is None:
            raise WalletProblem(400, "WALLET_NOT_FOUND", "Кошелёк не найден")
        if wallet.partner != partner:
            raise WalletProblem(403, "FORBIDDEN", "Нет доступа к кошельку")
        if active and wallet.status != "ACTIVE":
            raise WalletProblem(400, "WALLET_CLOSED", "Кошелёк закрыт")
        return wallet

    def _limit(self, wallet: Wallet, kind: str) -> tuple[Decimal | None, Decimal | None, bool]:
        system = self.system[LEVELS[wallet.level]]
        one_time, month = system["oneTime"], system["month"]
        own = wallet.custom.get(kind, {})
        # the partner's own value, never above the system's (a level lowered later wins)
        if own.get("oneTime") is not None:
            one_time = own["oneTime"] if one_time is None else min(one_time, own["oneTime"])
        if own.get("month") is not None:
            month = own["month"] if month is None else min(month, own["month"])
        return one_time, month, bool(own.get("enabled", True))

    def _month_total(self, wallet: Wallet, kind: str) -> Decimal:
        today = self._now()
        return sum((op.amount for op in wallet.operations if op.type == kind
                    and (op.date.year, op.date.month) == (today.year, today.month)),
                   Decimal("0.00"))

    def _check(self, wallet: Wallet, kind: str, amount: Decimal) -> None:
        """Enabled, within one operation's and the month's limits, and (a credit) within the
        balance limit; (a debit) not more than the balance."""
        one_time, month, enabled = self._limit(wallet, kind)
        if not enabled:
            raise WalletProblem(400, "OPERATION_DISABLED",
                                f"Операции {kind} запрещены для этого кошелька")
        if one_time is not None and amount > one_time:
            raise WalletProblem(400, "LIMIT_EXCEEDED",
                                f"Превышен лимит одной операции {kind}: {money(one_time)}")
        if month is not None and self._month_total(wallet, kind) + amount > month:
            raise WalletProblem(400, "LIMIT_EXCEEDED",
                                f"Превышен месячный лимит операций {kind}: {money(month)}")
        if kind == "CREDIT":
            ceiling = self.system[LEVELS[wallet.level]]["balance"]
            if ceiling is not None and wallet.balance + amount > ceiling:
                raise WalletProblem(400, "LIMIT_EXCEEDED",
                                    f"Превышен лимит остатка кошелька: {money(ceiling)}")
        elif amount > wallet.balance:
            raise WalletProblem(400, "INSUFFICIENT_FUNDS",
                                f"Недостаточно средств: на кошельке {money(wallet.balance)}")

    def _add(self, wallet: Wallet, kind: str, amount: Decimal, description: str, *,
             tsp: str | None = None, bank: str | None = None) -> Operation:
        self._seq += 1
        operation = Operation(self._seq, kind, amount, self._now().replace(microsecond=0),
                              description, tsp, bank)
        wallet.operations.append(operation)
        wallet.balance += amount if kind in ("CREDIT", "REFUND") else -amount
        return operation

    def _expire(self) -> None:
        now = self._clock()
        for refill in self.refills.values():
            if refill.status == "PENDING" and now - refill.created > self.refill_ttl:
                refill.status = "EXPIRED"

    # --- the API ------------------------------------------------------------------------------

    def register(self, partner: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise WalletProblem(400, None)
        phone, level = body.get("phone"), body.get("identification", 0)
        if not isinstance(phone, str) or len(phone) != 10 or not phone.isascii() \
                or not phone.isdigit():
            raise field_error("phone", "Номер телефона — 10 цифр")
        if level is None:
            level = 0
        if isinstance(level, bool) or level not in (0, 1, 2):
            raise field_error("identification", "Статус идентификации — 0, 1 или 2")
        with self.lock:
            known = self.by_phone.get((partner, phone))
            if known is not None and self.wallets[known].status == "ACTIVE":
                wallet = self.wallets[known]  # idempotent per phone: the same wallet
            else:
                wallet = Wallet(str(uuid.uuid4()), partner, phone, self._number(), int(level))
                self.wallets[wallet.wallet_id] = wallet
                self.by_phone[(partner, phone)] = wallet.wallet_id
            return {"walletId": wallet.wallet_id, "identification": LEVELS[wallet.level]}

    def _number(self) -> str:
        while True:
            number = "7" + "".join(secrets.choice("0123456789") for _ in range(15))
            if all(w.number != number for w in self.wallets.values()):
                return number

    def info(self, partner: str, wallet_id: str) -> dict[str, Any]:
        with self.lock:
            wallet = self._wallet(partner, wallet_id, active=False)
            return {"number": wallet.number, "balance": wallet.balance,
                    "status": wallet.status, "identification": LEVELS[wallet.level]}

    def deactivate(self, partner: str, wallet_id: str) -> dict[str, Any]:
        with self.lock:
            wallet = self._wallet(partner, wallet_id, active=False)
            if wallet.status == "ACTIVE":
                if wallet.balance != 0:
                    raise WalletProblem(400, "BALANCE_NOT_ZERO",
                                        f"Закрыть можно только пустой кошелёк: на нём "
                                        f"{money(wallet.balance)}")
                wallet.status = "CLOSED"
            return {"walletId": wallet.wallet_id}

    def identify(self, partner: str, wallet_id: str, level_text: str) -> dict[str, Any]:
        if level_text not in ("0", "1", "2"):
            raise field_error("identification", "Статус идентификации — 0, 1 или 2")
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            wallet.level = int(level_text)
            return {"walletId": wallet.wallet_id, "identification": LEVELS[wallet.level]}

    def report(self, partner: str, wallet_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        date_from = _date(query.get("dateFrom"), "dateFrom")
        date_to = _date(query.get("dateTo"), "dateTo")
        kind = query.get("operationType")
        if kind is not None and kind not in REPORT_TYPES:
            raise field_error("operationType", f"Тип операции — один из {', '.join(REPORT_TYPES)}")
        low = _query_amount(query.get("amountFrom"), "amountFrom")
        high = _query_amount(query.get("amountTo"), "amountTo")
        page = _query_int(query.get("page", "0"), "page", 0, 10**9)
        size = _query_int(query.get("size", "20"), "size", 1, 100)
        with self.lock:
            wallet = self._wallet(partner, wallet_id, active=False)
            chosen = [op for op in wallet.operations
                      if (date_from is None or op.date >= date_from)
                      and (date_to is None or op.date <= date_to)
                      and (kind is None or op.type == kind)
                      and (low is None or op.amount >= low)
                      and (high is None or op.amount <= high)]
        chosen.sort(key=lambda op: (op.date, op.seq), reverse=True)
        lines = chosen[page * size:(page + 1) * size]
        return {"content": [{"operationType": op.type, "description": op.description,
                             "operationDate": op.date.strftime(ANSWER_DATE),
                             "amount": op.amount, "formattedAmount": money(op.amount),
                             "tsp": op.tsp} for op in lines],
                "page": page, "size": size, "totalElements": len(chosen)}

    def refill(self, partner: str, wallet_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise WalletProblem(400, None)
        amount = _amount(body.get("amount"))
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            self._check(wallet, "CREDIT", amount)  # pending refills are not counted here…
            refill_id = self._refill_id()
            crc_of = (f"https://qr.nspk.ru/{refill_id}?type=02&bank={SBP_BANK}"
                      f"&sum={int(amount * 100)}&cur=RUB&crc=")
            payload = crc_of + f"{binascii.crc_hqx(crc_of.encode(), 0xFFFF):04X}"
            self.refills[refill_id] = Refill(refill_id, wallet.wallet_id, amount,
                                             self._clock(), payload)
            return {"amount": amount, "payload": payload}

    def _refill_id(self) -> str:
        while True:
            refill_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))
            if refill_id not in self.refills:
                return refill_id

    def confirm_refill(self, refill_id_or_payload: str) -> tuple[bool, str]:
        """The person's bank paid the link: credit once (…but checked again here, at the
        moment the money would arrive). ``(credited now, what happened)``."""
        refill_id = refill_id_or_payload.rsplit("/", 1)[-1].split("?", 1)[0]
        with self.lock:
            self._expire()
            refill = self.refills.get(refill_id)
            if refill is None:
                return False, "Ссылка не найдена"
            if refill.status != "PENDING":
                return False, {"CREDITED": "Уже оплачено", "EXPIRED": "Срок ссылки истёк",
                               "REJECTED": refill.reason or "Отклонено"}.get(refill.status, "")
            wallet = self.wallets[refill.wallet_id]
            try:
                if wallet.status != "ACTIVE":
                    raise WalletProblem(400, "WALLET_CLOSED", "Кошелёк закрыт")
                self._check(wallet, "CREDIT", refill.amount)
            except WalletProblem as problem:
                refill.status, refill.reason = "REJECTED", problem.message
                return False, problem.message
            self._add(wallet, "CREDIT", refill.amount, "Пополнение через СБП")
            refill.status, refill.credited = "CREDITED", refill.credited + 1
            return True, "Зачислено"

    def refill_state(self, refill_id: str) -> dict[str, Any] | None:
        with self.lock:
            self._expire()
            refill = self.refills.get(refill_id)
            if refill is None:
                return None
            return {"refillId": refill.refill_id, "walletId": refill.wallet_id,
                    "amount": refill.amount, "status": refill.status, "payload": refill.payload}

    def initialize_payment(self, partner: str, wallet_id: str) -> dict[str, Any]:
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            token = str(uuid.uuid4())
            self.tokens[token] = PayToken(wallet.wallet_id, self._clock())
            return {"walletId": wallet.wallet_id, "token": token}

    def pay(self, partner: str, wallet_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise WalletProblem(400, None)
        if str(body.get("walletId", "")).lower() != wallet_id.lower():
            raise field_error("walletId", "walletId не совпадает с адресом запроса")
        token_text = body.get("token")
        if not isinstance(token_text, str):
            raise field_error("token", "Не указан токен операции")
        amount = _amount(body.get("amount"))
        tsp = body.get("tsp")
        if not isinstance(tsp, str) or not tsp.strip():
            raise field_error("tsp", "Не указан получатель (ТСП)")
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            token = self.tokens.get(token_text.lower())
            if token is None or token.wallet_id != wallet.wallet_id:
                raise field_error("token", "Неизвестный токен операции")
            answer = {"walletId": wallet.wallet_id, "token": token_text.lower()}
            if token.used is not None:
                if token.used == (amount, tsp):
                    return answer  # the same operation again: the same answer, no debit
                raise WalletProblem(400, "TOKEN_USED",
                                    "Токен уже использован для другой операции")
            if self._clock() - token.created > self.payment_token_ttl:
                raise WalletProblem(400, "TOKEN_EXPIRED", "Срок токена операции истёк",
                                    {"token": "Срок токена истёк: начните оплату заново"})
            self._check(wallet, "PAYMENT", amount)
            self._add(wallet, "PAYMENT", amount, f"Оплата: {tsp}", tsp=tsp)
            token.used, token.debits = (amount, tsp), token.debits + 1
            return answer

    def withdraw(self, partner: str, wallet_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise WalletProblem(400, None)
        bank_id = body.get("bankIdentifier")
        bank = next((b for b in BANKS if b["bankIdentifier"] == str(bank_id)), None)
        if bank is None:
            raise field_error("bankIdentifier", "Неизвестный банк")
        amount = _amount(body.get("amount"))
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            self._check(wallet, "DEBIT", amount)
            self._add(wallet, "DEBIT", amount, f"Вывод в {bank['name']}",
                      bank=bank["bankIdentifier"])
            return {"walletId": wallet.wallet_id, "bankIdentifier": bank["bankIdentifier"],
                    "amount": amount}

    def refund(self, wallet_id: str, amount: Decimal) -> dict[str, Any]:
        with self.lock:
            wallet = self.wallets.get(wallet_id.lower())
            if wallet is None:
                raise WalletProblem(400, "WALLET_NOT_FOUND", "Кошелёк не найден")
            self._add(wallet, "REFUND", _amount(amount), "Возврат")
            return {"ok": True, "balance": wallet.balance}

    def limits(self, partner: str, wallet_id: str) -> dict[str, Any]:
        with self.lock:
            return self._limits(self._wallet(partner, wallet_id, active=False))

    def _limits(self, wallet: Wallet) -> dict[str, Any]:
        operations: dict[str, Any] = {}
        for kind in LIMIT_TYPES:
            one_time, month, enabled = self._limit(wallet, kind)
            operations[kind] = {"operationType": kind, "oneTimeLimit": one_time,
                                "monthLimit": month, "enabled": enabled}
        return {"operationLimits": operations,
                "balanceLimit": self.system[LEVELS[wallet.level]]["balance"]}

    def set_limits(self, partner: str, wallet_id: str, body: Any) -> dict[str, Any]:
        """Lower a limit or disable a type; never above the system value. Takes the keyed
        object (ours, as GET answers) or a list of items with ``operationType``."""
        if not isinstance(body, dict):
            raise WalletProblem(400, None)
        given = body.get("operationLimits")
        if isinstance(given, dict):
            if any(not isinstance(v, dict) or v.get("operationType", k) != k
                   for k, v in given.items()):
                raise field_error("operationLimits", "operationType не совпадает с ключом")
            items = [{"operationType": k, **v} for k, v in given.items()]
        elif isinstance(given, list):
            items = given
        else:
            raise field_error("operationLimits", "Нужен объект лимитов по типам операций")
        changes: dict[str, dict[str, Any]] = {}
        for item in items:
            if not isinstance(item, dict) or item.get("operationType") not in LIMIT_TYPES:
                raise field_error("operationType", "Тип операции — CREDIT, DEBIT или PAYMENT")
            change: dict[str, Any] = {}
            for wire, key in (("oneTimeLimit", "oneTime"), ("monthLimit", "month")):
                if item.get(wire) is not None:
                    change[key] = _amount(item[wire], wire)
            if "enabled" in item:
                if not isinstance(item["enabled"], bool):
                    raise field_error("enabled", "enabled — true или false")
                change["enabled"] = item["enabled"]
            changes[item["operationType"]] = change
        with self.lock:
            wallet = self._wallet(partner, wallet_id)
            system = self.system[LEVELS[wallet.level]]
            for kind, change in changes.items():
                for key in ("oneTime", "month"):
                    ceiling = system[key]
                    if key in change and ceiling is not None and change[key] > ceiling:
                        raise WalletProblem(400, "LIMIT_ABOVE_SYSTEM",
                                            f"Лимит {kind} не может быть выше системного: "
                                            f"{money(ceiling)}")
            for kind, change in changes.items():
                wallet.custom.setdefault(kind, {}).update(change)
            return self._limits(wallet)

    # --- for tests ------------------------------------------------------------------------------

    def add_wallet(self, partner: str, phone: str, level: int = 0,
                   balance: Decimal = Decimal("0.00")) -> str:
        """A wallet made directly (another partner's, or one with money already on it)."""
        with self.lock:
            wallet = Wallet(str(uuid.uuid4()), partner, phone, self._number(), level)
            self.wallets[wallet.wallet_id] = wallet
            self.by_phone[(partner, phone)] = wallet.wallet_id
            if balance:
                self._add(wallet, "CREDIT", balance.quantize(CENT), "Начальный остаток")
            return wallet.wallet_id

    def books(self) -> dict[str, Any]:
        with self.lock:
            self._expire()
            out: dict[str, Any] = {}
            for wallet in self.wallets.values():
                tokens = {t: {"debits": p.debits, "amount": p.used[0] if p.used else None,
                              "tsp": p.used[1] if p.used else None}
                          for t, p in self.tokens.items() if p.wallet_id == wallet.wallet_id}
                refills = {r.refill_id: {"amount": r.amount, "status": r.status,
                                         "credited": r.credited}
                           for r in self.refills.values() if r.wallet_id == wallet.wallet_id}
                out[wallet.wallet_id] = {
                    "walletId": wallet.wallet_id, "partner": wallet.partner,
                    "phone": wallet.phone, "number": wallet.number,
                    "balance": wallet.balance, "status": wallet.status,
                    "identification": LEVELS[wallet.level],
                    "limits": {k: dict(v) for k, v in wallet.custom.items()},
                    "operations": [{"type": op.type, "amount": op.amount, "date": op.date,
                                    "description": op.description, "tsp": op.tsp,
                                    "bank": op.bank} for op in wallet.operations],
                    "payments": tokens,
                    "debits_per_token": {t: p["debits"] for t, p in tokens.items()},
                    "refills": refills,
                    "refills_credited": sum(r["credited"] for r in refills.values()),
                }
            return out


def _date(text: str | None, name: str) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        return datetime.strptime(text, FILTER_DATE)
    except ValueError:
        raise field_error(name, "Дата — в формате ГГГГ-ММ-ДД ЧЧ-ММ-СС") from None


def _query_amount(text: str | None, name: str) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise field_error(name, "Сумма — число, например 123.00") from None
    if not value.is_finite() or value < 0:
        raise field_error(name, "Сумма — число, например 123.00")
    return value


def _query_int(text: str, name: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise field_error(name, f"{name} — целое число от {low} до {high}")
    return int(text)
