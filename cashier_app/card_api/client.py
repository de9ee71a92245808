"""Async client of the card gateway (seed 004, httpx).

Every method is one ``POST {base_url}<path>`` with a JSON body and ``Authorization: Bearer
<token>`` (plus the client certificate when ``cert`` is given): the seed gives no paths and
no header, these are our decisions (docs/protocol.md, «Card gateway»). Each method returns the
typed answer or raises only :class:`~.errors.CardError` subclasses: ``CardInputError`` before
sending, ``CardRefused`` (``CardAuthError``, ``UserNotRegistered``) when the gateway said
nothing was done, ``Need3ds`` when a payment waits for 3-D Secure, ``CardNoAnswer`` when the
outcome is unknown. Whatever the server does, nothing else escapes.

The bodies of money operations (``create``, ``recurrent``, ``refund``) are given as bytes,
built by :mod:`.requests` and journaled by the caller before the call, and are sent unchanged:
a repeat after a lost answer sends the same bytes. An answer that is not about the request (a
status of another regPayNum, a refund of another amount) is no answer.

Every request is bounded in total time (``timeout``: connect to the last byte) and in bytes
(``max_answer_bytes``). There is no «last exchange» attribute (two calls may run at once): each
model keeps ``raw``, each error ``answer_text``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from cashier_app.core.card_codes import NEED_3DS, USER_NOT_REGISTERED, USER_NOT_REGISTERED_NAME
from cashier_app.core.wire import WireFormatError, decode_body
from cashier_app.util.http_exchange import header_safe

from .errors import (
    MAX_ANSWER_TEXT,
    CardAuthError,
    CardError,
    CardInputError,
    CardNoAnswer,
    CardRefused,
    Need3ds,
    UserNotRegistered,
    clean_message,
)
from .kopecks import from_kopecks
from .models import (
    CardList,
    CardRegistration,
    CardUser,
    Created,
    Deactivated,
    PaymentStatus,
    Refunded,
    answer_object,
    bad,
    error_code,
)
from .models import (
    reg_pay_num as named_payment,
)
from .requests import (
    card_deactivate_body,
    card_list_body,
    card_register_body,
    check_reg_pay_num,
    status_body,
    user_status_body,
)
from .transport import exchange, tls_context

log = logging.getLogger(__name__)

DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024
TEXT_BROKEN = "Шлюз оплаты картой прислал повреждённый ответ (не JSON)"
TEXT_UNREADABLE = "Шлюз оплаты картой прислал ответ, который не удалось разобрать"
#: The statuses that mean «nothing was done» besides any 4xx: a balancer in front of the
#: gateway (502 Bad Gateway, 503 Service Unavailable) did not pass the request on.
REFUSED_5XX = (502, 503)
M = TypeVar("M")


@dataclass(frozen=True)
class CardPaths:
    """Each method's path under ``card.url`` (the seed gives none: these are ours)."""

    anonymous: str = "/payment/anonymous"
    status: str = "/payment/status"
    refund: str = "/payment/refund"
    recurrent: str = "/payment/recurrent"
    user_register: str = "/user/register"
    user_status: str = "/user/status"
    card_register: str = "/card/register"
    card_list: str = "/card/list"
    card_deactivate: str = "/card/deactivate"

    def __post_init__(self) -> None:
        for item in fields(self):
            path = getattr(self, item.name)
            if not isinstance(path, str) or not path.startswith("/") or not header_safe(path) \
                    or "?" in path or "#" in path:
                raise CardInputError(f"card.paths.{item.name}",
                                     f"Путь метода {item.name} шлюза оплаты картой должен "
                                     "начинаться с «/», без пробелов")


DEFAULT_PATHS = CardPaths()


def _bytes(body: bytes) -> bytes:
    if not isinstance(body, bytes):
        raise CardInputError("body", "Тело запроса должно быть байтами (requests.*_body)")
    return body


def _body_object(body: bytes, field: str) -> Mapping[str, Any]:
    """The caller's body, read back to compare the answer with it; CardInputError (nothing
    sent) when it is not a JSON object with ``field``."""
    try:
        data = decode_body(_bytes(body))
    except WireFormatError:
        data = None
    if not isinstance(data, Mapping) or data.get(field) in (None, ""):
        raise CardInputError(field, f"Тело запроса — не объект JSON с полем {field}")
    return data


