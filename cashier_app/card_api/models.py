"""Typed answers of the card gateway (seed 004), each parsed strictly.

An answer is believed only when it is the shape we decided from the seed's examples: a
missing regPayNum, an amount that is not whole kopecks (a JSON integer or a string of digits),
a state we do not know, a URL that is not ``http(s)://`` — any of these makes the whole answer
:class:`CardNoAnswer` (``bad_answer``), never a half-filled model and never an exception of
another type. For a payment that matters: a «payed» we cannot read is not a payment, and the
caller asks for the status again.

Every answer keeps ``raw``, the decoded JSON as received (numbers as int/Decimal), for the
journal. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import NEED_3DS, CardNoAnswer, clean_message
from .kopecks import from_kopecks

__all__ = [
    "CARD_STATES",
    "FINAL_STATES",
    "PAYMENT_STATES",
    "CardList",
    "CardNotification",
    "CardRegistration",
    "CardUser",
    "Created",
    "Deactivated",
    "PaymentNotification",
    "PaymentStatus",
    "Refunded",
    "SavedCard",
]

#: Seed 004's «Статусы платежей» (the table is empty; docs/protocol.md lists our reading):
#: created (waiting for the card, or for 3-D Secure) → holded (the money is held on the card)
#: → payed (captured: the provider is credited); declined (the card's RC in errorCode) and
#: expired (not paid by orderBestBefore) are final too. A refund leaves a payment payed and
#: lowers its remainingAmount — there is no «refunded» state.
PAYMENT_STATES = ("created", "holded", "payed", "declined", "expired")
FINAL_STATES = frozenset({"payed", "declined", "expired"})
#: A saved card: active, or inactive after deactivation (it can no longer pay).
CARD_STATES = ("active", "inactive")
_REG_PAY_NUM = re.compile(r"[0-9]{1,20}")
_MASK = re.compile(r"[0-9]{4,6}\*{2,9}[0-9]{4}")
_LOGIN = re.compile(r"[0-9]{10,15}")
MAX_TEXT = 2000


# --- the readers: each raises CardNoAnswer naming what was wrong -----------------------------

def bad(what: str) -> CardNoAnswer:
    return CardNoAnswer("bad_answer", f"Шлюз оплаты картой прислал непонятный ответ: {what}")


def answer_object(data: object, what: str = "ответ") -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise bad(f"{what} — не объект JSON")
    return data


def _text(data: Mapping[str, Any], key: str, *, required: bool = True,
          limit: int = MAX_TEXT) -> str | None:
    """A string field (a JSON integer is read as its digits: ids are sometimes numbers)."""
    value = data.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise bad(f"нет поля {key}")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise bad(f"{key} — не текст")
    return value


def _required(data: Mapping[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = _text(data, key, limit=limit)
    assert value is not None
    return value


def reg_pay_num(data: Mapping[str, Any], key: str = "regPayNum") -> str:
    value = _text(data, key, limit=20)
    if value is None or not _REG_PAY_NUM.fullmatch(value):
        raise bad(f"{key} — не номер платежа")
    return value


def _url(data: Mapping[str, Any], key: str) -> str:
    value = _required(data, key)
    if not value.lower().startswith(("https://", "http://")) or any(
            ord(ch) <= 32 or ord(ch) == 127 for ch in value):
        raise bad(f"{key} — не ссылка")
    return value


def error_code(data: Mapping[str, Any]) -> str | None:
    """``errorCode`` as text: a string, or a JSON integer's digits; null and "" are none."""
    value = data.get("errorCode")
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or len(value) > 100:
        raise bad("errorCode — не код")
    return clean_message(value, 100)


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(f"{key} — не текст")
    return clean_message(value, MAX_TEXT)


