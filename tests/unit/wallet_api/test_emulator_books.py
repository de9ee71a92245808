"""The wallet emulator's books without HTTP: month limits, token expiry, limits config."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cashier_app.emulator.wallet_books import WalletBooks, WalletProblem


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_month_limit_counts_the_months_credits() -> None:
    books = WalletBooks()
    wallet = books.add_wallet("p", "9050000000")
    for _ in range(2):
        payload = books.refill("p", wallet, {"amount": Decimal("15000.00")})["payload"]
        assert books.confirm_refill(payload) == (True, "Зачислено")
        token = books.initialize_payment("p", wallet)["token"]
        books.pay("p", wallet, {"walletId": wallet, "token": token,
                                "amount": Decimal("15000.00"), "tsp": "t"})
    with pytest.raises(WalletProblem) as over:
        books.refill("p", wallet, {"amount": Decimal("10000.01")})
    assert over.value.code == "LIMIT_EXCEEDED" and "40 000,00" in over.value.message
    books.refill("p", wallet, {"amount": Decimal("10000.00")})


def test_an_unused_payment_token_expires() -> None:
    clock = Clock()
    books = WalletBooks(clock=clock)
    wallet = books.add_wallet("p", "9050000000", balance=Decimal("10.00"))
    token = books.initialize_payment("p", wallet)["token"]
    clock.now += 15 * 60 + 1
    with pytest.raises(WalletProblem) as late:
        books.pay("p", wallet, {"walletId": wallet, "token": token, "amount": Decimal("1.00"),
                                "tsp": "t"})
    assert late.value.code == "TOKEN_EXPIRED" and "token" in late.value.field_errors
    assert books.books()[wallet]["balance"] == Decimal("10.00")


def test_configured_limits_and_a_lowered_level() -> None:
    books = WalletBooks(limits={"ELEMENTARY": {"balance": "100.00", "oneTime": "50.00"}})
    wallet = books.add_wallet("p", "9050000000", level=2)
    books.set_limits("p", wallet, {"operationLimits": [
        {"operationType": "PAYMENT", "oneTimeLimit": Decimal("500000.00")}]})
    books.identify("p", wallet, "0")  # the partner's 500 000 stays, the system's 50 wins
    limits = books.limits("p", wallet)
    assert limits["balanceLimit"] == Decimal("100.00")
    assert limits["operationLimits"]["PAYMENT"]["oneTimeLimit"] == Decimal("50.00")
    assert limits["operationLimits"]["PAYMENT"]["monthLimit"] == Decimal("40000.00")
    with pytest.raises(ValueError):
        WalletBooks(limits={"GOLD": {}})
    with pytest.raises(ValueError):
        WalletBooks(limits={"ELEMENTARY": {"daily": "1"}})
