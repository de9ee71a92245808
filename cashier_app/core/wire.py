"""Request bodies in the exact bytes the processing protocol wants, and answers parsed exactly.

Why not ``json.dumps``: it cannot print a Decimal as a bare number, and a float would print
``200.0``. A request body is written once, stored, and resent unchanged on every retry, so its
bytes must be deterministic: keys keep the order they were given, amounts print with two
decimals, text stays UTF-8 (not ``\\u`` escapes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .money import wire_amount_text


class WireFormatError(ValueError):
    """A body that is not valid JSON or not of the expected shape."""


def _encode(value: object, out: list[str], strict: bool = True) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if strict:
            out.append(wire_amount_text(value))
        elif value.is_finite():
            out.append(format(value, "f"))
        else:
            raise ValueError(f"cannot put {value} into JSON")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        raise TypeError("float is not allowed in a request body: use Decimal for money")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be str, not {type(key).__name__}")
            if index:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _encode(item, out, strict)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, strict)
        out.append("]")
    else:
        raise TypeError(f"cannot put {type(value).__name__} into a request body")


def encode_body(body: Mapping[str, Any] | Sequence[Any], *, strict_amounts: bool = True
                ) -> bytes:
    """Serialise a request body: Decimal amounts as ``200.00``, UTF-8, no spaces.

    ``strict_amounts=False`` prints each Decimal exactly as it is (``509455.9000``, ``359.8``,
    ``0.0020833333``): the emulator answers with the server's number forms from the seed.
    """
    out: list[str] = []
    _encode(body, out, strict_amounts)
    return "".join(out).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise WireFormatError(f"недопустимое значение {name} в JSON")


_HAS_LOOSE_SPACE = re.compile("[\u00a0\ufeff]").search
# A JSON string token, or one loose space outside any string.
_TOKEN_OR_SPACE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\u00a0\ufeff]', re.DOTALL)


def _loosen(text: str) -> str:
    """Turn NO-BREAK SPACE (and a BOM) *between* tokens into plain spaces; strings untouched.

    Seed 003's examples indent their JSON with U+00A0, which strict JSON rejects. Whatever
    produced them may produce answers the same way, so we read them as the seed shows them.
    """
    return _TOKEN_OR_SPACE.sub(lambda match: match[0] if match[0][0] == '"' else " ", text)


#: The longest number literal read, and the largest exponent (either sign) of a decimal. Ids are
#: 18 digits, amounts 15; anything near these bounds is not data but an attack: a
#: 5000-digit integer (Python refuses to convert it), or ``1e999999999``, a valid Decimal
#: that turns into a gigabyte of digits the moment anything formats it.
MAX_NUMBER_CHARS = 1000
MAX_EXPONENT = 1000


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise WireFormatError("слишком длинное число в JSON")
    return int(text)


def _parse_decimal(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise WireFormatError("слишком длинное число в JSON")
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
        raise WireFormatError("число в JSON вне допустимого диапазона")
    return value


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=_parse_decimal, parse_int=_parse_int,
                      parse_constant=_reject_constant)


def decode_body(data: bytes | str) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal (never float).

    Also accepts U+00A0 used as whitespace between tokens, as in the seed's examples.
    Raises only WireFormatError, whatever the bytes: an answer from outside must never
    escape as an exception nobody expects (numbers are bounded, see MAX_NUMBER_CHARS).
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        try:
            return _loads(text)
        except json.JSONDecodeError:
            if not _HAS_LOOSE_SPACE(text):
                raise
            return _loads(_loosen(text))
    except WireFormatError as error:
        raise WireFormatError(f"ответ не является JSON: {error}") from None
    except (ValueError, ArithmeticError) as error:  # UnicodeDecodeError, JSONDecodeError
        raise WireFormatError(f"ответ не является JSON: {str(error)[:200]}") from None
    except RecursionError:
        raise WireFormatError("ответ не является JSON: слишком глубокая вложенность") from None
