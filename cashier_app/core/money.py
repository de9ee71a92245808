"""Money as `Decimal`, never float.

An amount on the processing wire is a JSON number with exactly two decimals and a dot
(seed 003: «180.00»). Amounts coming from the server may be numbers with any number of
decimals (``509455.9000``, ``359.8``) or strings (``"1000.00"``); :func:`parse_amount`
accepts all of them exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cashier_app.errors import UserFacingError

CENT = Decimal("0.01")
#: Largest amount we ever put on the wire: 999 999 999 999.99 (15 digits) — far above any
#: real payment, small enough that no formatting ever switches to exponent notation.
MAX_AMOUNT = Decimal("999999999999.99")
#: Most decimals an amount (or a rate) from outside may carry. The seed shows up to ten
#: (``0.0020833333``); a value with hundreds is not money but an attack on Decimal arithmetic.
MAX_DECIMALS = 20


class AmountError(UserFacingError, ValueError):
    """A value that is not a valid amount of money. ``str()`` is a Russian message."""


def parse_amount(value: object) -> Decimal:
    """Turn a server or user value into an exact Decimal.

    Accepts Decimal, int and strings like ``"1000.00"``, ``"1 000,50"``. Rejects float
    (it has already lost precision), bool, NaN and infinities, and values no amount can be:
    beyond :data:`MAX_AMOUNT` or with more than :data:`MAX_DECIMALS` decimals. The bounds
    matter because a value like ``1e999999`` is a valid Decimal that makes every later
    ``quantize`` or formatting raise or allocate without limit. Raises only AmountError.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError(f"Не сумма: {value!r}")
    if isinstance(value, float):
        raise AmountError("Сумма пришла как float — так деньги не передаём")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if not -10**15 < value < 10**15:  # checked before Decimal() works on a huge int
            raise AmountError("Слишком большая сумма")
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            raise AmountError("Сумма не указана")
        if not text.isascii() or len(text) > 64:  # Decimal() would take «١٢٣» too
            raise AmountError(f"Не сумма: «{value[:64]}»")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise AmountError(f"Не сумма: «{text}»") from None
    else:
        raise AmountError(f"Не сумма: {type(value).__name__}")
    if not result.is_finite():
        raise AmountError(f"Не сумма: «{str(value)[:64]}»")
    exponent = result.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -MAX_DECIMALS:
        raise AmountError("Слишком много знаков после запятой")
    if result.adjusted() > MAX_AMOUNT.adjusted() or result.copy_abs() > MAX_AMOUNT:
        raise AmountError("Слишком большая сумма")
    return result


def parse_user_amount(text: str) -> Decimal:
    """An amount typed by a cashier: at most two decimals, not negative, within range."""
    amount = parse_amount(text)
    if amount < 0:
        raise AmountError("Сумма не может быть отрицательной")
    if amount != amount.quantize(CENT):
        raise AmountError("В сумме не больше двух знаков после запятой")
    if amount > MAX_AMOUNT:
        raise AmountError("Слишком большая сумма")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> Decimal:
    """Round half up to kopecks: the one rounding rule for computed amounts (commission)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def kopecks(amount: Decimal) -> int:
    """An amount in whole kopecks (exact: the amount must have at most two decimals)."""
    value = amount * 100
    if value != value.to_integral_value():
        raise AmountError(f"Сумма с долями копейки: {amount}")
    return int(value)


def from_kopecks(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(CENT)


def wire_amount_text(amount: Decimal) -> str:
    """The exact JSON number text for an amount: ``200.00``, never ``200.0`` or ``2E+2``.

    Refuses an amount that would need rounding: the caller must decide on rounding.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise AmountError(f"Не сумма: {amount!r}")
    quantized = amount.quantize(CENT)
    if quantized != amount:
        raise AmountError(f"Сумма {amount} содержит больше двух знаков после точки")
    if abs(quantized) > MAX_AMOUNT:
        raise AmountError(f"Сумма {amount} вне допустимого диапазона")
    return format(quantized, "f")


def format_amount(amount: Decimal) -> str:
    """Human form for a screen or receipt: ``1 234,50`` (thin grouping, comma)."""
    quantized = to_cents(amount)
    sign = "-" if quantized < 0 else ""
    whole, _, frac = format(abs(quantized), "f").partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'},{frac or '00'}"
