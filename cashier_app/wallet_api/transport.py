"""One HTTP exchange with the wallet service, bounded in total time and in bytes.

Why not reuse the processing client's reader: the wallet is a sibling of processing and must
not import it (the layer contract). This one is simpler: we ask for ``Accept-Encoding:
identity``, so there is nothing to inflate, and any Content-Encoding that still comes is no
answer. ``timeout`` covers connecting, sending and the last byte (a server that drips a byte a
second cannot hold a call); ``limit`` applies to the bytes received.

Every failure is :class:`WalletNoAnswer` with a fixed Russian text; the exception's own text
(which could quote a URL or a header) goes to the log only, through ``scrub``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable

import httpx

from cashier_app.util.tls import find_ssl_error
from cashier_app.util.tls import tls_context as shared_tls_context

from .errors import WalletNoAnswer

log = logging.getLogger(__name__)

TEXT_TIMEOUT = "Сервис кошельков не ответил вовремя"
TEXT_CONNECT = "Нет связи с сервисом кошельков"
TEXT_RESET = "Связь с сервисом кошельков прервалась"
TEXT_TRANSPORT = "Ошибка связи с сервисом кошельков (подробности в логе)"
TEXT_TLS_CERT = ("Сертификат сервиса кошельков не прошёл проверку: проверьте wallet.url и "
                 "wallet.ca_bundle")
TEXT_TLS = "Не удалось установить защищённое соединение (TLS) с сервисом кошельков"
TEXT_ENCODING = "Сервис кошельков прислал ответ в неизвестном сжатии (Content-Encoding)"


def header_safe(text: str) -> bool:
    """Visible ASCII only: anything else makes h11 raise with the header value (the token)
    in its message."""
    return bool(text) and all("\x21" <= ch <= "\x7e" for ch in text)


def size_text(limit: int) -> str:
    return f"{limit / 2**20:.0f} МБ" if limit >= 2**20 else f"{max(1, limit // 2**10)} КБ"


def too_large(limit: int) -> WalletNoAnswer:
    return WalletNoAnswer("too_large", f"Ответ сервиса кошельков больше {size_text(limit)} — "
                                       "это не ответ")


def tls_context(base_url: str, verify: bool | str) -> ssl.SSLContext | bool:
    """What httpx gets as ``verify``: certifi's CAs (built once per process) for https, a CA
    bundle file when given, and for plain http a strict context that trusts nobody (no
    redirect is followed, so it is never used)."""
    if verify is False:
        return False
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return shared_tls_context(base_url)


def no_answer(what: str, error: BaseException, scrub: Callable[[str], str]) -> WalletNoAnswer:
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
    log.warning("wallet %s: no answer (%s): %s: %s", what, kind, type(error).__name__,
                scrub(str(error))[:300])
    return WalletNoAnswer(kind, text)


async def exchange(http: httpx.AsyncClient, method: str, url: str, *, what: str,
                   content: bytes | None, headers: dict[str, str], timeout: float, limit: int,
                   scrub: Callable[[str], str]) -> tuple[int, bytes]:
    """Send one request; return its status and body. Raises only WalletNoAnswer."""
    try:
        async with asyncio.timeout(timeout):
            async with http.stream(method, url, content=content, headers=headers) as response:
                coding = response.headers.get("Content-Encoding", "").strip().lower()
                if coding not in ("", "identity"):
                    raise WalletNoAnswer("bad_encoding", TEXT_ENCODING,
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
    except WalletNoAnswer as error:
        log.warning("wallet %s: no answer (%s)", what, error.kind)
        raise
    except TimeoutError:
        log.warning("wallet %s: no answer within %s s", what, timeout)
        raise WalletNoAnswer("timeout", TEXT_TIMEOUT) from None
    except Exception as error:
        raise no_answer(what, error, scrub) from None
