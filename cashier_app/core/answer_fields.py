"""The readers of single fields of an answer, shared by every answer model (the processing
center's in :mod:`.answers`, the QR СБП bank's in :mod:`cashier_app.processing.sbp`): each
takes what a server sent and gives a typed value or None, listing what was wrong in
``problems`` instead of raising — except :func:`result_of`, which is strict because the result
code decides whether money moved. Pure (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.errors import UserFacingError

from .money import AmountError, parse_amount
from .services import human_text
from .text import printable


class ResponseFormatError(UserFacingError):
    """A JSON answer with a result code whose other fields are not what the seed describes
    (the client treats it as no answer)."""



#: ``agentTransactionId`` and ``transactionId`` are «целое число длиной до 18 знаков».
MAX_ID = 10**18 - 1
#: The longest ``resultMessage`` kept for people (the journal, the screen); ``raw`` keeps all.
MAX_MESSAGE = 500


def quoted(value: object) -> str:
    """A value quoted in a problem text: short whatever the server sent."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def optional_amount(value: object, what: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except AmountError:
        problems.append(f"{what}: не сумма {quoted(value)}")
        return None


def optional_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def optional_human(value: object) -> str | None:
    text = optional_text(value)
    return human_text(text) if text is not None else None


def optional_id(value: object, what: str, problems: list[str]) -> int | None:
    """An id (1..10**18-1) as a JSON integer or a string of ASCII digits; anything else is
    a problem, never an exception."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:  # «²» is a digit too
            number = int(text)
    if number is None:
        problems.append(f"{what}: не целое {quoted(value)}")
        return None
    if not 1 <= number <= MAX_ID:
        problems.append(f"{what}: вне диапазона 1…10^18-1: {quoted(value)}")
        return None
    return number


def parse_compact_date(value: object) -> datetime | None:
    """``20200215000000`` → datetime; anything else → None."""
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def parse_iso_date(value: object) -> datetime | None:
    """``2020-10-19T20:19:23.737`` → datetime; anything else → None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def result_of(data: Any) -> tuple[int, str]:
    """``result`` as a JSON integer and ``resultMessage`` fit to show.

    Strict on purpose: ``result`` decides whether money moved, so ``"0"``, ``true`` or
    ``0.0`` is not read as success by a guess; such an answer is no answer (non-final) and the
    request is repeated. The message is :func:`printable` and bounded; ``raw`` keeps it all.
    """
    if not isinstance(data, Mapping):
        raise ResponseFormatError("Процессинг прислал ответ не в виде объекта JSON")
    code = data.get("result")
    if code is None:
        raise ResponseFormatError("В ответе процессинга нет кода результата (result)")
    if isinstance(code, bool) or not isinstance(code, int):
        raise ResponseFormatError("Код результата (result) в ответе процессинга не целое число")
    message = data.get("resultMessage")
    if not isinstance(message, str):
        return code, ""
    message = printable(message).strip()
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 1] + "…"
    return code, message
