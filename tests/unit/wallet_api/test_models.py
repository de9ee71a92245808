"""Answers parsed strictly: the seed's shapes are read, anything else is WalletNoAnswer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from cashier_app.core.wire import decode_body
from cashier_app.wallet_api import (
    Bank,
    Identification,
    Limits,
    Operation,
    PaymentToken,
    Refill,
    Registered,
    ReportFilter,
    ReportPage,
    WalletInfo,
    WalletNoAnswer,
    Withdrawal,
)

WALLET = "3f2b8c1e-0d4a-4b7e-9c11-2a5e6f708192"
TOKEN = "9b1d0c2e-5f43-4a1b-8e7d-0c9f8a7b6e5d"


def wire(text: str) -> Any:
    return decode_body(text.encode())


def test_identification_levels() -> None:
    assert [(level.value, level.name, level.title) for level in Identification] == [
        (0, "ELEMENTARY", "не идентифицирован"),
        (1, "PERSONALIZED", "упрощённая идентификация (УПРИД)"),
        (2, "IDENTIFIED", "полностью идентифицирован")]
    assert Identification.of("IDENTIFIED") is Identification.of(2) is Identification.IDENTIFIED
    for bad in ("identified", 3, True, None, "2"):
        with pytest.raises(ValueError):
            Identification.of(bad)


def test_registered_and_info() -> None:
    raw = wire(f'{{"walletId":"{WALLET.upper()}","identification":"PERSONALIZED"}}')
    answer = Registered.parse(raw)
    assert answer.wallet_id == WALLET and answer.level is Identification.PERSONALIZED
    assert answer.raw is raw
    info = WalletInfo.parse(wire('{"number":1234567890123456,"balance":12345.00,'
                                 '"status":"ACTIVE"}'))
    assert (info.number, info.balance, info.status, info.identification) == (
        "1234567890123456", Decimal("12345.00"), "ACTIVE", None)
    assert WalletInfo.parse(wire('{"number":"1","balance":0,"status":"CLOSED",'
                                 '"identification":"IDENTIFIED"}')).identification \
        == "IDENTIFIED"


@pytest.mark.parametrize("text", [
    "[]", "null", '"ok"',
    '{"identification":"ELEMENTARY"}',
    '{"walletId":"not-a-uuid","identification":"ELEMENTARY"}',
    f'{{"walletId":"{WALLET}","identification":"SUPER"}}',
    f'{{"walletId":"{WALLET}","identification":1}}',  # answers name the level
])
def test_bad_registration_answers(text: str) -> None:
    if text.endswith('1}'):
        assert Registered.parse(wire(text)).identification == "PERSONALIZED"  # a number is read
        return
    with pytest.raises(WalletNoAnswer) as bad:
        Registered.parse(wire(text))
    assert bad.value.kind == "bad_answer" and "непонятный ответ" in str(bad.value)


@pytest.mark.parametrize("balance", ['"12345.00"', "12345.001", "true", "null", "-1.00",
                                     "1e400", "1000000000000.00"])
def test_an_amount_must_be_a_number_with_two_decimals(balance: str) -> None:
    with pytest.raises(WalletNoAnswer):
        WalletInfo.parse(wire(f'{{"number":"1","balance":{balance},"status":"ACTIVE"}}'))


def test_trailing_zeros_are_still_two_decimals() -> None:
    assert WalletInfo.parse(wire('{"number":"1","balance":5.000,"status":"ACTIVE"}')).balance \
        == Decimal("5.00")


def test_operations_and_the_tcp_tsp_spelling() -> None:
    line = Operation.parse(wire('{"operationType":"PAYMENT","description":"Оплата\\u001b[2J",'
                                '"operationDate":"2026-12-01 09:30:00","amount":1234.50,'
                                '"formattedAmount":"1 234,50 ₽","tcp":"guid-1"}'))
    assert line.operation_date == datetime(2026, 12, 1, 9, 30)
    assert (line.amount, line.formatted_amount, line.tsp) == (Decimal("1234.50"),
                                                              "1 234,50 ₽", "guid-1")
    assert "\x1b" not in line.description
    both = Operation.parse(wire('{"operationType":"PAYMENT","operationDate":'
                                '"2026-12-01 09-30-00","amount":1,"tsp":"a","tcp":"b"}'))
    assert both.tsp == "a" and both.formatted_amount == "1,00 ₽" and both.description == ""
    assert both.operation_date == datetime(2026, 12, 1, 9, 30)


@pytest.mark.parametrize("date", ['"01.12.2026 09:30:00"', '"2026-12-01"', '"2026-13-01 09:30:00"',
                                  "20261201093000", "null", '"2026-12-01 09:30:00.123"'])
def test_bad_operation_dates(date: str) -> None:
    with pytest.raises(WalletNoAnswer):
        Operation.parse(wire(f'{{"operationType":"CREDIT","operationDate":{date},'
                             '"amount":1.00}'))


def test_report_page() -> None:
    page = ReportPage.parse(wire('{"content":[{"operationType":"CREDIT","operationDate":'
                                 '"2026-12-01 09:30:00","amount":10.00}],"page":1,"size":5,'
                                 '"totalElements":6}'))
    assert (len(page.content), page.page, page.size, page.total) == (1, 1, 5, 6)
    bare = ReportPage.parse(wire('{"content":[]}'), ReportFilter(page=2, size=7))
    assert (bare.page, bare.size, bare.total) == (2, 7, None)
    spring = ReportPage.parse(wire('{"content":[],"number":4,"size":10}'))
    assert spring.page == 4
    for bad in ('{"content":{}}', '{}', '{"content":[],"totalElements":-1}',
                '{"content":[{"operationType":"CREDIT"}]}', '{"content":[],"page":"1"}'):
        with pytest.raises(WalletNoAnswer):
            ReportPage.parse(wire(bad))


def test_refill_payment_withdrawal() -> None:
    refill = Refill.parse(wire('{"amount":500.00,"payload":"https://qr.nspk.ru/AB?sum=50000"}'))
    assert refill.amount == Decimal("500.00")
    for bad in ('{"amount":500.00,"payload":"javascript:alert(1)"}', '{"amount":500.00}',
                '{"amount":500.00,"payload":"https://qr.nspk.ru/A B"}', '{"payload":"https://x"}'):
        with pytest.raises(WalletNoAnswer):
            Refill.parse(wire(bad))
    token = PaymentToken.parse(wire(f'{{"walletId":"{WALLET}","token":"{TOKEN}"}}'))
    assert (token.wallet_id, token.token) == (WALLET, TOKEN)
    with pytest.raises(WalletNoAnswer):
        PaymentToken.parse(wire(f'{{"walletId":"{WALLET}","token":"12345"}}'))
    assert Withdrawal.parse(wire('{"amount":10.00}')).amount == Decimal("10.00")
    assert Withdrawal.parse(wire('{"status":"OK"}')).amount is None
    assert Withdrawal.parse(wire('{"amount":"ten"}')).amount is None
    assert Withdrawal.parse(None).raw == {}
    with pytest.raises(WalletNoAnswer):
        Withdrawal.parse(wire("[1]"))


def test_banks() -> None:
    banks = Bank.parse_list(wire('{"banks":[{"bankIdentifier":100000000004,"name":"Т-Банк",'
                                 '"originalName":"АО «ТБанк»","bic":"044525974",'
                                 '"logoUrl":"https://x/t.png"}]}'))
    assert banks == (Bank("100000000004", "Т-Банк", "АО «ТБанк»", "044525974",
                          "https://x/t.png"),)
    assert Bank.parse_list(wire('[{"bankIdentifier":"1","name":"Б"}]'))[0].original_name == "Б"
    for bad in ('{"banks":{}}', '{"banks":[{"name":"Б"}]}',
                '{"banks":[{"bankIdentifier":"1","name":"Б","bic":"12345"}]}'):
        with pytest.raises(WalletNoAnswer):
            Bank.parse_list(wire(bad))


def test_limits_keyed_or_listed() -> None:
    keyed = Limits.parse(wire(
        '{"operationLimits":{"PAYMENT":{"operationType":"PAYMENT","oneTimeLimit":15000.00,'
        '"monthLimit":null,"enabled":true},"DEBIT":{"oneTimeLimit":1.00,"enabled":false}},'
        '"balanceLimit":15000.00}'))
    assert keyed.operations["PAYMENT"].month is None
    assert keyed.operations["DEBIT"].enabled is False
    assert keyed.balance_limit == Decimal("15000.00")
    listed = Limits.parse(wire('{"operationLimits":[{"operationType":"CREDIT",'
                               '"oneTimeLimit":5.00,"monthLimit":6.00,"enabled":true}]}'))
    assert listed.operations["CREDIT"].one_time == Decimal("5.00")
    assert listed.balance_limit is None
    for bad in ('{"operationLimits":{"PAYMENT":{"operationType":"DEBIT"}}}',
                '{"operationLimits":[{"oneTimeLimit":1}]}',
                '{"operationLimits":[{"operationType":"CREDIT"},{"operationType":"CREDIT"}]}',
                '{"operationLimits":{"PAYMENT":{"enabled":"yes"}}}',
                '{"operationLimits":{"GIFT":{}}}', '{"balanceLimit":1.00}'):
        with pytest.raises(WalletNoAnswer):
            Limits.parse(wire(bad))
