"""Async client of the processing API v20 (httpx).

Every call is ``POST <base>/api/v20/<method>`` with a JSON body in UTF-8. A call returns a
typed answer for whatever result code came back (final or not) and raises only:

* :class:`TransportError` when there is no usable answer (refused, reset, timeout, TLS, HTTP
  5xx or another unexpected status, a body that is not JSON, JSON without ``result``, an
  answer too large or in an unknown encoding) — non-final;
* :class:`AuthError` on HTTP 401/403 (or a token that cannot be sent) — a configuration
  problem.

Whatever the server does, nothing else escapes: an unexpected exception anywhere in sending,
reading, decoding or parsing is no answer, logged with its detail. Every request is bounded:
in time (``timeout`` covers connecting, sending and reading the last byte, so a server that
drips a byte a second cannot hold a call), and in bytes (``max_answer_bytes`` applies to the
bytes received and, separately, to the body after Content-Encoding is undone, so a small gzip
bomb cannot expand in memory). An answer over the bound is treated as no answer.

The body is passed as bytes where it matters (check, pay): a repeat sends the same bytes.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from cashier_app.core.answers import (
    AgentBalance,
    Answer,
    OperatorAnswer,
    PaymentAnswer,
    ServicesAnswer,
)
from cashier_app.core.result_codes import Finality
from cashier_app.core.wire import WireFormatError, decode_body, encode_body
from cashier_app.util.http_exchange import NoAnswerTexts, classify
from cashier_app.util.tls import tls_context

from .errors import AuthError, ResponseFormatError, TransportError
from .retry import RetryPolicy

log = logging.getLogger(__name__)

API_PREFIX = "/api/v20/"
#: 32 MiB: a 10,000-service catalog is about 3.4 MB as the emulator sends it.
DEFAULT_MAX_ANSWER_BYTES = 32 * 1024 * 1024
A = TypeVar("A", bound=Answer)
P = TypeVar("P")

# Fixed texts: they reach the journal and the screen; details go to the log only.
TEXT_TIMEOUT = "Процессинг не ответил вовремя"
TEXT_CONNECT = "Нет связи с процессингом"
TEXT_RESET = "Связь с процессингом прервалась"
TEXT_TRANSPORT = "Ошибка связи с процессингом (подробности в логе)"
TEXT_TLS_CERT = ("Сертификат процессинга не прошёл проверку: проверьте адрес процессинга "
                 "и processing.ca_bundle")
TEXT_TLS = "Не удалось установить защищённое соединение (TLS) с процессингом"
TEXT_BROKEN = "Процессинг прислал повреждённый ответ"
TEXT_ENCODING = "Процессинг прислал ответ в неизвестном сжатии (Content-Encoding)"
TEXT_UNREADABLE = "Процессинг прислал ответ, который не удалось разобрать"
TEXT_BAD_TOKEN = ("Токен процессинга (processing.token) содержит недопустимые символы "
                  "(пробел, перевод строки, не-ASCII): исправьте настройки")


def header_safe(text: str) -> bool:
    """True when ``text`` can go into an HTTP header as is: visible ASCII only.

    Anything else makes httpx/h11 raise with the header value (the token) in the message."""
    return all("\x21" <= ch <= "\x7e" for ch in text)


def _size_text(limit: int) -> str:
    if limit >= 2**20:
        return f"{limit / 2**20:.0f} МБ"
    return f"{limit / 2**10:.0f} КБ"


def _too_large(limit: int) -> TransportError:
    return TransportError(
        "too_large",
        f"Ответ процессинга больше {_size_text(limit)} — это не ответ, запрос будет повторён")


_STEP = 64 * 1024


class _Body:
    """The answer's bytes as they arrive, Content-Encoding undone, never beyond ``limit``.

    zlib's ``max_length`` caps each step's output at what is still allowed, so memory stays
    within the bound even when 1 MB of gzip would expand to gigabytes."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise TransportError("bad_encoding", TEXT_ENCODING)
        self.coding = codings[0] if codings else ""
        self.limit = limit
        self.received = 0
        self._out = bytearray()
        self._first = True
        self._z: Any = self._inflater() if self.coding else None  # zlib's Decompress

    def _inflater(self, raw_deflate: bool = False) -> Any:
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > self.limit:
            raise _too_large(self.limit)
        if self._z is None:
            self._out += chunk
        elif chunk:
            self._inflate(chunk)

    def _inflate(self, data: bytes) -> None:
        while True:
            room = self.limit - len(self._out)
            step = min(room + 1, _STEP)  # small steps: no big temporary buffers either
            try:
                piece = self._z.decompress(data, step)
            except zlib.error as error:
                if self._first and self.coding == "deflate":
                    # "deflate" is zlib-wrapped by the RFC, raw from some servers
                    self._z, self._first = self._inflater(raw_deflate=True), False
                    continue
                raise TransportError("bad_encoding", TEXT_BROKEN) from error
            self._first = False
            if len(piece) > room:
                raise _too_large(self.limit)
            self._out += piece
            if not self._z.eof:
                data = self._z.unconsumed_tail
                if not data and len(piece) < step:
                    return  # all input used and no output pending
                continue
            rest = self._z.unused_data
            if not rest:
                return
            if self.coding == "deflate" or not rest.startswith(b"\x1f\x8b"):
                raise TransportError("bad_encoding", TEXT_BROKEN)
            self._z, data = self._inflater(), rest  # the next member of a multi-member gzip

    def finish(self) -> bytes:
        if self._z is not None and not self._z.eof:
            raise TransportError("bad_encoding", TEXT_BROKEN)  # the stream was cut short
        body, self._out = bytes(self._out), bytearray()
        return body


