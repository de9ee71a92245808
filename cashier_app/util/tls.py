"""TLS for the program's HTTP clients (the processing center, the wallet service): one
certificate check built once per process, and the SSL error hidden in an httpx exception's
chain (its kind decides the Russian text a client shows: a certificate that failed its check
is the engineer's business, a broken handshake the network's)."""

from __future__ import annotations

import functools
import ssl

import certifi


def tls_context(base_url: str) -> ssl.SSLContext:
    """The certificate check for a client of ``base_url``, as httpx makes it by default
    (certifi's CAs), built once per process: loading the CA bundle costs tens of
    milliseconds of every start, once per client. A plain ``http://`` URL (an emulator, a
    service on this computer) never uses TLS — no redirect is followed — so its clients get a
    strict context with no CA at all, which refuses any certificate."""
    if base_url.lower().startswith("https://"):
        return _certifi_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, and trusts nobody


@functools.cache
def _certifi_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def find_ssl_error(error: BaseException) -> ssl.SSLError | None:
    """The SSL error among ``error``'s causes and contexts, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
