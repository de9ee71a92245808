"""The partner's access token (seed 002 §4: OAuth2, «модифицированный Client Credentials Flow»).

``POST {wallet.url}{token_path}``, form-encoded, ``grant_type=client_credentials&client_id=…
&client_secret=…&partner_id=…`` → ``{access_token, refresh_token, token_type, expires_in}``;
renewal ``grant_type=refresh_token&refresh_token=…`` (the seed: «обменять refresh токен на
новую пару»). A refresh that fails for any reason — refused (``invalid_grant``: refresh tokens
are single-use and expire) or unanswered (the service may have used it up and the answer was
lost) — falls back to a new client-credentials grant, so the program recovers by itself.

Tokens live in this object's memory only. Neither ``repr`` nor a log line ever shows them or
the secret; :meth:`TokenSource.scrub` masks them in anything the service sends back. Renewals
are shared: concurrent callers wait on one lock, and a caller whose rejected token has already
been replaced gets the new one without a second grant.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from cashier_app.core.wire import WireFormatError, decode_body
from cashier_app.util.http_exchange import header_safe

from .errors import (
    WalletAuthError,
    WalletError,
    WalletNoAnswer,
    WalletRefused,
    clean_message,
)
from .transport import exchange

log = logging.getLogger(__name__)

#: Renew this long before the token's end (or half its life, when it is shorter).
RENEW_MARGIN = 10.0
#: ``expires_in`` when the service does not say (RFC 6749 only recommends it): renew often
#: rather than meet a 401 on every call.
DEFAULT_EXPIRES_IN = 60.0
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600
MAX_TOKEN = 8192
TOKEN_ANSWER_BYTES = 64 * 1024
TEXT_BAD_TOKEN_ANSWER = "Сервис кошельков выдал токен доступа, который нельзя использовать"
TEXT_BAD_CREDENTIALS = ("Учётные данные партнёра (wallet.client_id, wallet.client_secret, "
                        "wallet.partner_id) не заданы или содержат недопустимые символы")


class _Grant:
    __slots__ = ("access", "expires_at", "refresh")

    def __init__(self, access: str, refresh: str | None, expires_at: float) -> None:
        self.access, self.refresh, self.expires_at = access, refresh, expires_at


class TokenSource:
    """Gives a valid access token; renews it before it ends and after a 401."""

    def __init__(self, http: httpx.AsyncClient, url: str, client_id: str, client_secret: str,
                 partner_id: str, clock: Callable[[], float] = time.monotonic, *,
                 timeout: float = 15.0, max_answer_bytes: int = TOKEN_ANSWER_BYTES) -> None:
        self._http = http
        self.url = url
        self._client_id = client_id
        self._client_secret = client_secret
        self._partner_id = partner_id
        self._clock = clock
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self._grant: _Grant | None = None
        self._lock = asyncio.Lock()
        self._seen: list[str] = []  # every token ever held, for scrub()
        #: how many grants of each kind this source asked for (for the log and tests)
        self.grants = {"client_credentials": 0, "refresh_token": 0}

    def __repr__(self) -> str:
        return f"TokenSource(url={self.url!r}, has_token={self._grant is not None})"

    __str__ = __repr__

    def scrub(self, text: str) -> str:
        """``text`` with the secret and every token this source held replaced by ``***``."""
        for secret in (self._client_secret, *self._seen):
            if secret and len(secret) >= 4 and secret in text:
                text = text.replace(secret, "***")
        return text

    def _valid(self, grant: _Grant | None) -> bool:
        if grant is None:
            return False
        return self._clock() < grant.expires_at

    async def access(self) -> str:
        """A valid access token: the one held, or a renewed one near its end."""
        grant = self._grant
        if self._valid(grant):
            assert grant is not None
            return grant.access
        async with self._lock:
            grant = self._grant
            if self._valid(grant):
                assert grant is not None
                return grant.access
            return await self._obtain()

    async def renew(self, rejected: str) -> str:
        """After a 401 with ``rejected``: a new token (one renewal however many callers)."""
        async with self._lock:
            grant = self._grant
            if grant is not None and grant.access != rejected and self._valid(grant):
                return grant.access
            return await self._obtain()

    def forget(self) -> None:
        """Drop the tokens held (the next call gets a new grant)."""
        self._grant = None

    async def _obtain(self) -> str:
        """Refresh if there is a refresh token, else (or if that fails) client credentials.
        Called under the lock."""
        held = self._grant
        self._grant = None
        if held is not None and held.refresh:
            try:
                return self._keep(await self._ask("refresh_token", {
                    "grant_type": "refresh_token", "refresh_token": held.refresh}))
            except WalletError as error:
                log.info("wallet token: refresh failed (%s), asking for a new grant",
                         type(error).__name__)
        if not (header_safe(self._client_id) and self._client_secret and self._partner_id):
            raise WalletAuthError(0, message=TEXT_BAD_CREDENTIALS)
        return self._keep(await self._ask("client_credentials", {
            "grant_type": "client_credentials", "client_id": self._client_id,
            "client_secret": self._client_secret, "partner_id": self._partner_id}))

    def _keep(self, grant: _Grant) -> str:
        self._grant = grant
        self._seen.extend(t for t in (grant.access, grant.refresh) if t)
        del self._seen[:-8]
        return grant.access

    async def _ask(self, kind: str, form: Mapping[str, str]) -> _Grant:
        self.grants[kind] += 1
        status, raw = await exchange(
            self._http, "POST", self.url, what=f"token ({kind})",
            content=urlencode(form).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json", "Accept-Encoding": "identity"},
            timeout=self.timeout, limit=self.max_answer_bytes, scrub=self.scrub)
        log.info("wallet token (%s): HTTP %s", kind, status)
        if status == 200:
            return self._grant_from(raw)
        # an error answer is kept for the journal, masked (it should never hold a token)
        text = self.scrub(raw.decode("utf-8", "replace"))
        try:
            data: Any = decode_body(raw) if raw.strip() else {}
        except WireFormatError:
            data = {}
        code = data.get("error") if isinstance(data, Mapping) else None
        said = data.get("error_description") if isinstance(data, Mapping) else None
        code_text = clean_message(code, 100) or None
        message = clean_message(self.scrub(str(said))) if said else ""
        if status in (400, 401, 403):
            if kind == "client_credentials":
                log.error("wallet token: the partner's credentials were refused (HTTP %s, %s)",
                          status, code_text)
                raise WalletAuthError(status, code=code_text, message=message, answer_text=text)
            raise WalletRefused(status, code=code_text, message=message, answer_text=text)
        if 400 <= status < 500 or status in (502, 503):
            raise WalletRefused(status, code=code_text, message=message, answer_text=text)
        raise WalletNoAnswer("http", f"Сервис кошельков ответил ошибкой HTTP {status} на запрос "
                                     "токена", status=status, message=message, answer_text=text)

    def _grant_from(self, raw: bytes) -> _Grant:
        """The token answer. Its body is never kept anywhere (it is the tokens)."""
        try:
            data = decode_body(raw)
        except WireFormatError:
            data = None
        if not isinstance(data, Mapping):
            raise WalletNoAnswer("bad_json", TEXT_BAD_TOKEN_ANSWER)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not header_safe(access) or len(access) > MAX_TOKEN:
            raise WalletNoAnswer("bad_answer", TEXT_BAD_TOKEN_ANSWER)
        if refresh is not None and (not isinstance(refresh, str) or len(refresh) > MAX_TOKEN):
            raise WalletNoAnswer("bad_answer", TEXT_BAD_TOKEN_ANSWER)
        lifetime = _lifetime(data.get("expires_in"))
        if lifetime is None:
            raise WalletNoAnswer("bad_answer", TEXT_BAD_TOKEN_ANSWER)
        margin = min(RENEW_MARGIN, lifetime / 2)
        return _Grant(access, refresh or None, self._clock() + lifetime - margin)


def _lifetime(value: object) -> float | None:
    """``expires_in`` seconds: a positive number (some servers send it as a string)."""
    if value is None:
        return DEFAULT_EXPIRES_IN
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    seconds = Decimal(value)
    if not seconds.is_finite() or not 0 < seconds <= MAX_EXPIRES_IN:
        return None
    return float(seconds)
