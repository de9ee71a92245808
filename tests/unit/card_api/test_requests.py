"""Kopecks both ways, request bodies byte-exact, and what a person typed checked before
anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from cashier_app.card_api import (
    CardInputError,
    CardNoAnswer,
    anonymous_body,
    card_deactivate_body,
    card_list_body,
    card_register_body,
    check_email,
    check_login,
    from_kopecks,
    recurrent_body,
    refund_body,
    status_body,
    to_kopecks,
    user_register_body,
    user_status_body,
)

WHEN = 1767225600  # 2026-01-01T00:00:00Z
PROPS = [("Л/СЧЕТ", "9503006477"), ("ФИО", "Иванов Н П")]


@pytest.mark.parametrize(("rubles", "kopecks"), [
    (Decimal("4.50"), 450), (Decimal("133"), 13300), (Decimal("0"), 0), (Decimal("0.01"), 1),
    (Decimal("25.750"), 2575), (Decimal("999999999999.99"), 99999999999999), (7, 700)])
def test_to_kopecks(rubles: Decimal, kopecks: int) -> None:
    assert to_kopecks(rubles) == kopecks and type(to_kopecks(rubles)) is int


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("1.005"), Decimal("-1"),
                                 Decimal("NaN"), Decimal("Infinity"), 1.5, True, "100",
                                 Decimal("1000000000000")])
def test_to_kopecks_refuses(bad: object) -> None:
    with pytest.raises(CardInputError) as refused:
        to_kopecks(bad, field="comission")  # type: ignore[arg-type]
    assert refused.value.field == "comission"


@pytest.mark.parametrize(("wire", "rubles"), [(450, "4.50"), ("100000", "1000.00"), (0, "0.00"),
                                              ("2575", "25.75"), ("007", "0.07")])
def test_from_kopecks_takes_integers_and_digit_strings(wire: int | str, rubles: str) -> None:
    value = from_kopecks(wire)
    assert value == Decimal(rubles) and str(value) == rubles


@pytest.mark.parametrize("bad", [True, -1, "12.50", " 100", "100 ", "", "1e3", "٣٤", 10**15,
                                 Decimal("450"), 4.5, None, "-5", "+5"])
def test_from_kopecks_refuses_anything_else(bad: object) -> None:
    with pytest.raises(CardNoAnswer) as refused:
        from_kopecks(bad, what="totalAmount")  # type: ignore[arg-type]
    assert refused.value.kind == "bad_answer" and "totalAmount" in str(refused.value)


@pytest.mark.parametrize("typed", ["79020000000", "+79020000000", "+7 902 000-00-00",
                                   "8 (902) 000-00-00", "89020000000", "9020000000",
                                   " 902-000-00-00 ", "+7\u00a0902\u00a00000000"])
def test_login_as_people_type_it(typed: str) -> None:
    assert check_login(typed) == "79020000000"


@pytest.mark.parametrize("typed", ["", "902000000", "790200000001", "+8 902 000 00 00",
                                   "+1 202 555 0100", "7902000000a", "٧٩٠٢٠٠٠٠٠٠٠",
                                   "69020000000", None])
def test_not_a_login(typed: str) -> None:
    with pytest.raises(CardInputError) as refused:
        check_login(typed)
    assert refused.value.field == "login" and "79020000000" in str(refused.value)


def test_email() -> None:
    assert check_email(" ana@mi.ru ") == "ana@mi.ru"
    for bad in ("", "ana", "ana@mi", "a na@mi.ru", "ana@@mi.ru", "a@b.c", None):
        with pytest.raises(CardInputError) as refused:
            check_email(bad)  # type: ignore[arg-type]
        assert refused.value.field == "email"


def test_anonymous_body_byte_exact() -> None:
    body = anonymous_body("109-5804-1", Decimal("4.50"), Decimal("133.00"),
                          order_best_before=WHEN, properties=PROPS,
                          user_phone="+7 902 000-00-00", user_email="ana@mi.ru",
                          order_items=[{"num": 1, "name": "name1", "quantity": 2, "price": 100,
                                        "tax": "vat0"}], order_note="Квартира")
    assert body == (
        '{"serviceCode":"109-5804-1","amount":450,"comission":13300,"payType":"card",'
        '"clientType":"web","userPhone":"79020000000","userEmail":"ana@mi.ru",'
        '"orderBestBefore":1767225600,"properties":[{"name":"Л/СЧЕТ","value":"9503006477"},'
        '{"name":"ФИО","value":"Иванов Н П"}],"orderItems":[{"num":1,"name":"name1",'
        '"quantity":2,"price":100,"tax":"vat0"}],"orderNote":"Квартира"}').encode()
    assert anonymous_body("1000-13864-3", Decimal("25.75"), Decimal("0"),
                          order_best_before=WHEN, properties=[("Л/СЧЕТ", "1")]) == (
        '{"serviceCode":"1000-13864-3","amount":2575,"comission":0,"payType":"card",'
        '"clientType":"web","orderBestBefore":1767225600,'
        '"properties":[{"name":"Л/СЧЕТ","value":"1"}]}').encode()


def test_recurrent_body_byte_exact() -> None:
    assert recurrent_body("109-5804-1", "USER_TOKEN", "CARD_TOKEN", Decimal("100"),
                          Decimal("133"), order_best_before=WHEN,
                          properties=[("Л/СЧЕТ", "9503006477")], order_note="н") == (
        '{"cardToken":"CARD_TOKEN","clientType":"web","payType":"card",'
        '"properties":[{"name":"Л/СЧЕТ","value":"9503006477"}],"serviceCode":"109-5804-1",'
        '"userToken":"USER_TOKEN","amount":10000,"comission":13300,'
        '"orderBestBefore":1767225600,"orderNote":"н"}').encode()


def test_the_other_bodies_byte_exact() -> None:
    assert status_body("1310958041") == b'{"regPayNum":"1310958041"}'
    assert refund_body("13693892457", Decimal("24.00"), Decimal("2.25"), "test") == \
        b'{"regPayNum":"13693892457","note":"test","refundAmount":2400,"remainingAmount":225}'
    assert user_register_body("79020000000", "ana@mi.ru", "Анна", "Иванова", "Петровна") == (
        '{"login":"79020000000","email":"ana@mi.ru","name":"Анна","surName":"Иванова",'
        '"middleName":"Петровна"}').encode()
    assert user_register_body("8 902 000 00 00") == b'{"login":"79020000000"}'
    assert user_status_body("+79150000000") == b'{"login":"79150000000"}'
    assert card_register_body("USER_TOKEN") == b'{"userToken":"USER_TOKEN","clientType":"web"}'
    assert card_list_body("USER_TOKEN") == b'{"userToken":"USER_TOKEN"}'
    assert card_deactivate_body("USER_TOKEN", "CARD_TOKEN") == \
        b'{"userToken":"USER_TOKEN","cardToken":"CARD_TOKEN"}'


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": Decimal("0")}, "amount"),
    ({"amount": Decimal("1.001")}, "amount"),
    ({"commission": Decimal("-1")}, "comission"),
    ({"order_best_before": WHEN * 1000}, "orderBestBefore"),  # milliseconds
    ({"order_best_before": True}, "orderBestBefore"),
    ({"properties": []}, "properties"),
    ({"properties": [("", "1")]}, "properties"),
    ({"properties": [("a", "b\x1b[2J")]}, "properties"),
    ({"properties": "Л/СЧЕТ"}, "properties"),
    ({"service_code": "109 5804"}, "serviceCode"),
    ({"pay_type": "card\n"}, "payType"),
    ({"user_phone": "12345"}, "login"),
    ({"user_email": "nobody"}, "email"),
    ({"order_items": [{"price": 1.5}]}, "orderItems"),
])
def test_anonymous_body_refuses_bad_input(change: dict[str, object], field: str) -> None:
    given: dict[str, object] = {"service_code": "109-5804-1", "amount": Decimal("1"),
                                "commission": Decimal("0"), "order_best_before": WHEN,
                                "properties": PROPS, **change}
    with pytest.raises(CardInputError) as refused:
        anonymous_body(given.pop("service_code"), given.pop("amount"),  # type: ignore[arg-type]
                       given.pop("commission"), **given)  # type: ignore[arg-type]
    assert refused.value.field == field and str(refused.value)


def test_refund_and_token_bodies_refuse_bad_input() -> None:
    calls: tuple[tuple[Callable[[], bytes], str], ...] = (
                        (lambda: refund_body("1", Decimal("0"), Decimal("1"), "n"),
                         "refundAmount"),
                        (lambda: refund_body("1", Decimal("1"), Decimal("-1"), "n"),
                         "remainingAmount"),
                        (lambda: refund_body("12a", Decimal("1"), Decimal("0"), "n"),
                         "regPayNum"),
                        (lambda: refund_body("1", Decimal("1"), Decimal("0"), " "), "note"),
                        (lambda: status_body("../x"), "regPayNum"),
                        (lambda: card_list_body("a b"), "userToken"),
                        (lambda: card_deactivate_body("u", ""), "cardToken"))
    for call, field in calls:
        with pytest.raises(CardInputError) as refused:
            call()
        assert refused.value.field == field
