"""The least and the most a service takes, known before anything is sent.

A provider refuses an amount out of its limits with 241/242 — but by then the cashier has
taken the cash and the person waits for a refund. Seed 003 names no limit fields for a
service; where the processing center publishes them we read them the way the ЖКХ invoice
lines carry theirs (``minSum``/``maxSum``, 0 meaning none) and as ``minAmount``/``maxAmount``,
on the service definition (``/services``) and on the check answer (limits for this account).
The narrowest of the two applies. A value we cannot read is a configuration problem of the
service (logged), never a limit the cashier would hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .money import AmountError, parse_amount
from .text import money

#: Field pairs that carry a lower and an upper limit, in the order they are looked for.
LIMIT_FIELDS = (("minAmount", "maxAmount"), ("minSum", "maxSum"))


@dataclass(frozen=True)
class AmountLimits:
    """``low``/``high`` in roubles; None: no limit that side."""

    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def known(self) -> bool:
        return self.low is not None or self.high is not None

    def describe(self) -> str:
        """«от 10,00 до 15 000,00 ₽», «не меньше 540,00 ₽», «не больше 5 000,00 ₽» or ""."""
        if self.low is not None and self.high is not None:
            return f"от {money(self.low, rub=False)} до {money(self.high)}"
        if self.low is not None:
            return f"не меньше {money(self.low)}"
        if self.high is not None:
            return f"не больше {money(self.high)}"
        return ""

    def problem(self, amount: Decimal, what: str = "Сумма к зачислению") -> str:
        """Why ``amount`` is out of the limits («Сумма к зачислению — не меньше 10,00 ₽»),
        or ""."""
        if self.low is not None and amount < self.low:
            return f"{what} — не меньше {money(self.low)}"
        if self.high is not None and amount > self.high:
            return f"{what} — не больше {money(self.high)}"
        return ""

    def narrowed(self, other: AmountLimits) -> AmountLimits:
        """Both limits at once: the higher floor and the lower ceiling."""
        lows = [value for value in (self.low, other.low) if value is not None]
        highs = [value for value in (self.high, other.high) if value is not None]
        return AmountLimits(max(lows) if lows else None, min(highs) if highs else None)


def limits_from(data: Mapping[str, object] | None) -> tuple[AmountLimits, list[str]]:
    """The limits an object (a service definition, a check answer) carries, and the
    problems found in them (Russian). Zero or absent: no limit; a floor above the ceiling:
    both ignored, the server judges."""
    if not isinstance(data, Mapping):
        return AmountLimits(), []
    problems: list[str] = []
    found: list[Decimal | None] = [None, None]
    for names in LIMIT_FIELDS:
        for side, name in enumerate(names):
            if found[side] is not None or data.get(name) is None:
                continue
            try:
                value = parse_amount(data[name])
            except AmountError as error:
                problems.append(f"{name}: {error}")
                continue
            if value > 0:
                found[side] = value
    low, high = found
    if low is not None and high is not None and low > high:
        problems.append(f"нижний предел суммы {money(low)} выше верхнего {money(high)}")
        return AmountLimits(), problems
    return AmountLimits(low, high), problems
