"""Request bodies match the seed's examples field for field, amounts as ``200.00``."""

from datetime import datetime
from decimal import Decimal

import pytest

from cashier_app.core.wire import decode_body
from cashier_app.processing.requests import (
    ExtraService,
    check_body,
    format_agent_date,
    pay_body,
)
from tests.conftest import seed_bytes

COMMON = {"service_id": "P1011", "account": "7770017711", "agent_transaction_id": 1233355,
          "agent_transaction_date": "2015-02-17T16:48:37"}


def same_as_seed(body: bytes, fixture: str) -> None:
    assert decode_body(body) == decode_body(seed_bytes(fixture))
    # and in the same order, as the seed lists the fields
    assert list(decode_body(body)) == list(decode_body(seed_bytes(fixture)))


def test_check_bodies() -> None:
    amounts = {"amount_to": Decimal("200"), "amount_from": Decimal("200")}
    body = check_body(**COMMON, **amounts)
    same_as_seed(body, "check_request")
    assert b'"amountTo":200.00,"amountFrom":200.00' in body
    same_as_seed(check_body(**COMMON, **amounts, identity_card="123456789",
                            full_name="Иванов\u00a0Иван\u00a0Иванович"),  # values go out untouched
                 "check_request_identity")
    same_as_seed(check_body(**{**COMMON, "service_id": "P1012", "account": "0"}, **amounts,
                            extras={"account1": "test@gmail.com", "account2": "121231"}),
                 "check_request_extras")


def test_check_without_amounts() -> None:
    assert b"amount" not in check_body(**COMMON)


def test_pay_bodies() -> None:
    amounts = {"amount_to": Decimal("200.00"), "amount_from": Decimal("200.00")}
    same_as_seed(pay_body(**COMMON, **amounts), "pay_request")
    same_as_seed(pay_body(**COMMON, **amounts,
                          extras={"account1": "test@gmail.com", "account2": "121231"}),
                 "pay_request_extras")
    same_as_seed(pay_body(**COMMON, **amounts, extras={"contractId": "000000588"}),
                 "pay_request_choice")


def test_complex_pay_body() -> None:
    body = pay_body(**COMMON, amount_to=Decimal("450"), amount_from=Decimal("450"),
                    extra_services=[ExtraService("114", Decimal("100"), "11236"),
                                    ExtraService("37", Decimal("150")),
                                    ExtraService("45", Decimal("200"))])
    same_as_seed(body, "pay_request_complex")
    assert (b'"extraServices":[{"subServiceId":"114","lastCount":"11236","amount":100.00},'
            b'{"subServiceId":"37","amount":150.00}') in body


def test_pay_body_is_deterministic() -> None:
    args = {**COMMON, "amount_to": Decimal("10"), "extras": {"b": "2", "a": "1"}}
    assert pay_body(**args) == pay_body(**args)


@pytest.mark.parametrize("bad_id", [0, -1, 10**18, True, "123"])
def test_agent_transaction_id_range(bad_id: object) -> None:
    with pytest.raises(ValueError):
        pay_body(**{**COMMON, "agent_transaction_id": bad_id}, amount_to=Decimal(1))


def test_agent_date_format() -> None:
    assert format_agent_date(datetime(2015, 2, 17, 16, 48, 37, 999)) == "2015-02-17T16:48:37"
    with pytest.raises(ValueError):
        pay_body(**{**COMMON, "agent_transaction_date": "2015-02-17 16:48"},
                 amount_to=Decimal(1))
