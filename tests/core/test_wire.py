from decimal import Decimal

import pytest

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
