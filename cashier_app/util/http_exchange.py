"""One HTTP exchange with a service, bounded in total time and in bytes, and what an
exception from sending or reading means — for the clients that must not import each other
(the wallet's and the card gateway's; the processing client shares the classification).

We ask for ``Accept-Encoding: identity``, so there is nothing to inflate, and any
Content-Encoding that still comes is no answer. ``timeout`` covers connecting, sending and the
last byte (a server that drips a byte a second cannot hold a call); ``limit`` applies to the
bytes received.

Every failure is the client's no-answer error (:attr:`HttpPeer.error`, made as
``error(kind, text, status=…)``) with a fixed Russian text; the exception's own text (which
could quote a URL or a header) goes to the log only, through ``scrub``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from .tls import find_ssl_error

E = TypeVar("E", bound=Exception)


@dataclass(frozen=True)
class NoAnswerTexts:
    """The fixed texts of the no-answer kinds (they reach the journal and the screen)."""

    timeout: str
    connect: str
    reset: str
    transport: str
    tls_cert: str  # the server's certificate failed its check
    tls: str  # another TLS failure (a handshake, the client's certificate)


@dataclass(frozen=True)
class ExchangeTexts(NoAnswerTexts):
    encoding: str  # an answer in a Content-Encoding we did not ask for
    too_large: str  # an answer over the limit; ``{size}`` is the limit, as size_text gives it


def classify(error: BaseException, texts: NoAnswerTexts) -> tuple[str, str]:
    """``(kind, text)`` for an exception while sending or reading: ``tls`` (an SSL error in
    its chain; the certificate check's own text when that failed), ``timeout``, ``connect``,
    ``reset`` or ``transport`` (anything else)."""
    found = find_ssl_error(error)
    if isinstance(found, ssl.SSLCertVerificationError):
        return "tls", texts.tls_cert
    if found is not None:
        return "tls", texts.tls
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return "timeout", texts.timeout
    if isinstance(error, httpx.ConnectError):
        return "connect", texts.connect
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "reset", texts.reset
    return "transport", texts.transport


def header_safe(text: str) -> bool:
    """Visible ASCII only: anything else makes h11 raise with the header value (the token)
    in its message."""
    return bool(text) and all("\x21" <= ch <= "\x7e" for ch in text)


def size_text(limit: int) -> str:
    return f"{limit / 2**20:.0f} МБ" if limit >= 2**20 else f"{max(1, limit // 2**10)} КБ"


@dataclass(frozen=True)
class HttpPeer(Generic[E]):
    """The service at the other end: ``name`` begins its log lines (``card``, ``wallet``),
    ``error`` is its no-answer error class, ``texts`` its fixed texts, ``log`` the client's
    logger."""

    name: str
    error: type[E]
    texts: ExchangeTexts
    log: logging.Logger

    def _no_answer_error(self, kind: str, text: str, status: int | None = None) -> E:
        make: Callable[..., E] = self.error
        return make(kind, text, status=status)

    def too_large(self, limit: int) -> E:
        return self._no_answer_error("too_large",
                                     self.texts.too_large.format(size=size_text(limit)))

    def no_answer(self, what: str, error: BaseException, scrub: Callable[[str], str]) -> E:
        kind, text = classify(error, self.texts)
        self.log.warning("%s %s: no answer (%s): %s: %s", self.name, what, kind,
                         type(error).__name__, scrub(str(error))[:300])
        return self._no_answer_error(kind, text)

    async def exchange(self, http: httpx.AsyncClient, method: str, url: str, *, what: str,
                       content: bytes | None, headers: dict[str, str], timeout: float,
                       limit: int, scrub: Callable[[str], str]) -> tuple[int, bytes]:
        """Send one request; return its status and body. Raises only :attr:`error`."""
        try:
            async with asyncio.timeout(timeout):
                async with http.stream(method, url, content=content,
                                       headers=headers) as response:
                    coding = response.headers.get("Content-Encoding", "").strip().lower()
                    if coding not in ("", "identity"):
                        raise self._no_answer_error("bad_encoding", self.texts.encoding,
                                                    status=response.status_code)
                    declared = response.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise self.too_large(limit)
                    body = bytearray()
                    try:
                        async for chunk in response.aiter_raw():
                            body += chunk
                            if len(body) > limit:
                                raise self.too_large(limit)
                    except httpx.StreamConsumed:
                        # a transport that hands over a response already read
                        # (httpx.MockTransport)
                        body = bytearray(response.content)
                        if len(body) > limit:
                            raise self.too_large(limit) from None
                    return response.status_code, bytes(body)
        except self.error as error:
            self.log.warning("%s %s: no answer (%s)", self.name, what,
                             getattr(error, "kind", "?"))
            raise
        except TimeoutError:
            self.log.warning("%s %s: no answer within %s s", self.name, what, timeout)
            raise self._no_answer_error("timeout", self.texts.timeout) from None
        except Exception as error:
            raise self.no_answer(what, error, scrub) from None
