"""ProcessingClient against a hostile center over real HTTP on 127.0.0.1: whatever the server
sends, a call ends with a typed answer, TransportError or AuthError — within its time and
byte bounds."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app import settings as cfg
from cashier_app.bootstrap import make_client
from cashier_app.core.answers import PaymentAnswer, foreign_answer_problem
from cashier_app.processing.client import (
    TEXT_BAD_TOKEN,
    TEXT_TLS_CERT,
    ProcessingClient,
)
from cashier_app.processing.errors import AuthError, TransportError
from tests.integration.hostile_server import HostileServer

TOKEN = "hostile-token-7a9e"
LIMIT = 1 << 20  # the clients here refuse answers over 1 MiB
OK_BALANCE = {"result": 0, "resultMessage": "ok", "balance": "10.00"}


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def call(url: str, method: str = "balance", body: bytes = b"{}", **options: Any) -> Any:
    """One call through a fresh client: the answer, or the exception it raised."""
    options.setdefault("timeout", 3.0)
    options.setdefault("max_answer_bytes", LIMIT)

    async def go() -> Any:
        async with ProcessingClient(url, TOKEN, **options) as client:
            if method == "pay":
                return await client.pay(body)
            return await client.balance()

    try:
        return asyncio.run(go())
    except (TransportError, AuthError) as error:
        return error


def no_answer(result: Any, kind: str) -> TransportError:
    assert isinstance(result, TransportError), result
    assert result.kind == kind, (result.kind, str(result))
    assert not result.final
    return result


# --- 1. whatever comes back, only TransportError / AuthError ------------------------------

@pytest.mark.parametrize(("step", "kind"), [
    ({"json": OK_BALANCE, "encoding": "gzip"}, "bad_encoding"),  # says gzip, is not
    ({"json": OK_BALANCE, "encoding": "deflate"}, "bad_encoding"),
    ({"json": OK_BALANCE, "encoding": "br"}, "bad_encoding"),  # not what we accept
    ({"json": OK_BALANCE, "encoding": "gzip, gzip"}, "bad_encoding"),
    ({"body_hex": "1f8b0800000000000003ab56", "encoding": "gzip"}, "bad_encoding"),  # cut gzip
    ({"body": '{"result": 0, "balance": ' + "7" * 5000 + "}"}, "bad_json"),  # int limit
    ({"body": '{"result": 0, "balance": 1e999999}'}, "bad_json"),
    ({"body": '{"result": 0, "balance": 0e-999999999}'}, "bad_json"),
    ({"json": {"result": 0, "balance": "1e999999"}}, "bad_answer"),
    ({"json": {"result": 0, "balance": "-1e400"}}, "bad_answer"),
    ({"body": "[" * 100000}, "bad_json"),
    ({"body_hex": "ff fe 00".replace(" ", "")}, "bad_json"),
    ({"json": {"result": 0, "balance": "10.00"}, "cut": 10}, "reset"),
    ({"raw_hex": b"HTTP/1.1 abc\r\n\r\n".hex()}, "reset"),
    ({"status": 500}, "http"),
    ({"status": 302, "headers": [["Location", "http://127.0.0.1:1/"]]}, "http"),
])
def test_what_the_client_does_not_expect_is_no_answer(server: HostileServer,
                                                      step: dict[str, Any], kind: str) -> None:
    server.script("balance", step)
    no_answer(call(server.url), kind)


@pytest.mark.parametrize("result", ['"0"', "true", "0.0", "0e0", "null", "[0]"])
def test_a_result_that_is_not_a_json_integer_is_no_answer(server: HostileServer,
                                                          result: str) -> None:
    body = f'{{"result": {result}, "transactionId": 5, "agentTransactionId": 12}}'
    server.script("pay", {"body": body})
    no_answer(call(server.url, "pay", b'{"agentTransactionId": 12}'), "bad_answer")


@pytest.mark.parametrize("step", [
    {"json": OK_BALANCE, "gzip": True},
    {"json": OK_BALANCE, "deflate": True},
    {"body_hex": zlib.compress(json.dumps(OK_BALANCE).encode())[2:-4].hex(),
     "encoding": "deflate"},  # raw deflate, as some servers send it
    {"json": OK_BALANCE, "chunked": True},
    {"json": OK_BALANCE, "length": "none"},
    {"json": OK_BALANCE, "encoding": "identity"},
])
def test_every_honest_way_to_send_an_answer_still_works(server: HostileServer,
                                                        step: dict[str, Any]) -> None:
    server.script("balance", step)
    answer = call(server.url)
    assert not isinstance(answer, Exception), answer
    assert answer.balance == Decimal("10.00")
    assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


# --- 2. bounded in bytes and in time -------------------------------------------------------

def peak_bytes(url: str) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = call(url)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_refused_without_expanding_it(server: HostileServer) -> None:
    server.script("balance", {"json": OK_BALANCE})
    call(server.url)  # warm up: imports and caches
    _, floor = peak_bytes(server.url)  # what any call allocates: loop, client, SSL context
    server.script("balance", {"bomb": 64 * 2**20})  # 64 MiB of zeros in ~64 KB of gzip
    call(server.url)  # the server makes its bomb once
    result, peak = peak_bytes(server.url)
    no_answer(result, "too_large")
    assert peak - floor < 1.5 * LIMIT, (peak, floor)  # the bound and one step — not 64 MiB


@pytest.mark.parametrize("framing", [{}, {"length": "none"}, {"chunked": True}])
def test_a_huge_answer_is_refused_at_the_bound(server: HostileServer,
                                               framing: dict[str, Any]) -> None:
    server.script("balance", {"body": "x" * 65536, "repeat": 1600, **framing})  # 100 MiB
    started = time.monotonic()
    result = call(server.url)
    no_answer(result, "too_large")
    assert "больше 1 МБ" in str(result)
    assert time.monotonic() - started < 3


def test_an_answer_right_at_the_bound_is_read(server: HostileServer) -> None:
    padding = LIMIT - len(json.dumps({**OK_BALANCE, "pad": ""})) - 2
    server.script("balance", {"json": {**OK_BALANCE, "pad": "y" * padding}, "gzip": True})
    answer = call(server.url)
    assert not isinstance(answer, Exception), answer
    server.script("balance", {"json": {**OK_BALANCE, "pad": "y" * (padding + 10)},
                              "gzip": True})
    no_answer(call(server.url), "too_large")  # small on the wire, over the bound expanded


def test_a_slow_drip_ends_within_the_timeout(server: HostileServer) -> None:
    # a byte every 0.3 s: every single read is quick, the whole answer would take 10 s
    server.script("balance", {"json": OK_BALANCE, "drip": [1, 0.3]})
    started = time.monotonic()
    result = call(server.url, timeout=1.5)
    elapsed = time.monotonic() - started
    no_answer(result, "timeout")
    assert str(result) == "Процессинг не ответил вовремя"
    assert elapsed < 1.5 + 1, elapsed


def test_headers_that_never_come_end_within_the_timeout(server: HostileServer) -> None:
    server.script("balance", {"json": OK_BALANCE, "delay": 5})
    started = time.monotonic()
    no_answer(call(server.url, timeout=1.0), "timeout")
    assert time.monotonic() - started < 2


# --- 3. an answer about another payment is not believed -----------------------------------

@pytest.mark.parametrize(("answer", "wrong"), [
    ({"result": 0, "transactionId": 77, "agentTransactionId": "$id"}, False),
    ({"result": 0, "transactionId": 77, "agentTransactionId": "$id+1"}, True),
    ({"result": 0, "transactionId": 77}, True),
    ({"result": 0, "agentTransactionId": "$id"}, True),
    ({"result": 0, "transactionId": 0, "agentTransactionId": "$id"}, True),
    ({"result": 0, "transactionId": 10**18, "agentTransactionId": "$id"}, True),
    ({"result": 0, "transactionId": 77, "agentTransactionId": 10**18 + 12}, True),
    ({"result": 5, "agentTransactionId": "$id"}, False),
    ({"result": 5}, True),
])
def test_an_answer_must_be_about_this_payment(server: HostileServer, answer: dict[str, Any],
                                              wrong: bool) -> None:
    server.script("pay", {"json": answer})
    result = call(server.url, "pay", b'{"agentTransactionId": 26801048196008}')
    assert isinstance(result, PaymentAnswer), result
    problem = foreign_answer_problem(result, 26801048196008)
    assert (problem is not None) is wrong, problem
    if problem:
        assert problem.isprintable() and any("а" <= ch <= "я" for ch in problem)


# --- 4. the token never leaks ----------------------------------------------------------------

@pytest.mark.parametrize("token", ["tok\nen-1234", "токен-1234", "tok en-1234"])
def test_a_token_that_cannot_be_a_header_is_never_sent(server: HostileServer,
                                                       token: str) -> None:
    server.script("*", {"json": OK_BALANCE})

    async def go() -> None:
        async with ProcessingClient(server.url, token, timeout=2) as client:
            await client.balance()

    with pytest.raises(AuthError) as error:
        asyncio.run(go())
    assert str(error.value) == TEXT_BAD_TOKEN
    assert server.requests == []


def test_transport_messages_are_fixed_texts(server: HostileServer) -> None:
    server.script("balance", {"json": OK_BALANCE, "cut": 3})
    assert str(no_answer(call(server.url), "reset")) == "Связь с процессингом прервалась"
    closed = HostileServer()
    url = closed.url
    closed._httpd.server_close()  # nobody listens there now
    assert str(no_answer(call(url), "connect")) == "Нет связи с процессингом"


# --- 5. TLS, CA bundle, server text ------------------------------------------------------------

def test_a_certificate_that_fails_verification_is_reported_as_such() -> None:
    with HostileServer({"balance": {"json": OK_BALANCE}}, tls=True) as server:
        error = no_answer(call(server.url), "tls")
        assert str(error) == TEXT_TLS_CERT


def test_a_ca_bundle_from_the_settings_is_trusted(tmp_path: Path) -> None:
    with HostileServer({"balance": {"json": OK_BALANCE}}, tls=True) as server:
        bundle = tmp_path / "ca.pem"
        bundle.write_text(Path(server.cert_file).read_text().split("-----BEGIN PRIVATE")[0])
        settings = cfg.Settings.load(tmp_path / "none.toml", env={
            "CASHIER_PROCESSING_URL": server.url, "CASHIER_PROCESSING_TOKEN": TOKEN,
            "CASHIER_PROCESSING_CA_BUNDLE": str(bundle)})

        async def go() -> Decimal:
            async with make_client(settings) as client:
                return (await client.balance()).balance

        assert asyncio.run(go()) == Decimal("10.00")


def test_escape_sequences_in_server_text_do_not_reach_the_screen(server: HostileServer
                                                                  ) -> None:
    message = "\x1b[2J\x1b[1;1HУспешно\x1b]0;title\x07\u202e\r\nещё"
    server.script("pay", {"json": {"result": 5, "resultMessage": message,
                                   "agentTransactionId": "$id"}})
    answer = call(server.url, "pay", b'{"agentTransactionId": 3}')
    assert isinstance(answer, PaymentAnswer)
    assert answer.result_message == "Успешно  ещё"
    assert answer.raw["resultMessage"] == message  # the journal keeps what came


# --- the server as a separate process, for end-to-end tests ----------------------------------

def test_the_hostile_server_runs_as_a_process(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"balance": {"json": OK_BALANCE}}))
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "hostile_server.py"),
         "--script", str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        answer = call(url)
        assert not isinstance(answer, Exception), answer
        assert answer.balance == Decimal("10.00")
    finally:
        process.terminate()
        process.wait(timeout=5)
