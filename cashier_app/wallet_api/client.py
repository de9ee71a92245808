"""Async client of the e-wallet partner API (seed 002, httpx).

Each method sends one request (two when the first meets a 401: the token is renewed once and
the request repeated once — a 401 means nothing was done, so the repeat is safe) and returns
the typed answer, or raises only :class:`~.errors.WalletError` subclasses: ``WalletInputError``
before sending, ``WalletRefused`` (``WalletAuthError``) when the service said nothing was done,
``WalletNoAnswer`` when the outcome is unknown. Whatever the server does, nothing else escapes.

The bodies of money operations (refill, payment, withdrawal, limits) are given as bytes, built
by :mod:`.requests` and journaled by the caller before the call, and are sent unchanged: a
repeat after a lost answer sends the same bytes. An answer that is not about the request (a
payment answer naming another token, a refill of another amount) is no answer.

Every request is bounded in total time (``timeout``: connect to the last byte) and in bytes
(``max_answer_bytes``). There is no «last exchange» attribute (two calls may run at once):
each model keeps ``raw``, each error ``answer_text``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx

from cashier_app.core.wire import WireFormatError, decode_body

from .errors import (
    MAX_ANSWER_TEXT,
    WalletAuthError,
    WalletError,
    WalletInputError,
    WalletNoAnswer,
    WalletRefused,
    clean_message,
)
from .models import (
    REPORT_MAX_SIZE,
    Bank,
    Limits,
    Operation,
    PaymentToken,
    Refill,
    Registered,
    ReportFilter,
    ReportPage,
    WalletInfo,
    Withdrawal,
    bad,
    named_wallet,
)
from .requests import check_uuid, registration_body
from .tokens import TokenSource
from .transport import exchange, tls_context

log = logging.getLogger(__name__)

API = "/api/wallet/v1/account"
DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024
#: report_all reads at most this many pages of REPORT_MAX_SIZE.
MAX_REPORT_PAGES = 50
TEXT_BROKEN = "Сервис кошельков прислал повреждённый ответ (не JSON)"
TEXT_UNREADABLE = "Сервис кошельков прислал ответ, который не удалось разобрать"
M = TypeVar("M")
#: The report's default query: the newest 20 operations (a frozen value, shared safely).
FIRST_PAGE = ReportFilter()
#: The statuses that mean «nothing was done» besides any 4xx (seed 002 §5.1: 502
#: «Недоступно окружение»; 503 the same from a balancer).
REFUSED_5XX = (502, 503)


def _path_id(wallet_id: str) -> str:
    return check_uuid(wallet_id, "walletId")


def _body_object(body: bytes, what: str) -> Mapping[str, Any]:
    """The caller's body, read back to compare the answer with it; WalletInputError (nothing
    sent) when it is not a JSON object."""
    try:
        data = decode_body(_bytes(body))
    except WireFormatError:
        data = None
    if not isinstance(data, Mapping):
        raise WalletInputError(what, "Тело запроса — не объект JSON")
    return data


class WalletClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, partner_id: str, *,
                 token_path: str = "/oauth/token", timeout: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None,
                 max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
                 verify: bool | str = True) -> None:
        """``token_path``: under ``base_url``, or a whole ``https://…`` URL of another host;
        ``timeout``: seconds for the whole of one HTTP exchange; ``verify``: check the
        certificate (certifi's CAs), or a CA bundle file, or False."""
        if max_answer_bytes < 1:
            raise ValueError("max_answer_bytes must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout),
                                       verify=tls_context(self.base_url, verify),
                                       transport=transport, follow_redirects=False)
        token_url = token_path if token_path.lower().startswith(("http://", "https://")) \
            else f"{self.base_url}/{token_path.lstrip('/')}"
        self.tokens = TokenSource(self._http, token_url, client_id, client_secret, partner_id,
                                  timeout=timeout)

    def __repr__(self) -> str:
        return f"WalletClient({self.base_url!r})"

    async def __aenter__(self) -> WalletClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- one call ---------------------------------------------------------------------------

    async def _call(self, what: str, method: str, path: str, *, body: bytes | None = None,
                    query: Mapping[str, str] | None = None, empty_ok: bool = False
                    ) -> tuple[Any, str]:
        """The decoded JSON of a 200 (None for an empty body where ``empty_ok``) and the body
        as text (masked) for the journal."""
        url = f"{self.base_url}{API}{path}"
        if query:
            url += "?" + urlencode(query, quote_via=quote)  # spaces as %20, not +
        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        access = await self.tokens.access()
        for attempt in (1, 2):
            headers["Authorization"] = f"Bearer {access}"
            status, raw = await exchange(
                self._http, method, url, what=what, content=body, headers=headers,
                timeout=self.timeout, limit=self.max_answer_bytes, scrub=self.tokens.scrub)
            log.info("wallet %s: HTTP %s", what, status)
            text = self.tokens.scrub(raw[:MAX_ANSWER_TEXT * 4].decode("utf-8", "replace"))
            if status != 401:
                return self._answer(what, status, raw, text, empty_ok), text
            if attempt == 1:
                log.info("wallet %s: 401, renewing the token and repeating once", what)
                access = await self.tokens.renew(access)
        log.error("wallet %s: still 401 after renewing the token", what)
        raise WalletAuthError(401, answer_text=text)

    def _answer(self, what: str, status: int, raw: bytes, text: str, empty_ok: bool) -> Any:
        if status == 200:
            if not raw.strip():
                if empty_ok:
                    return None
                raise WalletNoAnswer("bad_json", TEXT_BROKEN, status=200, answer_text=text)
            try:
                return decode_body(raw)
            except WireFormatError as error:
                log.warning("wallet %s: the body is not JSON (%s)", what, error)
                raise WalletNoAnswer("bad_json", TEXT_BROKEN, status=200,
                                     answer_text=text) from None
        code, message, fields = self._error_body(raw)
        if 400 <= status < 500 or status in REFUSED_5XX:
            log.warning("wallet %s: refused, HTTP %s, code %s", what, status, code)
            raise WalletRefused(status, code=code, message=message, field_errors=fields,
                                answer_text=text)
        # 500, another 5xx, a redirect, a 2xx other than 200: nothing proves nothing was done
        log.warning("wallet %s: HTTP %s, outcome unknown", what, status)
        said = f": {message}" if message else ""
        raise WalletNoAnswer("http", f"Сервис кошельков ответил ошибкой HTTP {status}{said} — "
                                     "результат операции неизвестен", status=status,
                             message=message, answer_text=text)

    def _error_body(self, raw: bytes) -> tuple[str | None, str, dict[str, str]]:
        """``{code, message, fieldErrors}`` where the body is that; else nothing."""
        try:
            data = decode_body(raw) if raw.strip() else None
        except WireFormatError:
            data = None
        if not isinstance(data, Mapping):
            return None, "", {}
        code = data.get("code")
        code_text = None
        if isinstance(code, str | int) and not isinstance(code, bool):
            code_text = clean_message(str(code), 100) or None
        message = clean_message(self.tokens.scrub(str(data.get("message") or "")))
        fields: dict[str, str] = {}
        given = data.get("fieldErrors")
        if isinstance(given, Mapping):
            for name, said in list(given.items())[:20]:
                fields[clean_message(name, 60)] = clean_message(
                    self.tokens.scrub("" if said is None else str(said)))
        elif isinstance(given, list):  # [{field, message}] as some frameworks send it
            for item in given[:20]:
                if isinstance(item, Mapping) and item.get("field"):
                    fields[clean_message(item["field"], 60)] = clean_message(
                        self.tokens.scrub(str(item.get("message") or "")))
        return code_text, message, fields

    async def _typed(self, what: str, method: str, path: str, parse: Callable[[Any], M], *,
                     body: bytes | None = None, query: Mapping[str, str] | None = None,
                     empty_ok: bool = False) -> M:
        data, text = await self._call(what, method, path, body=body, query=query,
                                      empty_ok=empty_ok)
        return self._parse(what, data, text, parse)

    @staticmethod
    def _parse(what: str, data: Any, text: str, parse: Callable[[Any], M]) -> M:
        """``parse(data)``; anything but a good answer is no answer, with the body kept."""
        try:
            return parse(data)
        except WalletNoAnswer as error:
            log.warning("wallet %s: unusable answer: %s", what, error)
            error.answer_text = text[:MAX_ANSWER_TEXT]
            raise
        except WalletError:
            raise
        except Exception:
            log.exception("wallet %s: the answer could not be parsed", what)
            raise WalletNoAnswer("bad_answer", TEXT_UNREADABLE,
                                 answer_text=text) from None

    # --- the methods ------------------------------------------------------------------------

    async def register(self, phone: str, identification: int | None = None) -> Registered:
        body = registration_body(phone, identification)
        return await self._typed("registration", "POST", "/registration", Registered.parse,
                                 body=body)

    async def info(self, wallet_id: str) -> WalletInfo:
        return await self._typed("info", "GET", f"/{_path_id(wallet_id)}/info",
                                 WalletInfo.parse)

    async def deactivate(self, wallet_id: str) -> str:
        wallet = _path_id(wallet_id)

        def parse(data: Any) -> str:
            named = named_wallet(data)
            if named != wallet:
                raise bad("закрыт другой кошелёк")
            return named

        return await self._typed("deactivation", "POST", f"/{wallet}/deactivation", parse)

    async def identify(self, wallet_id: str, level: int) -> Registered:
        wallet = _path_id(wallet_id)
        if isinstance(level, bool) or level not in (0, 1, 2):
            raise WalletInputError("identification", "Уровень идентификации — 0, 1 или 2")

        def parse(data: Any) -> Registered:
            answer = Registered.parse(data)
            if answer.wallet_id != wallet:
                raise bad("ответ о другом кошельке")
            return answer

        return await self._typed("identification", "POST",
                                 f"/{wallet}/identification/{level}", parse)

    async def report(self, wallet_id: str, flt: ReportFilter = FIRST_PAGE) -> ReportPage:
        return await self._typed("report", "GET", f"/{_path_id(wallet_id)}/report",
                                 lambda data: ReportPage.parse(data, flt), query=flt.query())

    async def report_all(self, wallet_id: str, flt: ReportFilter = FIRST_PAGE
                         ) -> list[Operation]:
        """Every operation the filter selects: pages of 100 from page 0, until an empty or
        short page or ``total``, and at most :data:`MAX_REPORT_PAGES` pages."""
        operations: list[Operation] = []
        for number in range(MAX_REPORT_PAGES):
            page = await self.report(wallet_id, replace(flt, page=number, size=REPORT_MAX_SIZE))
            operations.extend(page.content)
            if len(page.content) < REPORT_MAX_SIZE:
                return operations
            if page.total is not None and (number + 1) * REPORT_MAX_SIZE >= page.total:
                return operations
        log.warning("wallet report: stopped after %s pages (%s operations)", MAX_REPORT_PAGES,
                    len(operations))
        return operations

    async def refill(self, wallet_id: str, body: bytes) -> Refill:
        wallet = _path_id(wallet_id)
        asked = _sent_field(body, "amount")

        def parse(data: Any) -> Refill:
            answer = Refill.parse(data)
            if isinstance(asked, Decimal | int) and answer.amount != asked:
                raise bad("сумма пополнения в ответе не та, что в запросе")
            return answer

        return await self._typed("refill", "POST", f"/{wallet}/refill", parse,
                                 body=_bytes(body))

    async def initialize_payment(self, wallet_id: str) -> PaymentToken:
        wallet = _path_id(wallet_id)

        def parse(data: Any) -> PaymentToken:
            answer = PaymentToken.parse(data)
            if answer.wallet_id != wallet:
                raise bad("токен выдан для другого кошелька")
            return answer

        return await self._typed("payment_init", "GET", f"/{wallet}/payment/initialization",
                                 parse)

    async def pay(self, wallet_id: str, body: bytes) -> PaymentToken:
        """A success names the body's walletId and token; anything else is no answer."""
        wallet = _path_id(wallet_id)
        given = _body_object(body, "token")
        sent = PaymentToken.parse(given) if _is_token_body(given) else None
        if sent is None:
            raise WalletInputError("token", "В теле оплаты нет walletId и token (UUID)")
        if sent.wallet_id != wallet:
            raise WalletInputError("walletId", "walletId в теле оплаты не тот, что в адресе")

        def parse(data: Any) -> PaymentToken:
            answer = PaymentToken.parse(data)
            if (answer.wallet_id, answer.token) != (sent.wallet_id, sent.token):
                raise bad("ответ об оплате не с тем walletId или token")
            return answer

        return await self._typed("payment", "POST", f"/{wallet}/payment", parse,
                                 body=body)

    async def banks(self) -> tuple[Bank, ...]:
        return await self._typed("banks", "GET", "/wifhdrawal/banks", Bank.parse_list)

    async def withdraw(self, wallet_id: str, body: bytes) -> Withdrawal:
        wallet = _path_id(wallet_id)
        _bytes(body)
        return await self._typed("withdrawal", "POST", f"/{wallet}/wifhdrawal",
                                 Withdrawal.parse, body=body, empty_ok=True)

    async def limits(self, wallet_id: str) -> Limits:
        return await self._typed("limit_get", "GET", f"/{_path_id(wallet_id)}/limit",
                                 Limits.parse)

    async def set_limits(self, wallet_id: str, body: bytes) -> Limits:
        """The limits now in force: the answer, or (an empty 200) a GET after it."""
        wallet = _path_id(wallet_id)
        data, text = await self._call("limit_set", "POST", f"/{wallet}/limit", body=_bytes(body),
                                      empty_ok=True)
        if data is None:
            return await self.limits(wallet)
        return self._parse("limit_set", data, text, Limits.parse)


def _bytes(body: bytes) -> bytes:
    if not isinstance(body, bytes):
        raise WalletInputError("body", "Тело запроса должно быть байтами (requests.*_body)")
    return body


def _sent_field(body: bytes, name: str) -> Any:
    """A field of the caller's body, to compare the answer with (None when unreadable: the
    bytes are sent unchanged all the same)."""
    try:
        data = decode_body(_bytes(body))
    except WireFormatError:
        return None
    return data.get(name) if isinstance(data, Mapping) else None


def _is_token_body(data: Mapping[str, Any]) -> bool:
    try:
        PaymentToken.parse(data)
    except WalletNoAnswer:
        return False
    return True
