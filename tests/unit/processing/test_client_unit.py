"""Narrow unit tests of the client with httpx.MockTransport (the emulator tests go over HTTP)."""

import asyncio
from collections.abc import Callable

import httpx
import pytest

from cashier_app.core.answers import PaymentAnswer
from cashier_app.core.result_codes import Finality
from cashier_app.processing.client import ProcessingClient, until_final
from cashier_app.processing.errors import AuthError, TransportError
from cashier_app.processing.retry import RetryPolicy
from tests.conftest import seed_bytes


def client_for(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object
               ) -> ProcessingClient:
    return ProcessingClient("http://processing.test/", "tok123", transport=httpx.MockTransport(
        handler), **kwargs)  # type: ignore[arg-type]


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_url_headers_and_body_sent_unchanged() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=seed_bytes("pay_answer"))

    body = seed_bytes("pay_request")

    async def go() -> PaymentAnswer:
        async with client_for(handler, auth_scheme="Token") as client:
            return await client.pay(body)

    answer = run(go())
    assert answer.transaction_id == 1402779
    (request,) = seen
    assert str(request.url) == "http://processing.test/api/v20/pay"
    assert request.method == "POST"
    assert request.headers["Authorization"] == "Token tok123"
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == body


def test_seed_bytes_parse_through_the_client() -> None:
    async def go() -> None:
        async with client_for(lambda r: httpx.Response(200, content=seed_bytes(
                "services_answer"))) as client:
            answer = await client.services()
            assert len(answer.services) == 4

    run(go())


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (httpx.Response(502, text="<html>Bad gateway</html>"), "http"),
        (httpx.Response(500), "http"),
        (httpx.Response(404), "http"),
        (httpx.Response(200, text="<html>"), "bad_json"),
        (httpx.Response(200, text='{"resultMessage": "x"}'), "bad_answer"),
    ],
)
def test_no_usable_answer_is_a_non_final_transport_error(response: httpx.Response,
                                                         kind: str) -> None:
    async def go() -> None:
        async with client_for(lambda r: response) as client:
            await client.balance()

    with pytest.raises(TransportError) as error:
        run(go())
    assert error.value.kind == kind
    assert not error.value.final


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failure_is_a_configuration_error(status: int) -> None:
    async def go() -> None:
        async with client_for(lambda r: httpx.Response(status)) as client:
            await client.services()

    with pytest.raises(AuthError) as error:
        run(go())
    assert "токен" in str(error.value)


@pytest.mark.parametrize(
    ("exception", "kind"),
    [(httpx.ConnectError("refused"), "connect"), (httpx.ReadTimeout("slow"), "timeout"),
     (httpx.RemoteProtocolError("closed"), "reset"), (httpx.ReadError("reset"), "reset")],
)
def test_transport_exceptions(exception: Exception, kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    async def go() -> None:
        async with client_for(handler) as client:
            await client.pay(b"{}")

    with pytest.raises(TransportError) as error:
        run(go())
    assert error.value.kind == kind


def test_until_final_resends_the_same_bytes_at_growing_intervals() -> None:
    answers = iter([
        httpx.Response(502), httpx.Response(200, json={"result": 1}),
        httpx.Response(200, json={"result": 153}), httpx.Response(200, json={"result": 202}),
        httpx.Response(200, json={"result": 0, "transactionId": 7}),
    ])
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return next(answers)

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def go() -> tuple[PaymentAnswer | None, bool]:
        async with client_for(handler) as client:
            body = seed_bytes("pay_request")
            return await until_final(lambda: client.pay(body), RetryPolicy(), sleep=sleep)

    answer, final = run(go())
    assert final and answer is not None and answer.transaction_id == 7
    assert len(bodies) == 5 and len(set(bodies)) == 1
    assert slept == [1, 2, 4, 8]  # the 202 after a non-final answer did not settle it


def test_202_on_a_first_request_is_final() -> None:
    async def go() -> tuple[PaymentAnswer | None, bool]:
        async with client_for(lambda r: httpx.Response(200, json={"result": 202})) as client:
            return await until_final(lambda: client.pay(b"{}"), RetryPolicy())

    answer, final = run(go())
    assert final and answer is not None and answer.finality() is Finality.FINAL_ERROR


def test_until_final_gives_up_after_max_attempts_without_settling() -> None:
    async def sleep(seconds: float) -> None:
        pass

    async def go() -> tuple[PaymentAnswer | None, bool]:
        async with client_for(lambda r: httpx.Response(200, json={"result": 220})) as client:
            return await until_final(lambda: client.pay(b"{}"), RetryPolicy(), sleep=sleep,
                                     max_attempts=3)

    answer, final = run(go())
    assert not final and answer is not None and answer.result == 220


SECRET = "tok123"  # the token client_for sends


@pytest.mark.parametrize("exception", [
    httpx.LocalProtocolError(f"Illegal header value b'Bearer {SECRET}\\n'"),
    httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol 'x{SECRET}://'"),
    RuntimeError(f"something odd with {SECRET}"),
    OSError(f"[Errno 22] {SECRET}"),
    httpx.DecodingError(f"Error -3 while decompressing {SECRET}"),
])
def test_no_exception_text_reaches_the_message(exception: Exception) -> None:
    """The message of a TransportError goes to the journal and the screen: fixed texts only,
    whatever the underlying exception says (it may quote the token)."""
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    async def go() -> None:
        async with client_for(handler) as client:
            await client.pay(b"{}")

    with pytest.raises(TransportError) as error:
        run(go())
    assert SECRET not in str(error.value)
    assert error.value.kind in ("transport", "bad_encoding")


def test_an_unexpected_exception_in_parsing_is_no_answer(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    def broken(data: object) -> PaymentAnswer:
        raise KeyError("a bug in a parser")

    monkeypatch.setattr(PaymentAnswer, "parse", broken)

    async def go() -> None:
        async with client_for(lambda r: httpx.Response(200, json={"result": 0})) as client:
            await client.pay(b"{}")

    with pytest.raises(TransportError) as error:
        run(go())
    assert error.value.kind == "bad_answer"


def test_a_content_length_over_the_bound_is_not_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(2**40)},
                              stream=httpx.ByteStream(b"{}"))

    async def go() -> None:
        async with client_for(handler, max_answer_bytes=65536) as client:
            await client.balance()

    with pytest.raises(TransportError) as error:
        run(go())
    assert error.value.kind == "too_large"


def test_tls_context_is_built_once_and_never_trusts_less() -> None:
    """The CA bundle is loaded once per process for https centers; a plain-http client (the
    emulator) gets a context that still verifies and trusts no CA at all."""
    import ssl

    from cashier_app.util.tls import tls_context

    secure = tls_context("https://center.example/")
    assert tls_context("HTTPS://other.example") is secure  # one bundle load for every client
    assert secure.verify_mode is ssl.CERT_REQUIRED and secure.check_hostname
    assert secure.cert_store_stats()["x509_ca"] > 50  # certifi's CAs, as httpx's default
    plain = tls_context("http://127.0.0.1:8020")
    assert plain is not secure
    assert plain.verify_mode is ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0
