"""One HTTP exchange with the card gateway, bounded in total time and in bytes, and the TLS
context with the client certificate.

Why not reuse the wallet's reader: ``card_api`` is a sibling of ``wallet_api`` and
``processing`` and must not import them (the layer contract). We ask for ``Accept-Encoding:
identity``, so there is nothing to inflate, and any Content-Encoding that still comes is no
answer. ``timeout`` covers connecting, sending and the last byte (a server that drips a byte a
second cannot hold a call); ``limit`` applies to the bytes received.

Every failure is :class:`CardNoAnswer` with a fixed Russian text; the exception's own text
(which could quote a URL or a header) goes to the log only, through ``scrub``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Callable

import certifi
import httpx

from cashier_app.util.tls import find_ssl_error
from cashier_app.util.tls import tls_context as shared_tls_context

from .errors import CardInputError, CardNoAnswer

log = logging.getLogger(__name__)

TEXT_TIMEOUT = "Шлюз оплаты картой не ответил вовремя"
TEXT_CONNECT = "Нет связи со шлюзом оплаты картой"
TEXT_RESET = "Связь со шлюзом оплаты картой прервалась"
TEXT_TRANSPORT = "Ошибка связи со шлюзом оплаты картой (подробности в логе)"
TEXT_TLS_CERT = ("Сертификат шлюза оплаты картой не прошёл проверку: проверьте card.url и "
                 "сертификаты")
TEXT_TLS = ("Не удалось установить защищённое соединение (TLS) со шлюзом оплаты картой: "
            "проверьте card.cert")
TEXT_ENCODING = "Шлюз оплаты картой прислал ответ в неизвестном сжатии (Content-Encoding)"
CERT_TEXT = ("Не удалось прочитать сертификат клиента (card.cert): нужен файл PEM с "
             "сертификатом и закрытым ключом без пароля")


def header_safe(text: str) -> bool:
    """Visible ASCII only: anything else makes h11 raise with the header value (the token)
    in its message."""
    return bool(text) and all("\x21" <= ch <= "\x7e" for ch in text)


def size_text(limit: int) -> str:
    return f"{limit / 2**20:.0f} МБ" if limit >= 2**20 else f"{max(1, limit // 2**10)} КБ"


def too_large(limit: int) -> CardNoAnswer:
    return CardNoAnswer("too_large", f"Ответ шлюза оплаты картой больше {size_text(limit)} — "
                                     "это не ответ")


def tls_context(base_url: str, verify: bool | str, cert: str | None) -> ssl.SSLContext | bool:
    """What httpx gets as ``verify``. Without a client certificate: certifi's CAs (built once
    per process, shared) for https, a CA bundle file when given, False when told not to check;
    for plain http a strict context that trusts nobody (no redirect is followed, so it is
    never used). With ``cert`` (a PEM file with the certificate and its key): a context of our
    own — the shared one must never carry this client's key — loaded here, so that an
    unreadable file is a CardInputError when the client is made, not a failed payment later."""
    if cert is None:
        if verify is False:
            return False
        if isinstance(verify, str):
            return _context(verify)
        return shared_tls_context(base_url)
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = _context(verify if isinstance(verify, str) else certifi.where())
    try:
        if not os.path.isfile(cert):
            raise OSError("not a file")
        context.load_cert_chain(cert, password=_no_password)
    except (OSError, ssl.SSLError, ValueError) as error:
        log.error("card: the client certificate cannot be loaded: %s", type(error).__name__)
        raise CardInputError("card.cert", CERT_TEXT) from None
    return context


def _no_password() -> str:
    """A key with a password would make OpenSSL ask on the terminal; we refuse it instead."""
    raise ValueError("the key has a password")


def _context(cafile: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as error:
        log.error("card: the CA bundle cannot be loaded: %s", type(error).__name__)
        raise CardInputError("card.ca_bundle", "Не удалось прочитать файл корневых "
                                               "сертификатов шлюза оплаты картой") from None


def no_answer(what: str, error: BaseException, scrub: Callable[[str], str]) -> CardNoAnswer:
    found = find_ssl_error(error)
    if isinstance(found, ssl.SSLCertVerificationError):
        kind, text = "tls", TEXT_TLS_CERT
    elif found is not None:
        kind, text = "tls", TEXT_TLS
    elif isinstance(error, httpx.TimeoutException | TimeoutError):
        kind, text = "timeout", TEXT_TIMEOUT
    elif isinstance(error, httpx.ConnectError):
        kind, text = "connect", TEXT_CONNECT
    elif isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        kind, text = "reset", TEXT_RESET
    else:
        kind, text = "transport", TEXT_TRANSPORT
    log.warning("card %s: no answer (%s): %s: %s", what, kind, type(error).__name__,
                scrub(str(error))[:300])
    return CardNoAnswer(kind, text)


async def exchange(http: httpx.AsyncClient, url: str, *, what: str, content: bytes,
                   headers: dict[str, str], timeout: float, limit: int,
                   scrub: Callable[[str], str]) -> tuple[int, bytes]:
    """POST one request; return its status and body. Raises only CardNoAnswer."""
    try:
        async with asyncio.timeout(timeout):
            async with http.stream("POST", url, content=content, headers=headers) as response:
                coding = response.headers.get("Content-Encoding", "").strip().lower()
                if coding not in ("", "identity"):
                    raise CardNoAnswer("bad_encoding", TEXT_ENCODING,
                                       status=response.status_code)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise too_large(limit)
                body = bytearray()
                try:
                    async for chunk in response.aiter_raw():
                        body += chunk
                        if len(body) > limit:
                            raise too_large(limit)
                except httpx.StreamConsumed:
                    # a transport that hands over a response already read (httpx.MockTransport)
                    body = bytearray(response.content)
                    if len(body) > limit:
                        raise too_large(limit) from None
                return response.status_code, bytes(body)
    except CardNoAnswer as error:
        log.warning("card %s: no answer (%s)", what, error.kind)
        raise
    except TimeoutError:
        log.warning("card %s: no answer within %s s", what, timeout)
        raise CardNoAnswer("timeout", TEXT_TIMEOUT) from None
    except Exception as error:
        raise no_answer(what, error, scrub) from None
