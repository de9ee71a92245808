"""The client and the token source on a fake transport (no sockets): what each status and
each odd answer becomes, that answers are compared with the request, and that tokens are
shared, renewed and never shown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from cashier_app.wallet_api import (
    ReportFilter,
    TokenSource,
    WalletAuthError,
    WalletClient,
    WalletError,
    WalletInputError,
    WalletNoAnswer,
    WalletRefused,
    limits_body,
    payment_body,
    refill_body,
)

WALLET = "3f2b8c1e-0d4a-4b7e-9c11-2a5e6f708192"
TOKEN = "9b1d0c2e-5f43-4a1b-8e7d-0c9f8a7b6e5d"
OTHER = "00000000-0000-4000-8000-000000000000"
SECRET = "unit-secret-4411"
BASE = "http://wallet.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Fake:
    """A wallet service on httpx.MockTransport: the token endpoint plus ``api(request)``."""

    def __init__(self, api: Handler, *, token_answer: dict[str, Any] | None = None) -> None:
        self.api = api
        self.grants: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.token_answer = token_answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.grants.append(form)
            answer = self.token_answer or {"access_token": f"access-{len(self.grants)}",
                                           "refresh_token": f"refresh-{len(self.grants)}",
                                           "token_type": "Bearer", "expires_in": 300}
            return httpx.Response(200, json=answer)
        self.requests.append(request)
        return self.api(request)


def call(api: Handler, work: Callable[[WalletClient], Any], **fake: Any) -> Any:
    service = Fake(api, **fake)

    async def go() -> Any:
        async with WalletClient(BASE, "cid", SECRET, "pid",
                                transport=httpx.MockTransport(service)) as client:
            return await work(client)

    result = asyncio.run(go())
    return result, service


def answer(status: int, body: Any = None, **kwargs: Any) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes | str):
            return httpx.Response(status, content=body, **kwargs)
        return httpx.Response(status, json=body, **kwargs) if body is not None \
            else httpx.Response(status, **kwargs)
    return handler


def failure(api: Handler, work: Callable[[WalletClient], Any]) -> WalletError:
    async def catch(client: WalletClient) -> WalletError:
        try:
            await work(client)
        except WalletError as error:
            return error
        raise AssertionError("no error")

    error, _ = call(api, catch)
    return error  # type: ignore[no-any-return]


def test_the_request_on_the_wire() -> None:
    body = payment_body(WALLET, TOKEN, Decimal("10.00"), "t")
    _, service = call(answer(200, {"walletId": WALLET, "token": TOKEN}),
                      lambda c: c.pay(WALLET, body))
    (request,) = service.requests
    assert request.method == "POST" and request.content == body
    assert request.url.path == f"/api/wallet/v1/account/{WALLET}/payment"
    assert request.headers["Authorization"] == "Bearer access-1"
    assert request.headers["Content-Type"] == "application/json"
    assert service.grants == [{"grant_type": "client_credentials", "client_id": "cid",
                               "client_secret": SECRET, "partner_id": "pid"}]


def test_report_query_on_the_wire() -> None:
    from datetime import datetime

    flt = ReportFilter(date_from=datetime(2026, 12, 1, 9, 30), operation_type="DEBIT")
    _, service = call(answer(200, {"content": []}), lambda c: c.report(WALLET, flt))
    assert service.requests[0].url.query == (
        b"dateFrom=2026-12-01%2009-30-00&operationType=DEBIT&page=0&size=20")


def test_identification_and_payment_initialization_paths() -> None:
    registered = {"walletId": WALLET, "identification": "IDENTIFIED"}
    _, service = call(answer(200, registered), lambda c: c.identify(WALLET, 2))
    request = service.requests[0]
    assert (request.method, request.url.path, request.content) == (
        "POST", f"/api/wallet/v1/account/{WALLET}/identification/2", b"")
    _, service = call(answer(200, {"walletId": WALLET, "token": TOKEN}),
                      lambda c: c.initialize_payment(WALLET))
    assert service.requests[0].method == "GET"
    _, service = call(answer(200, {"banks": []}), lambda c: c.banks())
    assert service.requests[0].url.path == "/api/wallet/v1/account/wifhdrawal/banks"


@pytest.mark.parametrize("named", [{"walletId": WALLET, "token": OTHER},
                                   {"walletId": OTHER, "token": TOKEN},
                                   {"walletId": WALLET}, {}])
def test_a_payment_answer_about_another_payment_is_no_answer(named: dict[str, str]) -> None:
    body = payment_body(WALLET, TOKEN, Decimal("10.00"), "t")
    error = failure(answer(200, named), lambda c: c.pay(WALLET, body))
    assert isinstance(error, WalletNoAnswer) and error.kind == "bad_answer"
    assert error.answer_text == json.dumps(named, separators=(",", ":")) or named == {}


def test_answers_about_another_wallet_or_amount_are_no_answer() -> None:
    assert isinstance(failure(answer(200, {"walletId": OTHER, "token": TOKEN}),
                              lambda c: c.initialize_payment(WALLET)), WalletNoAnswer)
    assert isinstance(failure(answer(200, {"walletId": OTHER}),
                              lambda c: c.deactivate(WALLET)), WalletNoAnswer)
    assert isinstance(failure(answer(200, {"walletId": OTHER, "identification": "IDENTIFIED"}),
                              lambda c: c.identify(WALLET, 2)), WalletNoAnswer)
    other_amount = {"amount": Decimal("5.00"), "payload": "https://qr.nspk.ru/X"}
    assert isinstance(failure(answer(200, content_json(other_amount)),
                              lambda c: c.refill(WALLET, refill_body(Decimal("50.00")))),
                      WalletNoAnswer)


def content_json(data: dict[str, Any]) -> bytes:
    from cashier_app.core.wire import encode_body
    return encode_body(data)


def test_a_pay_body_that_does_not_name_the_payment_is_not_sent() -> None:
    for body in (b"not json", b'{"walletId":"x"}', payment_body(OTHER, TOKEN, Decimal("1"),
                                                                "t")):
        error, service = call(answer(200, {}), lambda c, b=body: _catch(c.pay(WALLET, b)))
        assert isinstance(error, WalletInputError) and service.requests == []


async def _catch(work: Any) -> Any:
    try:
        return await work
    except WalletError as error:
        return error


def test_status_mapping() -> None:
    assert isinstance(failure(answer(500, {"code": 1, "message": "Сбой\x1b[31m базы"}),
                              lambda c: c.banks()), WalletNoAnswer)
    broken = failure(answer(500, {"code": 1, "message": "Сбой\x1b[31m базы"}),
                     lambda c: c.banks())
    assert isinstance(broken, WalletNoAnswer) and broken.message == "Сбой базы"
    for status in (504, 302, 201, 204):
        error = failure(answer(status), lambda c: c.banks())
        assert isinstance(error, WalletNoAnswer) and error.status == status
    refused = failure(answer(400, {"code": 1001, "message": "Плохо",
                                   "fieldErrors": {"phone": "Не телефон"}}), lambda c: c.banks())
    assert isinstance(refused, WalletRefused)
    assert (refused.code, refused.message, refused.field_errors) == ("1001", "Плохо",
                                                                     {"phone": "Не телефон"})
    assert str(refused) == "Неверно указаны параметры запроса: Плохо (phone: Не телефон)"
    html = failure(answer(400, "<html>oops</html>"), lambda c: c.banks())
    assert isinstance(html, WalletRefused) and html.message == "" and html.code is None
    assert html.answer_text == "<html>oops</html>"
    listed = failure(answer(422, {"fieldErrors": [{"field": "amount", "message": "мало"}]}),
                     lambda c: c.banks())
    assert isinstance(listed, WalletRefused) and listed.field_errors == {"amount": "мало"}


def test_bodies_that_are_not_answers() -> None:
    for body in (b"", b"{", b"\xff\xfe", b'{"banks": [1e999999999]}'):
        error = failure(answer(200, body), lambda c: c.banks())
        assert isinstance(error, WalletNoAnswer) and error.kind in ("bad_json", "bad_answer")
    gzip = failure(answer(200, b"\x1f\x8b", headers={"Content-Encoding": "gzip"}),
                   lambda c: c.banks())
    assert isinstance(gzip, WalletNoAnswer) and gzip.kind == "bad_encoding"
    long = failure(answer(200, b'{"banks":"' + b"x" * 10000 + b'"}'), lambda c: c.banks())
    assert isinstance(long, WalletNoAnswer) and len(long.answer_text) == 2000


def test_an_answer_over_the_bound() -> None:
    async def work() -> WalletError:
        service = Fake(answer(200, b"[" + b"1," * 5000 + b"1]"))
        async with WalletClient(BASE, "cid", SECRET, "pid", max_answer_bytes=1000,
                                transport=httpx.MockTransport(service)) as client:
            try:
                await client.banks()
            except WalletError as error:
                return error
        raise AssertionError

    error = asyncio.run(work())
    assert isinstance(error, WalletNoAnswer) and error.kind == "too_large"


def test_set_limits_with_an_empty_answer_reads_them() -> None:
    limits = {"operationLimits": {"PAYMENT": {"operationType": "PAYMENT",
                                              "oneTimeLimit": 100, "enabled": True}},
              "balanceLimit": 15000}

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200) if request.method == "POST" else httpx.Response(
            200, json=limits)

    body = limits_body({"PAYMENT": {"one_time": Decimal("100.00")}})
    result, service = call(api, lambda c: c.set_limits(WALLET, body))
    assert [r.method for r in service.requests] == ["POST", "GET"]
    assert service.requests[0].content == body
    assert result.operations["PAYMENT"].one_time == Decimal("100.00")


def test_a_withdrawal_with_an_empty_200_is_accepted() -> None:
    result, _ = call(answer(200), lambda c: c.withdraw(WALLET, b'{"amount":1.00}'))
    assert result.amount is None and result.raw == {}


def test_a_401_renews_once_then_is_an_auth_error() -> None:
    statuses = iter([401, 200])

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), json={"banks": []})

    result, service = call(api, lambda c: c.banks())
    assert result == ()
    assert [r.headers["Authorization"] for r in service.requests] == ["Bearer access-1",
                                                                       "Bearer access-2"]
    assert [g["grant_type"] for g in service.grants] == ["client_credentials", "refresh_token"]
    assert service.grants[1]["refresh_token"] == "refresh-1"
    error, service = call(answer(401, b"token access-2 refused"),
                          lambda c: _catch(c.banks()))
    assert isinstance(error, WalletAuthError) and len(service.requests) == 2
    assert "access-2" not in error.answer_text and "***" in error.answer_text


def test_a_server_that_echoes_a_secret_is_masked() -> None:
    error = failure(answer(400, {"message": f"bad secret {SECRET} for access-1"}),
                    lambda c: c.banks())
    assert SECRET not in str(error) and "access-1" not in str(error)
    assert SECRET not in error.answer_text and "access-1" not in error.answer_text


@pytest.mark.parametrize("token_answer", [
    {"access_token": "has space", "expires_in": 60},
    {"access_token": "", "expires_in": 60},
    {"access_token": "ok", "expires_in": -5},
    {"access_token": "ok", "expires_in": "soon"},
    {"refresh_token": "r"},
])
def test_an_unusable_token_answer_is_no_answer(token_answer: dict[str, Any]) -> None:
    error, service = call(answer(200, {"banks": []}), lambda c: _catch(c.banks()),
                          token_answer=token_answer)
    assert isinstance(error, WalletNoAnswer) and service.requests == []


def test_token_endpoint_refusals() -> None:
    def refuse(status: int, body: dict[str, str]) -> WalletError:
        async def go() -> WalletError:
            transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body))
            async with httpx.AsyncClient(transport=transport) as http:
                source = TokenSource(http, f"{BASE}/oauth/token", "cid", SECRET, "pid")
                try:
                    await source.access()
                except WalletError as error:
                    return error
            raise AssertionError
        return asyncio.run(go())

    refused = refuse(401, {"error": "invalid_client", "error_description": SECRET})
    assert isinstance(refused, WalletAuthError) and refused.code == "invalid_client"
    assert SECRET not in refused.answer_text and SECRET not in refused.message
    assert isinstance(refuse(400, {"error": "invalid_request"}), WalletAuthError)
    assert type(refuse(404, {})) is WalletRefused
    assert isinstance(refuse(500, {}), WalletNoAnswer)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_source_renews_before_the_end_and_shares_renewals() -> None:
    grants: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        grants.append(form["grant_type"][0])
        await asyncio.sleep(0.01)  # renewals overlap
        return httpx.Response(200, json={"access_token": f"acc-{len(grants)}",
                                         "refresh_token": f"ref-{len(grants)}",
                                         "expires_in": 60})

    async def go() -> None:
        clock = Clock()
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            source = TokenSource(http, f"{BASE}/oauth/token", "cid", SECRET, "pid", clock)
            assert await asyncio.gather(*(source.access() for _ in range(5))) == ["acc-1"] * 5
            clock.now += 49  # 11 s left: still used
            assert await source.access() == "acc-1"
            clock.now += 2  # 9 s left: renewed by refresh
            assert await source.access() == "acc-2"
            results = await asyncio.gather(*(source.renew("acc-2") for _ in range(5)))
            assert results == ["acc-3"] * 5
            assert await source.renew("acc-2") == "acc-3"  # an old rejection: the new token
            for text in (repr(source), str(source)):
                assert "acc-3" not in text and "ref-3" not in text and SECRET not in text
            assert source.scrub(f"x acc-3 {SECRET} ref-2") == "x *** *** ***"

    asyncio.run(go())
    assert grants == ["client_credentials", "refresh_token", "refresh_token"]