_TEXTS = NoAnswerTexts(timeout=TEXT_TIMEOUT, connect=TEXT_CONNECT, reset=TEXT_RESET,
                       transport=TEXT_TRANSPORT, tls_cert=TEXT_TLS_CERT, tls=TEXT_TLS)


def _no_answer(method: str, error: Exception) -> TransportError:
    """The TransportError for an exception while sending or reading, with a fixed text."""
    kind, text = classify(error, _TEXTS)
    if kind == "transport" and isinstance(error, httpx.DecodingError):
        kind, text = "bad_encoding", TEXT_BROKEN
    log.warning("processing %s: no answer (%s): %s: %s", method, kind,
                type(error).__name__, error)
    return TransportError(kind, text)


def parse_answer(method: str, data: Any, parse: Callable[[Any], P]) -> P:
    """``parse(data)``, where anything but a good answer is no answer (TransportError).

    A JSON answer without a result code is as good as no answer; so is one that trips an
    unexpected exception in parsing (logged: that one is a bug to fix, but never a crash)."""
    try:
        return parse(data)
    except ResponseFormatError as error:
        log.warning("processing %s: unusable answer: %s", method, error)
        raise TransportError("bad_answer", str(error)) from error
    except Exception as error:
        log.exception("processing %s: the answer could not be parsed", method)
        raise TransportError("bad_answer", TEXT_UNREADABLE) from error


