"""How long to wait before repeating a request that got a non-final outcome.

Seed 003: repeat «постоянно увеличивая интервал, не изменяя данных в теле запроса». The policy
only computes intervals; whoever repeats (the payment engine, across restarts) keeps the body.
Intervals: ``initial``, then × ``factor`` each time, never above ``maximum`` — by default
1, 2, 4, 8, 16, 32, 60, 60, … seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 60.0

    def __post_init__(self) -> None:
        if not (self.initial > 0 and math.isfinite(self.initial)):
            raise ValueError("retry initial interval must be a positive number of seconds")
        if not (self.factor >= 1 and math.isfinite(self.factor)):
            raise ValueError("retry factor must be at least 1")
        if not (self.maximum >= self.initial and math.isfinite(self.maximum)):
            raise ValueError("retry maximum must not be below the initial interval")

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 is the first repeat)."""
        if retry_number < 1:
            raise ValueError("retry_number starts at 1")
        exponent = retry_number - 1
        # avoid float overflow for very long-lived payments
        if self.factor > 1 and exponent > math.log(self.maximum / self.initial, self.factor) + 1:
            return self.maximum
        return min(self.maximum, self.initial * self.factor**exponent)

    def delays(self) -> Iterator[float]:
        number = 1
        while True:
            yield self.delay(number)
            number += 1
