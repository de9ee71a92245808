"""The card gateway's books for the emulator (seed 004): payments, refunds, buyers and their
saved cards, and what the person does on the payment page. Pure logic behind one lock; the
HTTP side is :mod:`.card`.

Each API method takes the request as decoded JSON and returns the answer, or raises
:class:`CardProblem` (an errorCode answer). What matters for the tests of the program is what
a real gateway must guarantee: a card is charged once per payment whatever is resent; a refund
never takes more than is left, and the same refund body sent twice refunds once (its
``remainingAmount`` no longer matches); a payment nobody paid by ``orderBestBefore`` expires;
the person's 3-D Secure step stands between the card and the money.

Amounts are integer kopecks throughout, as on this wire. Time: ``now`` (epoch seconds, for
``orderBestBefore``) and ``clock`` (monotonic, for the hold before capture) can be replaced
by a test.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cashier_app.core.card_codes import DECLINE_CODES, ERROR_CODES

#: The gateway's errorCode table and the card's decline codes: the client's own (one table).
ERRORS: Mapping[str, tuple[str, str]] = ERROR_CODES
DECLINES: Mapping[str, str] = DECLINE_CODES
#: The seed's test cards → their type as the card list names it.
TEST_CARDS: Mapping[str, str] = {
    "5479270000000000": "master_card",
    "4111111111111111": "visa",
    "6011000000000004": "maestro",
    "2201382000000013": "mir",
    "2201382000000062": "mir",
    "2201382000000039": "mir",
}
#: Saved cards that need 3-D Secure for every recurrent payment.
ALWAYS_3DS = frozenset({"2201382000000013"})
TEST_CVC = "123"
CODE_3DS = "12345678"
DEFAULT_SERVICES: Mapping[str, str] = {
    "109-5804-1": "ЖКХ «Теплосеть» (тест)",
    "1000-13864-3": "Тест ShopAPI",
    "200-0001-1": "Мобильная связь «Вектор» (тест)",
}
#: A payment without orderBestBefore lives this long (the client always sends one).
DEFAULT_LIFETIME = 20 * 60.0
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_LOGIN = re.compile(r"7[0-9]{10}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}")
_DIGITS = re.compile(r"[0-9]{1,15}")
_EXPIRY = re.compile(r"(0[1-9]|1[0-2])\s*/\s*([0-9]{2})")


class CardProblem(Exception):
    """An errorCode answer: HTTP ``status`` (400) with ``{errorCode, error, message}``."""

    def __init__(self, code: str, message: str | None = None, status: int = 400) -> None:
        self.code, self.status = code, status
        self.message = message or ERRORS.get(code, ("", "Ошибка"))[1]
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"errorCode": self.code, "error": ERRORS.get(self.code, ("GatewayException",))[0],
                "message": self.message}


def _kopecks(value: object, code: str, *, positive: bool) -> int:
    """An amount as the seed shows it: a JSON integer or a string of digits."""
    if isinstance(value, bool):
        raise CardProblem(code)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or value < (1 if positive else 0) or value >= 10**15:
        raise CardProblem(code)
    return value


def _mask(pan: str) -> str:
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


@dataclass
class SavedCard:
    card_token: str
    pan: str  # the emulator's own, to tell a card attached twice; never answered
    card_mask: str
    card_type: str
    state: str = "active"


@dataclass
class Buyer:
    login: str
    user_token: str
    email: str | None = None
    name: str | None = None
    sur_name: str | None = None
    middle_name: str | None = None
    state: str = "active"
    cards: list[SavedCard] = field(default_factory=list)


@dataclass
class Payment:
    reg_pay_num: str
    kind: str  # anonymous, recurrent, card (a card registration)
    service_code: str | None
    amount: int
    commission: int
    best_before: float
    created: datetime
    user_token: str | None
    properties: list[dict[str, str]] = field(default_factory=list)
    order_note: str | None = None
    state: str = "created"
    #: where the person is: card (the form), 3ds (the code), done
    step: str = "card"
    pan: str | None = None
    card_mask: str | None = None
    card_type: str | None = None
    card_token: str | None = None
    remaining: int = 0
    refunds: list[int] = field(default_factory=list)
    #: how many times the card was charged (the tests prove: at most once)
    charges: int = 0
    error_code: str | None = None
    error: str | None = None
    message: str | None = None
    held_at: float | None = None
    proc_date: datetime | None = None

    @property
    def total(self) -> int:
        return self.amount + self.commission


class CardBooks:
    """Every payment and buyer of the emulated gateway. All public methods take the one
    lock; each first moves time on (:meth:`_advance`: holds captured, unpaid payments
    expired), so every read sees the state as of now."""

    def __init__(self, *, services: Mapping[str, str] | None = None, hold_seconds: float = 0.5,
                 notify_declined: bool = False, collect_events: bool = False,
                 now: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.Lock()
        self.services = dict(DEFAULT_SERVICES if services is None else services)
        self.hold_seconds = hold_seconds
        self.notify_declined = notify_declined
        self.collect_events = collect_events
        self.now, self.clock = now, clock
        self.payments: dict[str, Payment] = {}
        self.buyers: dict[str, Buyer] = {}
        self._events: list[tuple[str, dict[str, Any]]] = []

    # --- helpers (called under the lock) ---------------------------------------------------

    def _new_number(self) -> str:
        while True:
            digits = secrets.choice((10, 11))
            number = str(secrets.choice("123456789")) + "".join(
                secrets.choice("0123456789") for _ in range(digits - 1))
            if number not in self.payments:
                return number

    def _payment(self, value: object) -> Payment:
        number = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        payment = self.payments.get(number) if isinstance(number, str) else None
        if payment is None:
            raise CardProblem("2601")
        return payment

    def _buyer(self, token: object) -> Buyer:
        for buyer in self.buyers.values():
            if buyer.user_token == token:
                return buyer
        raise CardProblem("2403")

    def _event(self, kind: str, body: dict[str, Any]) -> None:
        if self.collect_events:
            self._events.append((kind, body))

    def _payed(self, payment: Payment) -> None:
        payment.state, payment.step = "payed", "done"
        payment.proc_date = datetime.now().replace(microsecond=0)
        payment.error_code = payment.error = payment.message = None
        if payment.kind != "card":
            payment.remaining = payment.total
            self._event("payment", {"regPayNum": payment.reg_pay_num,
                                    "amount": str(payment.amount),
                                    "comission": str(payment.commission), "state": "payed"})

    def _decline(self, payment: Payment, code: str) -> None:
        payment.state, payment.step = "declined", "done"
        payment.error_code, payment.message = code, DECLINES.get(code, "Отказ")
        payment.error = "Pass3dsFailedException" if code == "2366" else "PaymentDeclinedException"
        payment.proc_date = datetime.now().replace(microsecond=0)
        if self.notify_declined and payment.kind != "card":
            self._event("payment", {"regPayNum": payment.reg_pay_num,
                                    "amount": str(payment.amount),
                                    "comission": str(payment.commission), "state": "declined",
                                    "errorCode": code, "errorMsg": payment.message})

    def _advance(self) -> None:
        now, tick = self.now(), self.clock()
        for payment in self.payments.values():
            if payment.state == "holded" and payment.held_at is not None \
                    and tick - payment.held_at >= self.hold_seconds:
                self._payed(payment)
            elif payment.state == "created" and now >= payment.best_before:
                payment.state, payment.step = "expired", "done"
                payment.error_code, payment.error = None, "OrderExpiredException"
                payment.message = "Срок оплаты заказа истёк"

    def _expiring(self, body: Mapping[str, Any]) -> float:
        value = body.get("orderBestBefore")
        if value is None:
            return self.now() + DEFAULT_LIFETIME
        moment = _kopecks(value, "2704", positive=True)  # digits, like an amount
        if moment <= self.now():
            raise CardProblem("2704")
        return float(moment)

    def _order(self, body: Any, *, amount_key: str = "amount") -> dict[str, Any]:
        """The fields every payment request shares, checked."""
        if not isinstance(body, dict):
            raise CardProblem("1001")
        service = body.get("serviceCode")
        if not isinstance(service, str) or service not in self.services:
            raise CardProblem("2301")
        pay_type = body.get("payType", "card")
        if pay_type != "card":
            raise CardProblem("2705")
        properties = body.get("properties")
        if not isinstance(properties, list) or not properties or not all(
                isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"]
                and isinstance(p.get("value", ""), str) for p in properties):
            raise CardProblem("2703")
        note = body.get("orderNote")
        return {"service": service, "amount": _kopecks(body.get(amount_key), "2701",
                                                        positive=True),
                "commission": _kopecks(body.get("comission"), "2702", positive=False),
                "best_before": self._expiring(body),
                "properties": [{"name": p["name"], "value": p.get("value", "")}
                               for p in properties],
                "note": note if isinstance(note, str) else None}

    def _create(self, kind: str, order: Mapping[str, Any], user_token: str | None) -> Payment:
        payment = Payment(self._new_number(), kind, order.get("service"),
                          order.get("amount", 0), order.get("commission", 0),
                          order.get("best_before", self.now() + DEFAULT_LIFETIME),
                          datetime.now().replace(microsecond=0), user_token,
                          list(order.get("properties", [])), order.get("note"))
        self.payments[payment.reg_pay_num] = payment
        return payment

    # --- the API ---------------------------------------------------------------------------

    def anonymous(self, body: Any, base: str) -> dict[str, Any]:
        order = self._order(body)
        with self.lock:
            self._advance()
            phone = body.get("userPhone")
            buyer = self.buyers.get(phone) if isinstance(phone, str) else None
            token = buyer.user_token if buyer is not None else str(uuid.uuid4())
            payment = self._create("anonymous", order, token)
            return {"regPayNum": payment.reg_pay_num, "methodType": "GET",
                    "payUrl": f"{base}/pay/{payment.reg_pay_num}", "userToken": token}

    def status(self, body: Any, base: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        with self.lock:
            self._advance()
            payment = self._payment(body.get("regPayNum"))
            answer: dict[str, Any] = {
                "regPayNum": payment.reg_pay_num, "state": payment.state,
                "totalAmount": payment.total, "remainingAmount": payment.remaining,
                "createdDate": payment.created.strftime(DATE_FORMAT),
                "providerServCode": payment.service_code,
                "providerName": self.services.get(payment.service_code or ""),
                "errorCode": payment.error_code, "error": payment.error,
                "message": payment.message, "provisionServices": payment.state == "payed",
                "procDate": payment.proc_date.strftime(DATE_FORMAT) if payment.proc_date
                else None}
            if payment.state == "created" and payment.step == "3ds":
                answer.update(errorCode="2365", error=ERRORS["2365"][0],
                              message=ERRORS["2365"][1],
                              securePageURL=f"{base}/3ds/{payment.reg_pay_num}")
            return answer

    def refund(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("note"), str):
            raise CardProblem("1001", "Не указана причина возврата (note)")
        refund = _kopecks(body.get("refundAmount"), "2603", positive=True)
        after = _kopecks(body.get("remainingAmount"), "2604", positive=False)
        with self.lock:
            self._advance()
            payment = self._payment(body.get("regPayNum"))
            if payment.state != "payed" or payment.kind == "card":
                raise CardProblem("2602")
            if refund > payment.remaining:
                raise CardProblem("2603", f"Сумма возврата больше остатка платежа: осталось "
                                          f"{payment.remaining} коп.")
            if after != payment.remaining - refund:
                raise CardProblem("2604", f"{ERRORS['2604'][1]} (остаток платежа "
                                          f"{payment.remaining} коп.)")
            payment.refunds.append(refund)
            payment.remaining -= refund
            return {"regPayNum": payment.reg_pay_num, "refundAmount": refund,
                    "remainingAmount": payment.remaining, "state": payment.state}

    def recurrent(self, body: Any, base: str) -> tuple[int, dict[str, Any]]:
        """``(200, created)`` or, for a card that needs 3-D Secure, ``(200, the 2365
        answer)``."""
        if isinstance(body, dict) and body.get("amount") is None:
            body = {**body, "amount": body.get("value")}  # the seed's example's other name
        elif isinstance(body, dict) and body.get("value") is not None \
                and str(body["value"]) != str(body["amount"]):
            raise CardProblem("2701", "Поля amount и value не совпадают")
        order = self._order(body)
        with self.lock:
            self._advance()
            buyer = self._buyer(body.get("userToken"))
            token = body.get("cardToken")
            if token is None:  # no saved card: the person types one on the form
                payment = self._create("recurrent", order, buyer.user_token)
                return 200, {"regPayNum": payment.reg_pay_num, "methodType": "GET",
                             "payUrl": f"{base}/pay/{payment.reg_pay_num}",
                             "userToken": buyer.user_token}
            card = next((c for c in buyer.cards if c.card_token == token), None)
            if card is None:
                raise CardProblem("2101")
            if card.state != "active":
                raise CardProblem("2102")
            payment = self._create("recurrent", order, buyer.user_token)
            payment.pan, payment.card_mask = card.pan, card.card_mask
            payment.card_type, payment.card_token = card.card_type, card.card_token
            if card.pan in ALWAYS_3DS:
                payment.step = "3ds"
                return 200, {"errorCode": "2365", "error": ERRORS["2365"][0],
                             "message": ERRORS["2365"][1],
                             "regPayNum": payment.reg_pay_num,
                             "securePageURL": f"{base}/3ds/{payment.reg_pay_num}"}
            payment.charges += 1
            self._payed(payment)
            return 200, {"regPayNum": payment.reg_pay_num, "methodType": "GET",
                         "payUrl": f"{base}/receipt/{payment.reg_pay_num}",
                         "userToken": buyer.user_token}

    def user_register(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        login, email = body.get("login"), body.get("email")
        if not isinstance(login, str) or not _LOGIN.fullmatch(login):
            raise CardProblem("2401")
        if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
            raise CardProblem("2402")
        with self.lock:
            buyer = self.buyers.get(login)
            if buyer is None:  # a second registration is the same buyer, details updated
                buyer = self.buyers[login] = Buyer(login, str(uuid.uuid4()))
            for key, attr in (("email", "email"), ("name", "name"), ("surName", "sur_name"),
                              ("middleName", "middle_name")):
                if isinstance(body.get(key), str):
                    setattr(buyer, attr, body[key])
            return {"login": buyer.login, "email": buyer.email, "name": buyer.name,
                    "surName": buyer.sur_name, "middleName": buyer.middle_name,
                    "state": buyer.state, "userToken": buyer.user_token}

    def user_status(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        with self.lock:
            buyer = self.buyers.get(body.get("login"))  # type: ignore[arg-type]
            if buyer is None:
                raise CardProblem("2403")
            return {"state": buyer.state, "login": buyer.login, "email": buyer.email,
                    "name": buyer.name, "surName": buyer.sur_name,
                    "middleName": buyer.middle_name, "userToken": buyer.user_token}

    def card_register(self, body: Any, base: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        with self.lock:
            self._advance()
            buyer = self._buyer(body.get("userToken"))
            payment = self._create("card", {}, buyer.user_token)
            return {"regPayNum": payment.reg_pay_num,
                    "payUrl": f"{base}/pay/{payment.reg_pay_num}", "methodType": "GET"}

    def card_list(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        with self.lock:
            self._advance()
            buyer = self._buyer(body.get("userToken"))
            return {"userToken": buyer.user_token,
                    "cards": [{"cardMask": c.card_mask, "cardToken": c.card_token,
                               "cardType": c.card_type, "state": c.state}
                              for c in buyer.cards]}

    def card_deactivate(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CardProblem("1001")
        with self.lock:
            buyer = self._buyer(body.get("userToken"))
            card = next((c for c in buyer.cards if c.card_token == body.get("cardToken")),
                        None)
            if card is None:
                raise CardProblem("2101")
            card.state = "inactive"  # a repeat answers the same
            return {"resultState": "success", "desc": "Карта отключена",
                    "userToken": buyer.user_token}

    # --- the person on the payment page -------------------------------------------------------

    def submit_card(self, reg_pay_num: str, pan: str, exp: str, cvc: str) -> tuple[str, str]:
        """The card form sent: ``(step, what to tell the person)``; step ``card`` (the form
        again: a typo), ``3ds`` (the code page) or ``done`` (the payment's end)."""
        digits = re.sub(r"[\s-]", "", pan or "")
        with self.lock:
            self._advance()
            payment = self._payment(reg_pay_num)
            if payment.state != "created" or payment.step != "card":
                return payment.step, _state_text(payment)
            if not re.fullmatch(r"[0-9]{12,19}", digits):
                return "card", "Номер карты — от 12 до 19 цифр"
            found = _EXPIRY.fullmatch((exp or "").strip())
            if found is None:
                return "card", "Срок действия — ММ/ГГ, например 12/30"
            payment.pan, payment.card_mask = digits, _mask(digits)
            payment.card_type = TEST_CARDS.get(digits, "unknown")
            month, year = int(found[1]), 2000 + int(found[2])
            today = datetime.now()
            if (year, month) < (today.year, today.month):
                self._decline(payment, "54")
            elif digits not in TEST_CARDS:
                self._decline(payment, "14")
            elif (cvc or "").strip() != TEST_CVC:
                self._decline(payment, "05")
            else:
                payment.step = "3ds"
                return "3ds", "Введите код 3-D Secure"
            return payment.step, _state_text(payment)

    def submit_3ds(self, reg_pay_num: str, code: str) -> tuple[str, str]:
        """The 3-D Secure code sent: ``(step, what to tell the person)``."""
        with self.lock:
            self._advance()
            payment = self._payment(reg_pay_num)
            if payment.state != "created" or payment.step != "3ds":
                return payment.step, _state_text(payment)
            if (code or "").strip() != CODE_3DS:
                self._decline(payment, "2366")
            elif payment.kind == "card":
                self._attach(payment)
            elif payment.kind == "recurrent" and payment.card_token is not None:
                payment.charges += 1
                self._payed(payment)
            else:
                payment.charges += 1
                payment.state, payment.step = "holded", "done"
                payment.held_at = self.clock()
            return payment.step, _state_text(payment)

    def _attach(self, payment: Payment) -> None:
        buyer = self._buyer(payment.user_token)
        assert payment.pan is not None and payment.card_mask is not None
        card = next((c for c in buyer.cards if c.pan == payment.pan and c.state == "active"),
                    None)
        if card is None:  # the same card attached again keeps its token
            card = SavedCard(str(uuid.uuid4()), payment.pan, payment.card_mask,
                             payment.card_type or "unknown")
            buyer.cards.append(card)
        payment.card_token = card.card_token
        self._payed(payment)
        self._event("card", {"userToken": buyer.user_token, "cardMask": card.card_mask,
                             "cardToken": card.card_token, "cardType": card.card_type})

    def expire(self, reg_pay_num: str) -> str:
        """The payment's orderBestBefore has come (a test's clock): an unpaid payment
        expires; a paid or final one is left as it is. Returns the state."""
        with self.lock:
            self._advance()
            payment = self._payment(reg_pay_num)
            if payment.state == "created":
                payment.best_before = self.now()
                self._advance()
            return payment.state

    def page(self, reg_pay_num: str) -> dict[str, Any] | None:
        """What the payment page shows, or None for an unknown number."""
        with self.lock:
            self._advance()
            payment = self.payments.get(reg_pay_num)
            if payment is None:
                return None
            return {"kind": payment.kind, "state": payment.state, "step": payment.step,
                    "amount": payment.amount, "commission": payment.commission,
                    "total": payment.total, "note": payment.order_note,
                    "properties": list(payment.properties),
                    "provider": self.services.get(payment.service_code or ""),
                    "card_mask": payment.card_mask, "said": _state_text(payment)}

    # --- for the notifier and the tests -------------------------------------------------------

    def advance(self) -> None:
        with self.lock:
            self._advance()

    def take_events(self) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            self._advance()
            events, self._events = self._events, []
            return events

    def books(self) -> dict[str, dict[str, Any]]:
        """Per regPayNum: the number again, kind, serviceCode, amount, commission, total,
        remaining (kopecks), state, refunds, the card's mask, how many times it was charged,
        errorCode, userToken, orderBestBefore."""
        with self.lock:
            self._advance()
            return {number: {"regPayNum": number, "kind": p.kind, "serviceCode": p.service_code,
                             "amount": p.amount,
                             "commission": p.commission, "total": p.total, "state": p.state,
                             "remaining": p.remaining, "refunds": list(p.refunds),
                             "card_mask": p.card_mask, "charges": p.charges,
                             "error_code": p.error_code, "user_token": p.user_token,
                             "best_before": int(p.best_before)}
                    for number, p in self.payments.items()}

    def users(self) -> dict[str, dict[str, Any]]:
        """Per login: the buyer's token, state and cards (mask, token, type, state)."""
        with self.lock:
            return {login: {"userToken": b.user_token, "state": b.state,
                            "cards": [{"cardMask": c.card_mask, "cardToken": c.card_token,
                                       "cardType": c.card_type, "state": c.state}
                                      for c in b.cards]}
                    for login, b in self.buyers.items()}


def _state_text(payment: Payment) -> str:
    if payment.state == "payed":
        return "Карта привязана" if payment.kind == "card" else "Оплачено"
    if payment.state == "holded":
        return "Деньги заблокированы на карте, платёж проводится"
    if payment.state == "declined":
        return f"Отказ: {payment.message}"
    if payment.state == "expired":
        return "Срок оплаты истёк"
    if payment.step == "3ds":
        return "Ждём код 3-D Secure"
    return "Ждём данные карты"