class ProcessingClient:
    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        auth_scheme: str = "Bearer",
        timeout: float = 15.0,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        """``timeout``: seconds for the whole of one request; ``max_answer_bytes``: the most
        an answer may take, received and expanded; ``verify``: check the certificate, or a CA
        bundle file, or a ready SSL context."""
        if max_answer_bytes < 1:
            raise ValueError("max_answer_bytes must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Accept-Encoding": "gzip, deflate"}
        # A token that cannot be a header value is never handed to httpx: its error would
        # quote it. Every call then fails as a configuration problem, nothing is sent.
        self._token_problem = bool(token) and not (header_safe(token) and header_safe(
            auth_scheme))
        if token and not self._token_problem:
            headers["Authorization"] = f"{auth_scheme} {token}".strip()
        if isinstance(verify, str):
            verify = ssl.create_default_context(cafile=verify)
        elif verify is True:
            verify = tls_context(self.base_url)
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> ProcessingClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def url(self, method: str) -> str:
        """``<base>/api/v20/<method>``; a method given as ``/a/path`` is ``<base>/a/path``
        (the seed-000 methods' paths are settings)."""
        if method.startswith("/"):
            return f"{self.base_url}{method}"
        return f"{self.base_url}{API_PREFIX}{method}"

    async def post(self, method: str, body: bytes) -> Any:
        """Send ``body`` unchanged; return the decoded JSON answer (numbers as Decimal).

        Raises only TransportError and AuthError."""
        if self._token_problem:
            raise AuthError(None, TEXT_BAD_TOKEN)
        try:
            async with asyncio.timeout(self.timeout):
                raw = await self._exchange(method, self.url(method), body)
        except TimeoutError:
            log.warning("processing %s: no answer within %s s", method, self.timeout)
            raise TransportError("timeout", TEXT_TIMEOUT) from None
        try:
            return decode_body(raw)
        except WireFormatError as error:
            log.warning("processing %s sent a body that is not JSON (%s): %r", method,
                        error, raw[:200])
            raise TransportError("bad_json", TEXT_BROKEN) from error
        except Exception as error:  # decode_body promises WireFormatError only; belt and braces
            log.exception("processing %s: the body could not be decoded", method)
            raise TransportError("bad_json", TEXT_BROKEN) from error

    async def _exchange(self, method: str, url: str, body: bytes) -> bytes:
        """One request: the answer's body, decoded from its Content-Encoding and bounded."""
        try:
            async with self._http.stream("POST", url, content=body) as response:
                status = response.status_code
                if status in (401, 403):
                    raise AuthError(status)
                if status != 200:
                    raise TransportError(
                        "http", f"Процессинг ответил ошибкой HTTP {status}", status=status)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.max_answer_bytes:
                    raise _too_large(self.max_answer_bytes)  # not worth reading
                reader = _Body(response.headers.get("Content-Encoding", ""),
                               self.max_answer_bytes)
                try:
                    async for chunk in response.aiter_raw():
                        reader.feed(chunk)
                except httpx.StreamConsumed:
                    # a transport that hands over a response already read and decoded
                    # (httpx.MockTransport in tests): its bytes are the body
                    reader = _Body("", self.max_answer_bytes)
                    reader.feed(response.content)
                return reader.finish()
        except AuthError:
            raise
        except TransportError as error:
            log.warning("processing %s: no answer (%s): %s%s", method, error.kind, error,
                        f" ({error.__cause__!r})" if error.__cause__ else "")
            raise
        except Exception as error:
            raise _no_answer(method, error) from error

    async def _call(self, method: str, body: bytes, parse: Callable[[Any], A]) -> A:
        return parse_answer(method, await self.post(method, body), parse)

    async def services(self) -> ServicesAnswer:
        return await self._call("services", b"{}", ServicesAnswer.parse)

    async def service(self, service_id: str) -> ServicesAnswer:
        return await self._call(
            "service", encode_body({"serviceId": service_id}), ServicesAnswer.parse
        )

    async def balance(self) -> AgentBalance:
        return await self._call("balance", b"{}", AgentBalance.parse)

    async def check(self, body: bytes) -> PaymentAnswer:
        return await self._call("check", body, PaymentAnswer.parse)

    async def pay(self, body: bytes) -> PaymentAnswer:
        return await self._call("pay", body, PaymentAnswer.parse)

    async def operator_by_phone(self, phone_number: str) -> OperatorAnswer:
        return await self._call(
            "operatorByPhone", encode_body({"phoneNumber": phone_number}), OperatorAnswer.parse
        )


async def until_final(
    send: Callable[[], Awaitable[PaymentAnswer]],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_attempts: int | None = None,
    on_outcome: Callable[[int, PaymentAnswer | Exception], None] | None = None,
) -> tuple[PaymentAnswer | None, bool]:
    """Repeat ``send`` (which must send the same bytes each time) until a final answer.

    Returns ``(answer, final)``. Non-final codes and transport/auth failures are repeated at
    the policy's intervals; a 202 after a non-final answer is not final. When
    ``max_attempts`` runs out, returns the last answer (or None) with ``final=False``.
    """
    attempt = 0
    after_non_final = False
    last: PaymentAnswer | None = None
    while True:
        attempt += 1
        try:
            answer = await send()
        except (TransportError, AuthError) as error:
            if on_outcome:
                on_outcome(attempt, error)
            # No answer. The body never changes, so if the server did get it, a repeat returns
            # that earlier result; a 202 here is therefore the server's verdict on the request
            # itself and stays final. Only a non-final *answer* makes a later 202 non-final.
        else:
            last = answer
            if on_outcome:
                on_outcome(attempt, answer)
            if answer.finality(after_non_final=after_non_final) is not Finality.NOT_FINAL:
                return answer, True
            after_non_final = True
        if max_attempts is not None and attempt >= max_attempts:
            return last, False
        await sleep(policy.delay(attempt))