def _sent_kopecks(body: Mapping[str, Any], field: str) -> Decimal:
    try:
        return from_kopecks(body.get(field), what=field)  # type: ignore[arg-type]
    except CardNoAnswer:
        raise CardInputError(field, f"В теле запроса {field} — не целое число копеек") from None


class CardClient:
    def __init__(self, base_url: str, token: str, *, cert: str | None = None,
                 paths: CardPaths = DEFAULT_PATHS, timeout: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
                 verify: bool | str = True) -> None:
        """``cert``: a PEM file with the client certificate and its key (read now: a file
        that cannot be read is a CardInputError here); ``timeout``: seconds for the whole of
        one HTTP exchange; ``verify``: check the gateway's certificate (certifi's CAs), or a
        CA bundle file, or False."""
        if max_answer_bytes < 1:
            raise ValueError("max_answer_bytes must be positive")
        if not isinstance(base_url, str) or not base_url.lower().startswith(
                ("http://", "https://")) or not header_safe(base_url):
            raise CardInputError("card.url", "Адрес шлюза оплаты картой (card.url) — вида "
                                             "https://…")
        if not isinstance(token, str) or not header_safe(token):
            raise CardInputError("card.token", "Токен шлюза оплаты картой (card.token) пуст "
                                               "или содержит недопустимые символы")
        self.base_url = base_url.rstrip("/")
        self.paths = paths
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self._token = token
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout),
                                       verify=tls_context(self.base_url, verify, cert),
                                       transport=transport, follow_redirects=False)

    def __repr__(self) -> str:
        return f"CardClient({self.base_url!r})"

    async def __aenter__(self) -> CardClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    # --- one call ---------------------------------------------------------------------------

    async def _call(self, what: str, body: bytes) -> tuple[Mapping[str, Any], str]:
        """The decoded JSON object of a 200 (or of a refusal that is a 3-D Secure step) and
        the body as text (scrubbed) for the journal."""
        url = self.base_url + getattr(self.paths, what)
        headers = {"Accept": "application/json", "Accept-Encoding": "identity",
                   "Content-Type": "application/json",
                   "Authorization": f"Bearer {self._token}"}
        status, raw = await exchange(self._http, "POST", url, what=what, content=_bytes(body),
                                     headers=headers, timeout=self.timeout,
                                     limit=self.max_answer_bytes, scrub=self._scrub)
        log.info("card %s: HTTP %s", what, status)
        text = self._scrub(raw[:MAX_ANSWER_TEXT * 4].decode("utf-8", "replace"))
        if status == 200:
            try:
                data = decode_body(raw)
            except WireFormatError as error:
                log.warning("card %s: the body is not JSON (%s)", what, error)
                raise CardNoAnswer("bad_json", TEXT_BROKEN, status=200,
                                   answer_text=text) from None
            if not isinstance(data, Mapping):
                raise CardNoAnswer("bad_answer", "Шлюз оплаты картой прислал непонятный ответ: "
                                   "ответ — не объект JSON", status=200, answer_text=text)
            return data, text
        found = self._error_body(raw)
        code, name, message = found[1:]
        if status in (401, 403):
            log.error("card %s: HTTP %s, the token or the certificate refused", what, status)
            raise CardAuthError(status, error_code=code, error=name, message=message,
                                answer_text=text)
        if 400 <= status < 500 or status in REFUSED_5XX:
            if found[0] is not None and code == NEED_3DS:
                return found[0], text  # the 3-D Secure step, whatever status it came with
            log.warning("card %s: refused, HTTP %s, errorCode %s", what, status, code)
            raise _refused(status, code, name, message, text)
        # 500, another 5xx, a redirect, a 2xx other than 200: nothing proves nothing was done
        log.warning("card %s: HTTP %s, outcome unknown", what, status)
        said = f": {message}" if message else ""
        raise CardNoAnswer("http", f"Шлюз оплаты картой ответил ошибкой HTTP {status}{said} — "
                                   "результат операции неизвестен", status=status,
                           message=message, answer_text=text)

    def _error_body(self, raw: bytes) -> tuple[Mapping[str, Any] | None, str | None,
                                               str | None, str]:
        """``{errorCode, error, message}`` where the body is that; else nothing."""
        try:
            data = decode_body(raw) if raw.strip() else None
        except WireFormatError:
            data = None
        if not isinstance(data, Mapping):
            return None, None, None, ""
        try:
            code = error_code(data)
        except CardNoAnswer:
            code = None
        error = data.get("error")
        return (data, code, clean_message(error, 100) if isinstance(error, str) and error
                else None, clean_message(self._scrub(str(data.get("message") or ""))))

    def _refuse_if_error(self, data: Mapping[str, Any], text: str, result: str) -> None:
        """An answer with an errorCode and without its result (``result``: the key every
        good answer has) is a refusal (HTTP 200 as the gateway may send it)."""
        try:
            code = error_code(data)
        except CardNoAnswer as problem:
            problem.answer_text = text
            raise
        if code is not None and data.get(result) in (None, ""):
            error = data.get("error")
            message = clean_message(self._scrub(str(data.get("message") or "")))
            log.warning("card: refused with errorCode %s", code)
            raise _refused(200, code, clean_message(error, 100) if isinstance(error, str)
                           and error else None, message, text)

    @staticmethod
    def _parse(what: str, data: Any, text: str, parse: Callable[[Any], M]) -> M:
        """``parse(data)``; anything but a good answer is no answer, with the body kept."""
        try:
            return parse(data)
        except CardNoAnswer as error:
            log.warning("card %s: unusable answer: %s", what, error)
            error.answer_text = text[:MAX_ANSWER_TEXT]
            raise
        except CardError:
            raise
        except Exception:
            log.exception("card %s: the answer could not be parsed", what)
            raise CardNoAnswer("bad_answer", TEXT_UNREADABLE, answer_text=text) from None

    async def _typed(self, what: str, body: bytes, result: str,
                     parse: Callable[[Any], M]) -> M:
        data, text = await self._call(what, body)
        self._refuse_if_error(data, text, result)
        return self._parse(what, data, text, parse)

    def _step(self, data: Mapping[str, Any], text: str) -> Need3ds:
        """errorCode 2365: the payment named and the page to send the person to."""
        def parse(body: Any) -> Need3ds:
            found = answer_object(body)
            secure = found.get("securePageURL")
            if not isinstance(secure, str) or not secure.lower().startswith(
                    ("https://", "http://")) or any(ord(ch) <= 32 for ch in secure):
                raise bad("securePageURL — не ссылка")
            return Need3ds(named_payment(found), secure, answer_text=text)

        return self._parse("3ds", data, text, parse)

    # --- payments ---------------------------------------------------------------------------

    async def create(self, body: bytes) -> Created:
        """An anonymous payment (``requests.anonymous_body``): the person pays on
        ``pay_url``. Should a gateway answer it with errorCode 2365, that is
        :class:`Need3ds` (ours never does)."""
        _body_object(body, "serviceCode")
        data, text = await self._call("anonymous", body)
        if _code(data) == NEED_3DS:
            raise self._step(data, text)
        self._refuse_if_error(data, text, "payUrl")
        return self._parse("anonymous", data, text, Created.parse)

    async def status(self, reg_pay_num: str) -> PaymentStatus:
        """The payment's state. A payment waiting at 3-D Secure is a status with
        ``needs_3ds`` (errorCode 2365 and securePageURL), not an exception; a status that
        names another regPayNum is no answer (the seed's example names none: absent is
        accepted)."""
        asked = check_reg_pay_num(reg_pay_num)
        data, text = await self._call("status", status_body(asked))
        if not (_code(data) == NEED_3DS and data.get("securePageURL")):
            self._refuse_if_error(data, text, "state")

        def parse(found: Any) -> PaymentStatus:
            answer = PaymentStatus.parse(found)
            if found.get("regPayNum") is not None and named_payment(found) != asked:
                raise bad("статус другого платежа")
            return answer

        return self._parse("status", data, text, parse)

    async def refund(self, body: bytes) -> Refunded:
        """A full or partial refund (``requests.refund_body``). The answer must name the
        body's regPayNum, refundAmount and remainingAmount — else no answer."""
        sent = _body_object(body, "regPayNum")
        asked = check_reg_pay_num(str(sent.get("regPayNum")))
        refund, remaining = _sent_kopecks(sent, "refundAmount"), _sent_kopecks(
            sent, "remainingAmount")
        data, text = await self._call("refund", body)
        self._refuse_if_error(data, text, "refundAmount")

        def parse(found: Any) -> Refunded:
            answer = Refunded.parse(found)
            if answer.reg_pay_num != asked:
                raise bad("возврат по другому платежу")
            if (answer.refund_amount, answer.remaining_amount) != (refund, remaining):
                raise bad("суммы возврата в ответе не те, что в запросе")
            return answer

        return self._parse("refund", data, text, parse)

    async def recurrent(self, body: bytes) -> Created:
        """A payment by a saved card (``requests.recurrent_body``). Raises :class:`Need3ds`
        (errorCode 2365 with regPayNum and securePageURL) when the card needs 3-D Secure:
        the payment exists and waits for the person."""
        _body_object(body, "cardToken")
        data, text = await self._call("recurrent", body)
        if _code(data) == NEED_3DS:
            raise self._step(data, text)
        self._refuse_if_error(data, text, "payUrl")
        return self._parse("recurrent", data, text, Created.parse)

    # --- buyers and saved cards ---------------------------------------------------------------

    async def register_user(self, body: bytes) -> CardUser:
        """Register a buyer (``requests.user_register_body``); the answer must name the
        body's login."""
        login = str(_body_object(body, "login").get("login"))
        return await self._typed("user_register", body, "userToken",
                                 lambda data: _same_login(CardUser.parse(data), login))

    async def user_status(self, login: str) -> CardUser:
        """A registered buyer by login; :class:`UserNotRegistered` when there is none."""
        body = user_status_body(login)
        wanted = str(decode_body(body)["login"])
        return await self._typed("user_status", body, "userToken",
                                 lambda data: _same_login(CardUser.parse(data), wanted))

    async def register_card(self, user_token: str) -> CardRegistration:
        """Start attaching a card: the person enters it on ``pay_url``; the card appears in
        :meth:`cards` once the bank confirms it."""
        return await self._typed("card_register", card_register_body(user_token), "payUrl",
                                 CardRegistration.parse)

    async def cards(self, user_token: str) -> CardList:
        """The buyer's cards, inactive ones included; the answer must name the user."""
        def parse(data: Any) -> CardList:
            answer = CardList.parse(data)
            if answer.user_token != user_token:
                raise bad("список карт другого покупателя")
            return answer

        return await self._typed("card_list", card_list_body(user_token), "cards", parse)

    async def deactivate_card(self, user_token: str, card_token: str) -> Deactivated:
        """The card becomes inactive (it can no longer pay). A ``resultState`` other than
        ``success`` is a refusal."""
        body = card_deactivate_body(user_token, card_token)
        data, text = await self._call("card_deactivate", body)
        self._refuse_if_error(data, text, "resultState")

        def parse(found: Any) -> Deactivated:
            answer = Deactivated.parse(found)
            if answer.user_token != user_token:
                raise bad("карта отключена у другого покупателя")
            return answer

        answer = self._parse("card_deactivate", data, text, parse)
        if answer.result_state != "success":
            raise CardRefused(200, error=answer.result_state, message=answer.desc,
                              answer_text=text, text="Шлюз не отключил карту" + (
                                  f": {answer.desc}" if answer.desc else ""))
        return answer


def _code(data: Mapping[str, Any]) -> str | None:
    try:
        return error_code(data)
    except CardNoAnswer:
        return None


def _same_login(user: CardUser, login: str) -> CardUser:
    if user.login != login:
        raise bad("ответ о другом покупателе")
    return user


def _refused(status: int, code: str | None, error: str | None, message: str,
             text: str) -> CardRefused:
    if code == USER_NOT_REGISTERED or error == USER_NOT_REGISTERED_NAME:
        return UserNotRegistered(status, error_code=code, error=error, message=message,
                                 answer_text=text)
    return CardRefused(status, error_code=code, error=error, message=message,
                       answer_text=text)
