from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cashier_app.core.wire import WireFormatError, decode_body, encode_body


def test_body_keeps_key_order_and_utf8() -> None:
    body = encode_body({"serviceId": "P1011", "fullName": "Иванов Иван", "n": 1, "ok": True,
                        "x": None, "list": [Decimal("1.50"), "a"]})
    assert body == ('{"serviceId":"P1011","fullName":"Иванов Иван","n":1,"ok":true,'
                    '"x":null,"list":[1.50,"a"]}').encode()


def test_same_input_same_bytes() -> None:
    body = {"agentTransactionId": 123456789012345678, "amountTo": Decimal("200")}
    assert encode_body(body) == encode_body(dict(body))


def test_numbers_decode_as_decimal_never_float() -> None:
    data = decode_body(b'{"a": 0.0020833333, "b": 1.75, "c": 100000781233355}')
    assert data == {"a": Decimal("0.0020833333"), "b": Decimal("1.75"), "c": 100000781233355}
    assert isinstance(data["a"], Decimal)


def test_nbsp_between_tokens_is_whitespace_but_kept_in_strings() -> None:
    raw = '{\u00a0"a":\u00a0"x\u00a0y",\n\u00a0\u00a0"b":\u00a01.5}'.encode()
    assert decode_body(raw) == {"a": "x\u00a0y", "b": Decimal("1.5")}


@pytest.mark.parametrize("bad", [b"", b"<html>502</html>", b'{"a": NaN}', b'{"a": 1',
                                 b"\xff\xfe", b"[" * 100000])
def test_not_json_is_a_wire_format_error(bad: bytes) -> None:
    with pytest.raises(WireFormatError):
        decode_body(bad)


@pytest.mark.parametrize("bad", [
    b'{"a": ' + b"7" * 5000 + b"}",  # beyond Python's int conversion limit
    b'{"a": -' + b"7" * 1001 + b"}", b'{"a": 1e999999}', b'{"a": 1E+1001}', b'{"a": 1e-999999}',
    b'{"a": 0e-999999999}', b'{"a": 0.' + b"0" * 2000 + b"1}",
    '{"a":\u00a0'.encode() + b"7" * 5000 + b"}",  # the loose path too
])
def test_absurd_numbers_are_a_wire_format_error(bad: bytes) -> None:
    # valid JSON, but an int Python refuses to convert, or a Decimal that becomes a gigabyte
    # of digits (or an InvalidOperation) the moment anything formats or rounds it
    with pytest.raises(WireFormatError):
        decode_body(bad)


def test_numbers_within_bounds_are_read() -> None:
    assert decode_body(b'{"a": 1e1000, "b": 123456789012345678}') == {
        "a": Decimal("1e1000"), "b": 123456789012345678}


def test_the_loose_path_keeps_escaped_quotes_in_strings() -> None:
    raw = '{\u00a0"a\\"\u00a0":\u00a0"\\\\",\u00a0"b":\u00a0"\u00a0"}'.encode()
    assert decode_body(raw) == {'a"\u00a0': "\\", "b": "\u00a0"}


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    st.text(alphabet='{}[]":,0123456789.eE+- \u00a0\ufeffnultrfasxé\\', max_size=80).map(
        str.encode),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
                           st.decimals(allow_nan=False, allow_infinity=False)),
                 lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c,
                                                                      max_size=3),
                 max_leaves=10).map(lambda value: encode_body([value], strict_amounts=False)),
))
def test_decode_body_raises_only_wire_format_error(data: bytes) -> None:
    try:
        decode_body(data)
    except WireFormatError:
        pass
