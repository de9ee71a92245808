"""Request bodies of the card gateway as the exact bytes to send, and the checks of what a
person typed before anything is sent.

The bodies of money operations (an anonymous payment, a recurrent payment, a refund) are
built once, journaled, and sent unchanged on every repeat: so they are bytes
(:func:`cashier_app.core.wire.encode_body`), keys in the order of the seed's examples, amounts
as integers in kopecks (:func:`.kopecks.to_kopecks`, the one conversion). The seed spells the
commission ``comission``: so do we, on the wire.

Every builder checks its input and raises :class:`CardInputError` (with the field's wire
name and a Russian sentence) instead of building a body the gateway would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from cashier_app.core.wire import encode_body

from .errors import CardInputError
from .kopecks import to_kopecks

__all__ = [
    "anonymous_body",
    "card_deactivate_body",
    "card_list_body",
    "card_register_body",
    "check_email",
    "check_login",
    "check_reg_pay_num",
    "recurrent_body",
    "refund_body",
    "status_body",
    "user_register_body",
    "user_status_body",
]

# What a person types around a phone number: spaces, dashes, brackets, dots.
_PHONE_NOISE = re.compile(r"[\s\-().\u00a0\u2010-\u2015]")
_TEN_DIGITS = re.compile(r"[0-9]{10}")
LOGIN_TEXT = "Телефон покупателя — с кодом страны, 11 цифр, например 79020000000"
_EMAIL = re.compile(r"[^@\s\"'<>,;]+@[^@\s\"'<>,;]+\.[^@\s\"'<>,;]{2,}")
#: A regPayNum: digits (the seed's examples have 10 and 11).
_REG_PAY_NUM = re.compile(r"[0-9]{1,20}")
#: serviceCode, userToken, cardToken, payType, clientType: visible ASCII, no spaces.
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
#: orderBestBefore: epoch seconds after 2001-09-09 and before 5138 — a value in milliseconds
#: (13 digits) is refused, it would be a payment that never expires.
_EPOCH_RANGE = (10**9, 10**11)
MAX_TEXT = 255
MAX_NOTE = 1000


def _text(value: object, field: str, what: str, *, limit: int = MAX_TEXT,
          required: bool = True) -> str:
    """One line of text for the wire: no control characters, bounded."""
    if not isinstance(value, str) or (required and not value.strip()):
        raise CardInputError(field, f"Не указано: {what}")
    if len(value) > limit or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise CardInputError(field, f"Недопустимое значение: {what}")
    return value


def _token(value: object, field: str, what: str) -> str:
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise CardInputError(field, f"Недопустимое значение: {what}")
    return value


def _word(value: object, field: str, what: str) -> str:
    if not isinstance(value, str) or not _WORD.fullmatch(value):
        raise CardInputError(field, f"Недопустимое значение: {what}")
    return value


def check_login(phone_as_typed: str) -> str:
    """The buyer's login as the seed wants it — the phone with its country code and no «+»,
    ``79020000000`` — from what a person typed: ``+7 902 000-00-00``, ``8 (902) 000-00-00``,
    ``79020000000`` and ``9020000000`` are all ``79020000000``. Only +7 numbers (Russia and
    Kazakhstan, the gateway's countries); only ASCII digits count."""
    if not isinstance(phone_as_typed, str):
        raise CardInputError("login", LOGIN_TEXT)
    compact = _PHONE_NOISE.sub("", phone_as_typed)
    if compact.startswith("+7"):
        compact = compact[2:]
    elif len(compact) == 11 and compact[:1] in ("7", "8"):
        compact = compact[1:]
    if not _TEN_DIGITS.fullmatch(compact):
        raise CardInputError("login", LOGIN_TEXT)
    return "7" + compact


def check_email(email: str) -> str:
    """An e-mail address for receipts (the seed: «на него отправляются чеки»): one ``@``, a
    dot in the domain, no spaces; at most 254 characters. Returned without surrounding
    spaces."""
    text = email.strip() if isinstance(email, str) else ""
    if not text or len(text) > 254 or not _EMAIL.fullmatch(text):
        raise CardInputError("email", "Адрес почты — вида name@example.ru")
    return text


def check_reg_pay_num(reg_pay_num: str) -> str:
    """A payment's number in the gateway: digits (also guards a body against anything
    else)."""
    if not isinstance(reg_pay_num, str) or not _REG_PAY_NUM.fullmatch(reg_pay_num):
        raise CardInputError("regPayNum", "Номер платежа в шлюзе — цифры, например 1310958041")
    return reg_pay_num


def _amounts(amount: Decimal, commission: Decimal) -> tuple[int, int]:
    kopecks = to_kopecks(amount, field="amount")
    if kopecks <= 0:
        raise CardInputError("amount", "Сумма платежа должна быть больше нуля")
    return kopecks, to_kopecks(commission, field="comission")


def _best_before(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not _EPOCH_RANGE[0] <= value < _EPOCH_RANGE[1]:
        raise CardInputError("orderBestBefore", "Срок оплаты — абсолютное время UTC в секундах "
                                                "(orderBestBefore)")
    return value


def _properties(properties: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The seed's «массив реквизитов» (required): ``[{"name":…,"value":…}]``."""
    if isinstance(properties, str | bytes) or not isinstance(properties, Sequence) \
            or not properties:
        raise CardInputError("properties", "Не указаны реквизиты платежа")
    out: list[dict[str, str]] = []
    for item in properties:
        if not isinstance(item, tuple) or len(item) != 2:
            raise CardInputError("properties", "Реквизит платежа — пара (название, значение)")
        name, value = item
        out.append({"name": _text(name, "properties", "название реквизита"),
                    "value": _text(value, "properties", f"значение реквизита {name}",
                                   required=False)})
    return out


def _order_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise CardInputError("orderItems", "Позиции заказа — список")
    out: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, Mapping) or not all(isinstance(k, str) for k in item):
            raise CardInputError("orderItems", "Позиция заказа — объект с полями")
        try:
            encode_body(item)  # float and other non-JSON values are refused here, not later
        except (TypeError, ValueError):
            raise CardInputError("orderItems", "В позиции заказа недопустимое значение "
                                               "(суммы — целые копейки)") from None
        out.append(dict(item))
    return out


def _encode(body: Mapping[str, Any]) -> bytes:
    return encode_body(body)


def anonymous_body(service_code: str, amount: Decimal, commission: Decimal, *,
                   order_best_before: int, properties: Sequence[tuple[str, str]],
                   pay_type: str = "card", client_type: str = "web",
                   user_phone: str | None = None, user_email: str | None = None,
                   order_items: Sequence[Mapping[str, Any]] = (),
                   order_note: str | None = None) -> bytes:
    """An anonymous payment (the person types the card on the gateway's page), keys as the
    seed's example, the table's ``orderBestBefore`` before ``properties`` and ``orderNote``
    last; optional keys only when given::

        {"serviceCode":"109-5804-1","amount":450,"comission":13300,"payType":"card",
         "clientType":"web","userPhone":"79020000000","userEmail":"ana@mi.ru",
         "orderBestBefore":1767225600,"properties":[{"name":"Л/СЧЕТ","value":"9503006477"}],
         "orderItems":[…],"orderNote":"…"}

    ``amount`` goes to the provider, ``commission`` is ours: the card is charged both."""
    kopecks, fee = _amounts(amount, commission)
    body: dict[str, Any] = {
        "serviceCode": _token(service_code, "serviceCode", "код услуги (serviceCode)"),
        "amount": kopecks,
        "comission": fee,
        "payType": _word(pay_type, "payType", "способ оплаты (payType)"),
        "clientType": _word(client_type, "clientType", "тип клиента (clientType)"),
    }
    if user_phone is not None:
        body["userPhone"] = check_login(user_phone)
    if user_email is not None:
        body["userEmail"] = check_email(user_email)
    body["orderBestBefore"] = _best_before(order_best_before)
    body["properties"] = _properties(properties)
    if order_items:
        body["orderItems"] = _order_items(order_items)
    if order_note is not None:
        body["orderNote"] = _text(order_note, "orderNote", "примечание к заказу",
                                  limit=MAX_NOTE)
    return _encode(body)


def recurrent_body(service_code: str, user_token: str, card_token: str, amount: Decimal,
                   commission: Decimal, *, order_best_before: int,
                   properties: Sequence[tuple[str, str]], pay_type: str = "card",
                   client_type: str = "web", order_note: str | None = None) -> bytes:
    """A payment by a saved card, keys as the seed's example::

        {"cardToken":"…","clientType":"web","payType":"card","properties":[…],
         "serviceCode":"109-5804-1","userToken":"…","amount":10000,"comission":13300,
         "orderBestBefore":1767225600}

    The example has both ``"value":"10000"`` and ``"amount":"10000"``; the parameter table
    lists only ``amount``. **Decision:** we send ``amount`` alone (``value`` looks like a
    leftover of a property); the emulator reads ``value`` only when ``amount`` is absent and
    refuses the two when they differ."""
    kopecks, fee = _amounts(amount, commission)
    body: dict[str, Any] = {
        "cardToken": _token(card_token, "cardToken", "токен карты (cardToken)"),
        "clientType": _word(client_type, "clientType", "тип клиента (clientType)"),
        "payType": _word(pay_type, "payType", "способ оплаты (payType)"),
        "properties": _properties(properties),
        "serviceCode": _token(service_code, "serviceCode", "код услуги (serviceCode)"),
        "userToken": _token(user_token, "userToken", "токен покупателя (userToken)"),
        "amount": kopecks,
        "comission": fee,
        "orderBestBefore": _best_before(order_best_before),
    }
    if order_note is not None:
        body["orderNote"] = _text(order_note, "orderNote", "примечание к заказу",
                                  limit=MAX_NOTE)
    return _encode(body)


def status_body(reg_pay_num: str) -> bytes:
    """``{"regPayNum":"1310958041"}`` — the number as a string, as the seed's example."""
    return _encode({"regPayNum": check_reg_pay_num(reg_pay_num)})


def refund_body(reg_pay_num: str, refund_amount: Decimal, remaining_amount: Decimal,
                note: str) -> bytes:
    """``{"regPayNum":…,"note":…,"refundAmount":2400,"remainingAmount":225}`` (the seed's
    order). ``remaining_amount`` is what stays on the payment after this refund: the gateway
    refuses a body whose remainder does not match — so the same body sent twice (a lost
    answer, a repeat) can never refund twice."""
    refund = to_kopecks(refund_amount, field="refundAmount")
    if refund <= 0:
        raise CardInputError("refundAmount", "Сумма возврата должна быть больше нуля")
    return _encode({"regPayNum": check_reg_pay_num(reg_pay_num),
                    "note": _text(note, "note", "причина возврата"),
                    "refundAmount": refund,
                    "remainingAmount": to_kopecks(remaining_amount, field="remainingAmount")})


def _name(value: str | None, field: str, what: str) -> str | None:
    if value is None:
        return None
    return _text(value.strip() if isinstance(value, str) else value, field, what, limit=100)


def user_register_body(login: str, email: str | None = None, name: str | None = None,
                       sur_name: str | None = None, middle_name: str | None = None) -> bytes:
    """``{"login":"79020000000","email":…,"name":…,"surName":…,"middleName":…}``; the
    optional keys only when given."""
    body: dict[str, Any] = {"login": check_login(login)}
    if email is not None:
        body["email"] = check_email(email)
    for key, value, what in (("name", name, "имя"), ("surName", sur_name, "фамилия"),
                             ("middleName", middle_name, "отчество")):
        checked = _name(value, key, what)
        if checked is not None:
            body[key] = checked
    return _encode(body)


def user_status_body(login: str) -> bytes:
    """``{"login":"79150000000"}``."""
    return _encode({"login": check_login(login)})


def card_register_body(user_token: str, client_type: str = "web") -> bytes:
    """``{"userToken":…,"clientType":"web"}`` (the seed's order)."""
    return _encode({"userToken": _token(user_token, "userToken", "токен покупателя"),
                    "clientType": _word(client_type, "clientType", "тип клиента")})


def card_list_body(user_token: str) -> bytes:
    """``{"userToken":…}``."""
    return _encode({"userToken": _token(user_token, "userToken", "токен покупателя")})


def card_deactivate_body(user_token: str, card_token: str) -> bytes:
    """``{"userToken":…,"cardToken":…}``."""
    return _encode({"userToken": _token(user_token, "userToken", "токен покупателя"),
                    "cardToken": _token(card_token, "cardToken", "токен карты")})