def _amount(data: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    value = data.get(key)
    if value is None:
        if required:
            raise bad(f"нет поля {key}")
        return None
    return from_kopecks(value, what=key)


def _method(data: Mapping[str, Any]) -> str:
    value = _required(data, "methodType", 10).upper()
    if value not in ("GET", "POST"):
        raise bad("methodType — не GET и не POST")
    return value


# --- the answers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Created:
    """An anonymous or a recurrent payment created: ``{regPayNum, methodType, payUrl,
    userToken}``. ``pay_url`` is where the person pays (for a recurrent payment, the seed
    says, a link to the receipt); ``user_token`` is None when the gateway does not send it."""

    reg_pay_num: str
    pay_url: str
    method_type: str
    user_token: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Created:
        body = answer_object(data)
        return cls(reg_pay_num(body), _url(body, "payUrl"), _method(body),
                   _text(body, "userToken", required=False, limit=200), body)


@dataclass(frozen=True)
class PaymentStatus:
    """The status of a payment (the seed's second example, plus our ``regPayNum`` and
    ``remainingAmount``). Amounts in rubles (Decimal) from kopecks. ``error_code`` beside a
    state is information (the seed's first example has ``1001`` on a payed payment): for a
    declined payment it is the card's RC (``05``); with ``2365`` and ``secure_page_url`` the
    payment waits at 3-D Secure."""

    state: str
    total_amount: Decimal | None
    remaining_amount: Decimal | None
    error_code: str | None
    error: str | None
    message: str | None
    secure_page_url: str | None
    created_date: str | None
    proc_date: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def paid(self) -> bool:
        return self.state == "payed"

    @property
    def needs_3ds(self) -> bool:
        return self.error_code == NEED_3DS and self.secure_page_url is not None

    @property
    def refunded_amount(self) -> Decimal | None:
        """How much of a payed payment has been refunded (None when the gateway does not
        say both amounts)."""
        if self.total_amount is None or self.remaining_amount is None:
            return None
        return self.total_amount - self.remaining_amount

    @classmethod
    def parse(cls, data: object) -> PaymentStatus:
        body = answer_object(data)
        code = error_code(body)
        secure = _url(body, "securePageURL") if body.get("securePageURL") else None
        state = body.get("state")
        if state is None and code == NEED_3DS and secure is not None:
            state = "created"  # the seed: the 3-D Secure exception may come to a status
        if not isinstance(state, str) or state not in PAYMENT_STATES:
            raise bad("state — неизвестное состояние платежа")
        total = _amount(body, "totalAmount", required=False)
        remaining = _amount(body, "remainingAmount", required=False)
        if total is not None and remaining is not None and remaining > total:
            raise bad("remainingAmount больше totalAmount")
        return cls(state, total, remaining, code, _optional_text(body, "error"),
                   _optional_text(body, "message"), secure,
                   _optional_text(body, "createdDate"), _optional_text(body, "procDate"), body)


@dataclass(frozen=True)
class Refunded:
    """``{regPayNum, refundAmount, remainingAmount, state}``: the refund done, and what stays
    on the payment."""

    reg_pay_num: str
    refund_amount: Decimal
    remaining_amount: Decimal
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Refunded:
        body = answer_object(data)
        refund = _amount(body, "refundAmount")
        remaining = _amount(body, "remainingAmount")
        assert refund is not None and remaining is not None
        if refund <= 0:
            raise bad("refundAmount — не больше нуля")
        state = body.get("state")
        if state is not None and state != "payed":
            raise bad("после возврата платёж не в состоянии payed")
        return cls(reg_pay_num(body), refund, remaining, body)


@dataclass(frozen=True)
class CardUser:
    """A buyer of the shop (registration and status): ``login`` is the phone with its country
    code. ``state``: ``active`` for a usable buyer (the seed's «Статус пользователя» table is
    empty; any text is kept)."""

    login: str
    email: str | None
    name: str | None
    sur_name: str | None
    middle_name: str | None
    state: str
    user_token: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.state == "active"

    @classmethod
    def parse(cls, data: object) -> CardUser:
        body = answer_object(data)
        login = _required(body, "login", 20)
        if not _LOGIN.fullmatch(login):
            raise bad("login — не номер телефона")
        return cls(login, _optional_text(body, "email"), _optional_text(body, "name"),
                   _optional_text(body, "surName"), _optional_text(body, "middleName"),
                   clean_message(_required(body, "state", 40), 40),
                   _required(body, "userToken", 200), body)


@dataclass(frozen=True)
class SavedCard:
    """One card of the buyer's list: ``400000******0002``, its token, its type (``visa``,
    ``master_card``, ``maestro``, ``mir``), ``active`` or ``inactive``."""

    card_mask: str
    card_token: str
    card_type: str
    state: str

    @property
    def active(self) -> bool:
        return self.state == "active"

    @classmethod
    def parse(cls, data: object) -> SavedCard:
        body = answer_object(data, "карта")
        mask = _required(body, "cardMask", 30)
        if not _MASK.fullmatch(mask):
            raise bad("cardMask — не маска номера карты")
        state = body.get("state")
        if state not in CARD_STATES:
            raise bad("state карты — не active и не inactive")
        return cls(mask, _required(body, "cardToken", 200),
                   clean_message(_required(body, "cardType", 40), 40), str(state))


@dataclass(frozen=True)
class CardRegistration:
    """A card registration started: the person attaches a card on ``pay_url``
    (``{regPayNum, payUrl, methodType}``)."""

    reg_pay_num: str
    pay_url: str
    method_type: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> CardRegistration:
        body = answer_object(data)
        return cls(reg_pay_num(body), _url(body, "payUrl"), _method(body), body)


@dataclass(frozen=True)
class CardList:
    """``{userToken, cards: [...]}``; deactivated cards stay listed, ``inactive``."""

    user_token: str
    cards: tuple[SavedCard, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def active(self) -> tuple[SavedCard, ...]:
        return tuple(card for card in self.cards if card.active)

    @classmethod
    def parse(cls, data: object) -> CardList:
        body = answer_object(data)
        cards = body.get("cards")
        if not isinstance(cards, list):
            raise bad("cards — не список карт")
        return cls(_required(body, "userToken", 200),
                   tuple(SavedCard.parse(card) for card in cards), body)


@dataclass(frozen=True)
class Deactivated:
    """``{resultState, desc, userToken}``; the client believes only ``resultState`` =
    ``success`` (anything else is a refusal)."""

    result_state: str
    desc: str
    user_token: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> Deactivated:
        body = answer_object(data)
        return cls(clean_message(_required(body, "resultState", 40), 40),
                   clean_message(_text(body, "desc", required=False) or ""),
                   _required(body, "userToken", 200), body)


@dataclass(frozen=True)
class PaymentNotification:
    """What the gateway POSTs to the shop when a payment is payed (or declined):
    ``{regPayNum, amount, comission, state, errorCode?, errorMsg?}``, amounts in kopecks
    (strings in the seed's example)."""

    reg_pay_num: str
    amount: Decimal
    commission: Decimal
    state: str
    error_code: str | None
    error_msg: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> PaymentNotification:
        body = answer_object(data, "уведомление")
        amount = _amount(body, "amount")
        commission = _amount(body, "comission")
        assert amount is not None and commission is not None
        state = body.get("state")
        if not isinstance(state, str) or state not in PAYMENT_STATES:
            raise bad("state — неизвестное состояние платежа")
        return cls(reg_pay_num(body), amount, commission, state, error_code(body),
                   _optional_text(body, "errorMsg"), body)


@dataclass(frozen=True)
class CardNotification:
    """What the gateway POSTs when a card is attached: ``{userToken, cardMask, cardToken,
    cardType}``."""

    user_token: str
    card: SavedCard
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, data: object) -> CardNotification:
        body = answer_object(data, "уведомление")
        return cls(_required(body, "userToken", 200),
                   SavedCard.parse({**body, "state": body.get("state", "active")}), body)
