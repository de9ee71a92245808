"""Async client of the processing API v20 (httpx).

Every call is ``POST <base>/api/v20/<method>`` with a JSON body in UTF-8. A call returns a
typed answer for whatever result code came back (final or not) and raises:

* :class:`TransportError` when there is no usable answer (refused, reset, timeout, HTTP 5xx
  or another unexpected status, a body that is not JSON, JSON without ``result``) — non-final;
* :class:`AuthError` on HTTP 401/403 — a configuration problem.

The body is passed as bytes where it matters (check, pay): a repeat sends the same bytes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from cashier_app.core.result_codes import Finality
from cashier_app.core.wire import WireFormatError, decode_body, encode_body

from .errors import AuthError, ResponseFormatError, TransportError
from .models import AgentBalance, Answer, OperatorAnswer, PaymentAnswer, ServicesAnswer
from .retry import RetryPolicy

log = logging.getLogger(__name__)

API_PREFIX = "/api/v20/"
A = TypeVar("A", bound=Answer)


class ProcessingClient:
    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        auth_scheme: str = "Bearer",
        timeout: float = 15.0,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"{auth_scheme} {token}".strip()
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
        """Send ``body`` unchanged; return the decoded JSON answer (numbers as Decimal)."""
        url = self.url(method)
        try:
            response = await self._http.post(url, content=body)
        except httpx.TimeoutException as error:
            raise TransportError("timeout", "Процессинг не ответил вовремя") from error
        except httpx.ConnectError as error:
            raise TransportError("connect", "Нет связи с процессингом") from error
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise TransportError("reset", "Связь с процессингом прервалась") from error
        except httpx.TransportError as error:
            raise TransportError("transport", f"Ошибка связи с процессингом: {error}") from error
        status = response.status_code
        if status in (401, 403):
            raise AuthError(status)
        if status != 200:
            log.warning("processing %s answered HTTP %s", method, status)
            raise TransportError(
                "http", f"Процессинг ответил ошибкой HTTP {status}", status=status
            )
        try:
            data = decode_body(response.content)
        except WireFormatError as error:
            log.warning("processing %s sent a body that is not JSON: %r", method,
                        response.content[:200])
            raise TransportError("bad_json", "Процессинг прислал повреждённый ответ") from error
        return data

    async def _call(self, method: str, body: bytes, parse: Callable[[Any], A]) -> A:
        data = await self.post(method, body)
        try:
            return parse(data)
        except ResponseFormatError as error:
            # a JSON answer without a result code is as good as no answer
            raise TransportError("bad_answer", str(error)) from error

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
