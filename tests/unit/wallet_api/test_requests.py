"""Request bodies byte-exact, and what a person typed checked before anything is sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from cashier_app.wallet_api import (
    ReportFilter,
    WalletInputError,
    check_amount,
    check_phone,
    check_uuid,
    limits_body,
    payment_body,
    refill_body,
    registration_body,
    wallet_amount,
    withdrawal_body,
)

WALLET = "3F2B8C1E-0D4A-4B7E-9C11-2A5E6F708192"
TOKEN = "9b1d0c2e-5f43-4a1b-8e7d-0c9f8a7b6e5d"


@pytest.mark.parametrize("typed", ["9051234567", "+79051234567", "+7 905 123-45-67",
                                   "8 (905) 123-45-67", "79051234567", " 905-123-45-67 ",
                                   "+7\u00a0905\u00a01234567", "8.905.123.45.67"])
def test_a_phone_as_people_type_it(typed: str) -> None:
    assert check_phone(typed) == "9051234567"


@pytest.mark.parametrize("typed", ["", "905123456", "90512345678", "+8 905 123 45 67",
                                   "+79051234567 8", "905123456a", "٩٠٥١٢٣٤٥٦٧",
                                   "９０５１２３４５６７", "+7+9051234567", "69051234567", None])
def test_not_a_phone(typed: str) -> None:
    with pytest.raises(WalletInputError) as refused:
        check_phone(typed)
    assert refused.value.field == "phone" and "10 цифр" in str(refused.value)


def test_uuid_check() -> None:
    assert check_uuid(WALLET, "walletId") == WALLET.lower()
    for bad in ("", "3f2b8c1e0d4a4b7e9c112a5e6f708192", f"{{{WALLET}}}", "../info", WALLET + "x"):
        with pytest.raises(WalletInputError) as refused:
            check_uuid(bad, "walletId")
        assert refused.value.field == "walletId" and "кошелька" in str(refused.value)
    with pytest.raises(WalletInputError, match="операции"):
        check_uuid("nope", "token")


def test_amounts() -> None:
    assert wallet_amount(Decimal("500")) == Decimal("500.00")
    assert str(wallet_amount(Decimal("500"))) == "500.00"
    assert check_amount("1 000,5") == Decimal("1000.50")
    assert check_amount(Decimal("0.01")) == Decimal("0.01")
    for bad in (Decimal("0"), Decimal("-1"), Decimal("1.005"), Decimal("NaN"), 1.5, True,
                "abc", "1e3", Decimal("1000000000000.00")):
        with pytest.raises(WalletInputError) as refused:
            check_amount(bad)  # type: ignore[arg-type]
        assert refused.value.field == "amount"


def test_bodies_byte_exact() -> None:
    assert registration_body("+7 905 123-45-67", None) == b'{"phone":"9051234567"}'
    assert registration_body("9051234567", 1) == b'{"phone":"9051234567","identification":1}'
    assert refill_body(Decimal("500")) == b'{"amount":500.00}'
    assert payment_body(WALLET, TOKEN, Decimal("1234.5"), "ТСП-1") == (
        '{"walletId":"3f2b8c1e-0d4a-4b7e-9c11-2a5e6f708192",'
        '"token":"9b1d0c2e-5f43-4a1b-8e7d-0c9f8a7b6e5d","amount":1234.50,"tsp":"ТСП-1"}'
    ).encode()
    assert withdrawal_body("100000000004", Decimal("10")) == \
        b'{"bankIdentifier":"100000000004","amount":10.00}'


def test_body_builders_refuse_bad_input() -> None:
    with pytest.raises(WalletInputError):
        registration_body("9051234567", 3)
    with pytest.raises(WalletInputError):
        registration_body("9051234567", True)  # type: ignore[arg-type]
    with pytest.raises(WalletInputError) as tsp:
        payment_body(WALLET, TOKEN, Decimal("1.00"), " ")
    assert tsp.value.field == "tsp"
    with pytest.raises(WalletInputError):
        payment_body(WALLET, TOKEN, Decimal("1.00"), "a\nb")
    with pytest.raises(WalletInputError):
        payment_body(WALLET, "nope", Decimal("1.00"), "t")
    with pytest.raises(WalletInputError):
        withdrawal_body("", Decimal("1.00"))
    with pytest.raises(WalletInputError):
        refill_body(Decimal("0.001"))


def test_limits_body() -> None:
    assert limits_body({"PAYMENT": {"enabled": True, "one_time": Decimal("1000"),
                                    "monthLimit": Decimal("5000.5")},
                        "DEBIT": {"enabled": False}}) == (
        b'{"operationLimits":{"PAYMENT":{"operationType":"PAYMENT","oneTimeLimit":1000.00,'
        b'"monthLimit":5000.50,"enabled":true},"DEBIT":{"operationType":"DEBIT",'
        b'"enabled":false}}}')
    for bad in ({}, {"REFUND": {"enabled": True}}, {"PAYMENT": {"daily": Decimal(1)}},
                {"PAYMENT": {"enabled": "yes"}}, {"PAYMENT": {"oneTimeLimit": None}},
                {"PAYMENT": {"oneTimeLimit": Decimal("-1")}},
                {"PAYMENT": {"oneTimeLimit": 1.5}}):
        with pytest.raises(WalletInputError):
            limits_body(bad)  # type: ignore[arg-type]


def test_report_query() -> None:
    assert ReportFilter().query() == {"page": "0", "size": "20"}
    query = ReportFilter(date_from=datetime(2026, 12, 1, 9, 30), date_to=datetime(2026, 12, 31,
                                                                                   23, 59, 59),
                         operation_type="PAYMENT", amount_from=Decimal("10"),
                         amount_to=Decimal("99.5"), page=3, size=100).query()
    assert query == {"dateFrom": "2026-12-01 09-30-00", "dateTo": "2026-12-31 23-59-59",
                     "operationType": "PAYMENT", "amountFrom": "10.00", "amountTo": "99.50",
                     "page": "3", "size": "100"}
    assert list(query) == ["dateFrom", "dateTo", "operationType", "amountFrom", "amountTo",
                           "page", "size"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"size": 101}, "size"), ({"size": 0}, "size"), ({"page": -1}, "page"),
    ({"size": True}, "size"), ({"operation_type": "TRANSFER"}, "operationType"),
    ({"amount_from": Decimal("1.001")}, "amount_from"), ({"amount_to": 5}, "amount_to"),
    ({"date_from": datetime(2026, 2, 1), "date_to": datetime(2026, 1, 1)}, "dateFrom"),
    ({"amount_from": Decimal(5), "amount_to": Decimal(4)}, "amountFrom"),
])
def test_report_filter_refused_before_sending(fields: dict[str, object], field: str) -> None:
    with pytest.raises(WalletInputError) as refused:
        ReportFilter(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field
