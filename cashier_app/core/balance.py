"""What the agent's balance means for taking payments (seed 003, ``/balance``).

``overdraft``: «сумма баланса, при достижении которого прием платежей будет отключен
автоматически» — at or below it the center stops taking payments, so the window blocks new
ones too. ``notification``: at or below it an employee is to be warned — the window warns.
"""

from __future__ import annotations

import enum
from decimal import Decimal


class BalanceLevel(enum.Enum):
    OK = "ok"
    LOW = "low"          # at or below ``notification``: warn
    BLOCKED = "blocked"  # at or below ``overdraft``: no new payments


def balance_level(balance: Decimal, overdraft: Decimal,
                  notification: Decimal | None) -> BalanceLevel:
    if balance <= overdraft:
        return BalanceLevel.BLOCKED
    if notification is not None and notification > overdraft and balance <= notification:
        return BalanceLevel.LOW
    return BalanceLevel.OK
