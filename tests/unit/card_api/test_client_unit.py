"""The client on a fake transport (no sockets): the request on the wire, what each status and
each odd answer becomes, that answers are compared with the request — and the seed's own
example answers read as they are."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import pytest

from cashier_app.card_api import (
    ERROR_CODES,
    CardAuthError,
    CardClient,
    CardError,
    CardInputError,
    CardNoAnswer,
    CardPaths,
    CardRefused,
    Need3ds,
    UserNotRegistered,
    anonymous_body,
    decline_text,
    refund_body,
)
from cashier_app.emulator.card_books import DECLINES, ERRORS

TOKEN = "unit-card-token-5521"
BASE = "https://gateway.test/shop"
NUMBER = "1310958041"
Handler = Callable[[httpx.Request], httpx.Response]
BODY = anonymous_body("109-5804-1", Decimal("4.50"), Decimal("133"), order_best_before=1767225600,
                      properties=[("Л/СЧЕТ", "1")])


def call(api: Handler, work: Callable[[CardClient], Any], **options: Any) -> tuple[Any, list[
        httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return api(request)

    async def go() -> Any:
        async with CardClient(BASE, TOKEN, transport=httpx.MockTransport(handler),
                              **options) as client:
            return await work(client)

    return asyncio.run(go()), seen


def answer(status: int, body: Any = None, **kwargs: Any) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes | str):
            return httpx.Response(status, content=body, **kwargs)
        return httpx.Response(status, json=body, **kwargs) if body is not None \
            else httpx.Response(status, **kwargs)
    return handler


def failure(api: Handler, work: Callable[[CardClient], Any], **options: Any) -> CardError:
    async def catch(client: CardClient) -> CardError:
        try:
            await work(client)
        except CardError as error:
            return error
        raise AssertionError("no error")

    error, _ = call(api, catch, **options)
    return error  # type: ignore[no-any-return]


CREATED = {"regPayNum": "1234567890", "methodType": "GET",
           "payUrl": "https://bisys.kz/payment/#!search_payment", "userToken": "USER_TOKEN"}


def test_the_request_on_the_wire() -> None:
    made, seen = call(answer(200, CREATED), lambda c: c.create(BODY))
    (request,) = seen
    assert request.method == "POST" and request.content == BODY
    assert str(request.url) == "https://gateway.test/shop/payment/anonymous"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept-Encoding"] == "identity"
    assert (made.reg_pay_num, made.method_type, made.user_token) == (
        "1234567890", "GET", "USER_TOKEN")


def test_paths_are_configurable_and_checked() -> None:
    _, seen = call(answer(200, {"state": "payed"}), lambda c: c.status(NUMBER),
                   paths=CardPaths(status="/api/v2/status"))
    assert seen[0].url.path == "/shop/api/v2/status"
    assert seen[0].content == b'{"regPayNum":"1310958041"}'
    with pytest.raises(CardInputError):
        CardPaths(refund="payment/refund")


def test_the_seeds_status_examples_are_read() -> None:
    holded = {"state": "holded", "totalAmount": 2575, "createdDate": "2020-05-29 14:11:21",
              "providerServCode": "1000-13864-3", "providerName": "Тест ShopAPI",
              "errorCode": None, "error": None, "message": None, "provisionServices": False,
              "procDate": None}
    status, _ = call(answer(200, holded), lambda c: c.status(NUMBER))
    assert (status.state, status.total_amount, status.remaining_amount, status.final) == (
        "holded", Decimal("25.75"), None, False)
    payed = {"errorCode": "1001", "provisionServices": "true", "totalAmount": "100000",
             "serviceCode": "serviceCode", "providerName": "providerName", "state": "payed",
             "createdDate": "2012-10-06 03:02:01", "error": "error", "message": "message",
             "procDate": "2015-01-05 12:14:18"}
    status, _ = call(answer(200, payed), lambda c: c.status(NUMBER))
    assert status.paid and status.total_amount == Decimal("1000.00")
    assert status.error_code == "1001" and status.proc_date == "2015-01-05 12:14:18"


def test_3ds_at_status_is_a_status_and_at_recurrent_a_step() -> None:
    step = {"errorCode": 2365, "error": "NeedPass3dsException", "regPayNum": NUMBER,
            "securePageURL": "https://bank.test/3ds?id=1"}
    status, _ = call(answer(200, step), lambda c: c.status(NUMBER))
    assert (status.state, status.needs_3ds, status.final) == ("created", True, False)
    assert status.secure_page_url == "https://bank.test/3ds?id=1"
    body = b'{"cardToken":"C","serviceCode":"1"}'
    error = failure(answer(200, step), lambda c: c.recurrent(body))
    assert isinstance(error, Need3ds)
    assert (error.reg_pay_num, error.secure_page_url) == (NUMBER, "https://bank.test/3ds?id=1")
    error = failure(answer(400, step), lambda c: c.recurrent(body))  # whatever the status
    assert isinstance(error, Need3ds)
    broken = failure(answer(200, {"errorCode": "2365", "regPayNum": NUMBER}),
                     lambda c: c.recurrent(body))
    assert isinstance(broken, CardNoAnswer) and broken.kind == "bad_answer"


@pytest.mark.parametrize(("status", "kind"), [(500, "http"), (504, "http"), (302, "http"),
                                              (201, "http"), (418, None), (502, None)])
def test_what_each_status_means(status: int, kind: str | None) -> None:
    error = failure(answer(status, {"errorCode": "1000", "message": "сбой"}),
                    lambda c: c.create(BODY))
    if kind is None:
        assert isinstance(error, CardRefused) and error.status == status
    else:
        assert isinstance(error, CardNoAnswer) and (error.kind, error.status) == (kind, status)
        assert "результат операции неизвестен" in str(error)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_statuses(status: int) -> None:
    error = failure(answer(status), lambda c: c.status(NUMBER))
    assert isinstance(error, CardAuthError) and error.status == status
    assert "card.token" in str(error) and TOKEN not in str(error)


def test_an_error_code_without_a_result_is_a_refusal_even_on_200() -> None:
    error = failure(answer(200, {"errorCode": "2301", "error": "ServiceNotFoundException",
                                 "message": "no such \x1b[31mservice"}),
                    lambda c: c.create(BODY))
    assert isinstance(error, CardRefused) and not isinstance(error, UserNotRegistered)
    assert (error.status, error.error_code, error.message) == (200, "2301",
                                                               "no such service")
    assert str(error) == ("Услуга с таким кодом (serviceCode) не найдена в шлюзе (код 2301): "
                          "no such service")
    by_name = failure(answer(400, {"errorCode": 77, "error": "UserNotRegisteredForShop"}),
                      lambda c: c.user_status("79020000000"))
    assert isinstance(by_name, UserNotRegistered) and by_name.error_code == "77"
    unknown = failure(answer(400, {"errorCode": "9999", "message": "Что-то"}),
                      lambda c: c.cards("U"))
    assert str(unknown) == "Шлюз оплаты картой отказал (код 9999): Что-то"
    empty = failure(answer(400), lambda c: c.cards("U"))
    assert str(empty) == "Шлюз оплаты картой отклонил запрос"


@pytest.mark.parametrize("body", [
    b"", b"{", b"[1]", b'"text"', b'{"regPayNum":"1"}',
    b'{"regPayNum":"12a","methodType":"GET","payUrl":"https://x"}',
    b'{"regPayNum":"1","methodType":"PUT","payUrl":"https://x"}',
    b'{"regPayNum":"1","methodType":"GET","payUrl":"javascript:alert(1)"}',
    b'{"regPayNum":"1","methodType":"GET","payUrl":"https://x y"}',
])
def test_a_create_answer_that_is_not_one(body: bytes) -> None:
    error = failure(answer(200, body), lambda c: c.create(BODY))
    assert isinstance(error, CardNoAnswer) and error.kind in ("bad_json", "bad_answer")
    assert error.answer_text == body.decode()


@pytest.mark.parametrize("body", [
    {"state": "refunded"}, {"state": None}, {"state": "payed", "totalAmount": 12.5},
    {"state": "payed", "totalAmount": "12.50"}, {"state": "payed", "totalAmount": -1},
    {"state": "payed", "totalAmount": True},
    {"state": "payed", "totalAmount": 100, "remainingAmount": 101},
    {"state": "payed", "regPayNum": "999"},  # another payment's status
    {"state": "payed", "errorCode": ["x"]},
])
def test_a_status_that_is_not_one(body: dict[str, Any]) -> None:
    error = failure(answer(200, body), lambda c: c.status(NUMBER))
    assert isinstance(error, CardNoAnswer) and error.kind == "bad_answer"
    assert str(error).startswith("Шлюз оплаты картой прислал непонятный ответ")


def test_a_refund_answer_must_match_the_body() -> None:
    body = refund_body(NUMBER, Decimal("24.00"), Decimal("2.25"), "n")
    good = {"regPayNum": NUMBER, "refundAmount": "2400", "remainingAmount": 225,
            "state": "payed"}
    done, _ = call(answer(200, good), lambda c: c.refund(body))
    assert (done.refund_amount, done.remaining_amount) == (Decimal("24.00"), Decimal("2.25"))
    for wrong in ({**good, "regPayNum": "1"}, {**good, "refundAmount": 2300},
                  {**good, "remainingAmount": 0}, {**good, "state": "declined"}):
        error = failure(answer(200, wrong), lambda c: c.refund(body))
        assert isinstance(error, CardNoAnswer)
    for bad_body, field in ((b"{", "regPayNum"), (b'{"regPayNum":"1","refundAmount":1.5,'
                                                  b'"remainingAmount":0}', "refundAmount")):
        error = failure(answer(200, good), partial(_refund, body=bad_body))
        assert isinstance(error, CardInputError) and error.field == field


def test_answers_about_another_buyer_are_no_answer() -> None:
    user = {"state": "active", "login": "79150000000", "userToken": "U"}
    error = failure(answer(200, user), lambda c: c.user_status("79020000000"))
    assert isinstance(error, CardNoAnswer)
    cards = {"userToken": "OTHER", "cards": []}
    assert isinstance(failure(answer(200, cards), lambda c: c.cards("U")), CardNoAnswer)
    masked = {"userToken": "U", "cards": [{"cardMask": "4000000000000002", "cardToken": "T",
                                           "cardType": "visa", "state": "active"}]}
    assert isinstance(failure(answer(200, masked), lambda c: c.cards("U")), CardNoAnswer)
    deactivated = {"resultState": "success", "desc": "ok", "userToken": "OTHER"}
    assert isinstance(failure(answer(200, deactivated),
                              lambda c: c.deactivate_card("U", "T")), CardNoAnswer)
    refused = failure(answer(200, {"resultState": "error", "desc": "нельзя", "userToken": "U"}),
                      lambda c: c.deactivate_card("U", "T"))
    assert isinstance(refused, CardRefused) and str(refused) == "Шлюз не отключил карту: нельзя"


def test_bounds_and_encodings() -> None:
    big = failure(answer(200, b"{" + b" " * 5000 + b"}"), lambda c: c.create(BODY),
                  max_answer_bytes=1024)
    assert isinstance(big, CardNoAnswer) and big.kind == "too_large"
    packed = failure(answer(200, CREATED, headers={"Content-Encoding": "compress"}),
                     lambda c: c.create(BODY))
    assert isinstance(packed, CardNoAnswer) and packed.kind == "bad_encoding"


def test_input_refused_before_sending() -> None:
    for work, field in ((lambda c: c.create(b"not json"), "serviceCode"),
                        (lambda c: c.create("{}"), "body"),
                        (lambda c: c.recurrent(BODY), "cardToken"),
                        (lambda c: c.status("12 3"), "regPayNum"),
                        (lambda c: c.user_status("123"), "login")):
        error, seen = call(answer(200, CREATED), partial(_catch_of, work=work))
        assert isinstance(error, CardInputError) and error.field == field and seen == []
    for base, token in (("gateway.test", TOKEN), (BASE, ""), (BASE, "токен"),
                        (BASE, "a b")):
        with pytest.raises(CardInputError):
            CardClient(base, token)


def _refund(client: CardClient, *, body: bytes) -> Any:
    return client.refund(body)


def _catch_of(client: CardClient, *, work: Callable[[CardClient], Any]) -> Any:
    return _catch(work(client))


async def _catch(work: Any) -> CardError:
    try:
        await work
    except CardError as error:
        return error
    raise AssertionError("no error")


def test_the_token_is_never_echoed() -> None:
    echo = {"errorCode": "2201", "message": f"bad token {TOKEN}"}
    error = failure(answer(400, echo), lambda c: c.create(BODY))
    assert TOKEN not in str(error) and TOKEN not in error.answer_text
    assert "***" in error.answer_text and repr(CardClient(BASE, TOKEN)) == f"CardClient({BASE!r})"


def test_the_emulator_speaks_the_same_codes() -> None:
    assert dict(ERRORS) == dict(ERROR_CODES)
    for code, text in DECLINES.items():
        assert decline_text(code) == text
    assert decline_text("99") == "Оплата картой отклонена (код 99)"
