from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_app.core.money import (
    MAX_AMOUNT,
    AmountError,
    format_amount,
    parse_amount,
    parse_user_amount,
    to_cents,
    wire_amount_text,
)
from cashier_app.core.wire import decode_body, encode_body


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("200"), "200.00"),
        (Decimal("200.0"), "200.00"),
        (Decimal("2E+2"), "200.00"),
        (Decimal("180.00"), "180.00"),
        (Decimal("0.5"), "0.50"),
        (Decimal("0"), "0.00"),
        (Decimal("999999999999.99"), "999999999999.99"),
        (Decimal("1E-2"), "0.01"),
    ],
)
def test_wire_amount_always_has_two_decimals(amount: Decimal, text: str) -> None:
    assert wire_amount_text(amount) == text
    assert encode_body({"amountTo": amount}) == f'{{"amountTo":{text}}}'.encode()


@pytest.mark.parametrize("bad", [Decimal("1.005"), Decimal("NaN"), Decimal("Infinity"),
                                 Decimal("1000000000000.00")])
def test_wire_amount_refuses_what_it_would_have_to_round(bad: Decimal) -> None:
    with pytest.raises(AmountError):
        wire_amount_text(bad)


def test_float_never_reaches_the_wire() -> None:
    with pytest.raises(TypeError):
        encode_body({"amountTo": 200.0})


def test_amount_is_a_json_number_not_a_string() -> None:
    body = encode_body({"amountTo": Decimal("200"), "amountFrom": Decimal("200.00")})
    assert body == b'{"amountTo":200.00,"amountFrom":200.00}'
    assert decode_body(body)["amountTo"] == Decimal("200.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1000.00", Decimal("1000.00")), (Decimal("359.8"), Decimal("359.8")),
     (Decimal("509455.9000"), Decimal("509455.9000")), (5, Decimal(5)),
     ("1 000,50", Decimal("1000.50")), ("\u00a01\u00a0234,5", Decimal("1234.5"))],
)
def test_parse_amount_is_exact(value: object, expected: Decimal) -> None:
    result = parse_amount(value)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("bad", [1.5, True, None, "abc", "", "NaN", "inf", [], "1.2.3"])
def test_parse_amount_rejects(bad: object) -> None:
    with pytest.raises(AmountError):
        parse_amount(bad)


@pytest.mark.parametrize("bad", ["-1", "1.001", "1000000000000"])
def test_user_amount_rules(bad: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_user_amount(bad)
    assert str(error.value)  # a Russian message for the cashier


def test_format_amount_for_people() -> None:
    assert format_amount(Decimal("1234567.5")) == "1 234 567,50"
    assert format_amount(Decimal("0")) == "0,00"
    assert format_amount(Decimal("-12.345")) == "-12,35"


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"),
                   places=2, allow_nan=False, allow_infinity=False))
def test_wire_round_trip_is_exact(amount: Decimal) -> None:
    body = encode_body({"a": amount})
    text = body.decode()
    assert "E" not in text and "e" not in text
    assert text.split(".")[-1].rstrip("}").isdigit() and len(text.split(".")[-1]) == 3
    assert decode_body(body)["a"] == amount


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=6,
                   allow_nan=False, allow_infinity=False))
def test_to_cents_rounds_half_up_to_two_places(amount: Decimal) -> None:
    cents = to_cents(amount)
    assert cents.as_tuple().exponent == -2
    assert abs(cents - amount) <= Decimal("0.005")


@pytest.mark.parametrize("bad", [
    "1e999999", Decimal("1e999999"), Decimal("-1e999999999"), "1000000000000", 10**15,
    -(10**4000), Decimal("1e-999999"), Decimal("0E-999999999"), "0." + "0" * 30 + "1",
    "١٢٣", "１２３", "1" * 100, Decimal("1E+13"), Decimal("NaN123")])
def test_parse_amount_refuses_what_no_amount_can_be(bad: object) -> None:
    # 1e999999 is a valid Decimal that makes quantize raise InvalidOperation later
    with pytest.raises(AmountError) as error:
        parse_amount(bad)
    assert len(str(error.value)) < 100


@given(st.one_of(st.decimals(), st.integers(), st.text(max_size=40), st.none(),
                 st.booleans(), st.floats()))
def test_parse_amount_raises_only_amount_error_and_quantizes(value: object) -> None:
    try:
        amount = parse_amount(value)
    except AmountError:
        return
    assert abs(amount) <= MAX_AMOUNT
    to_cents(amount)  # never InvalidOperation
    format_amount(amount)


def test_parse_user_amount_with_a_huge_exponent_is_an_amount_error() -> None:
    with pytest.raises(AmountError):
        parse_user_amount("1e999999999")
