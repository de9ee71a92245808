"""The one place money crosses the card gateway's wire: integer kopecks (seed 004: «сумма
платежа в копейках»), never float, never rubles with a point.

Why a module of its own: the rest of the program counts rubles as Decimal (``500.00``), the
processing center and the wallet put ``500.00`` on their wires, and this wire alone says
``50000``. A slip of a factor of a hundred here is a payment a hundred times too large, so
the conversion is written once, both ways, and refuses anything it would have to round.

The seed's examples show the same amounts both as JSON integers (``"amount":450``) and as
strings (``"refundAmount":"2400"``): answers may carry either, we always send integers.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cashier_app.core.money import CENT, MAX_AMOUNT

from .errors import CardInputError, CardNoAnswer

__all__ = ["MAX_KOPECKS", "from_kopecks", "to_kopecks"]

#: The largest amount on this wire: MAX_AMOUNT in kopecks (15 digits).
MAX_KOPECKS = int(MAX_AMOUNT * 100)
_DIGITS = re.compile(r"[0-9]{1,15}")


def to_kopecks(amount: Decimal, *, field: str = "amount") -> int:
    """Rubles (a Decimal) → whole kopecks for the wire. Refuses a fraction of a kopeck, a
    negative amount, float, NaN and anything over :data:`MAX_AMOUNT` (CardInputError with
    ``field``, nothing sent). Zero is allowed (a commission may be zero)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise CardInputError(field, "Сумма должна быть числом (Decimal), не float")
    value = Decimal(amount)
    if not value.is_finite():
        raise CardInputError(field, "Сумма должна быть числом")
    if value < 0:
        raise CardInputError(field, "Сумма не может быть отрицательной")
    if value > MAX_AMOUNT:
        raise CardInputError(field, "Слишком большая сумма")
    if value != value.quantize(CENT):
        raise CardInputError(field, "В сумме не может быть долей копейки")
    return int(value.quantize(CENT) * 100)


def from_kopecks(value: int | str, *, what: str = "сумма") -> Decimal:
    """Kopecks from an answer → rubles (a Decimal with two decimals). Takes a JSON integer or
    a string of ASCII digits (the seed's examples show both); anything else — a bool, a
    fraction, a negative, a float, ``"12.50"``, ``" 100"`` — is no answer (CardNoAnswer): a sum
    we cannot read exactly is not a sum."""
    if isinstance(value, bool):
        kopecks = -1
    elif isinstance(value, int):
        kopecks = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        kopecks = int(value)
    else:
        kopecks = -1
    if not 0 <= kopecks <= MAX_KOPECKS:
        raise CardNoAnswer("bad_answer", f"Шлюз оплаты картой прислал непонятный ответ: {what} "
                                         "— не целое число копеек")
    return (Decimal(kopecks) / 100).quantize(CENT)
