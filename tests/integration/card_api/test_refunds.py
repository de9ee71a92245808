"""Refunds through the real client and the emulator: full and partial, what stays goes down,
more than what stays is refused, and the same refund body sent again is refused — the books
prove nothing is refunded twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cashier_app.card_api import CardClient, CardRefused, refund_body
from cashier_app.emulator import CardGateway

from .conftest import payment, run, wait_for


def paid(gateway: CardGateway, amount: str = "24.00", commission: str = "2.25") -> str:
    async def make(client: CardClient) -> str:
        return (await client.create(payment(amount, commission))).reg_pay_num

    number = run(gateway, make)
    gateway.pay(number, "4111 1111 1111 1111", "123")
    wait_for(lambda: gateway.books()[number]["state"] == "payed")
    return number


def test_partial_then_full_refund(gateway: CardGateway) -> None:
    number = paid(gateway)  # 26.25 charged

    async def work(client: CardClient) -> None:
        first = await client.refund(refund_body(number, Decimal("24.00"), Decimal("2.25"),
                                                "Отказ от услуги"))
        assert (first.reg_pay_num, first.refund_amount, first.remaining_amount) == (
            number, Decimal("24.00"), Decimal("2.25"))
        after = await client.status(number)
        assert (after.state, after.remaining_amount, after.refunded_amount) == (
            "payed", Decimal("2.25"), Decimal("24.00"))  # a refund leaves the state payed
        rest = await client.refund(refund_body(number, Decimal("2.25"), Decimal("0"), "Остаток"))
        assert rest.remaining_amount == Decimal("0.00")
        assert (await client.status(number)).remaining_amount == Decimal("0.00")

    run(gateway, work)
    books = gateway.books()[number]
    assert (books["refunds"], books["remaining"], books["charges"]) == ([2400, 225], 0, 1)


def test_more_than_what_stays_is_refused(gateway: CardGateway) -> None:
    number = paid(gateway)

    async def work(client: CardClient) -> None:
        with pytest.raises(CardRefused) as over:
            await client.refund(refund_body(number, Decimal("26.26"), Decimal("0"), "много"))
        assert over.value.error_code == "2603"
        assert str(over.value).startswith("Сумма возврата больше остатка платежа (код 2603)")

    run(gateway, work)
    assert gateway.books()[number]["refunds"] == []


def test_the_same_refund_body_again_is_refused(gateway: CardGateway) -> None:
    number = paid(gateway)
    partial = refund_body(number, Decimal("10.00"), Decimal("16.25"), "часть")

    async def work(client: CardClient) -> None:
        await client.refund(partial)
        for _ in range(2):  # a lost answer, a repeat: the remainder no longer matches
            with pytest.raises(CardRefused) as again:
                await client.refund(partial)
            assert again.value.error_code == "2604"
            assert "возможно, этот возврат уже проведён" in str(again.value)
        full = refund_body(number, Decimal("16.25"), Decimal("0"), "всё")
        await client.refund(full)
        with pytest.raises(CardRefused) as emptied:
            await client.refund(full)
        assert emptied.value.error_code == "2603"

    run(gateway, work)
    books = gateway.books()[number]
    assert (books["refunds"], books["remaining"]) == ([1000, 1625], 0)


def test_only_a_payed_payment_is_refunded(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        made = await client.create(payment())
        with pytest.raises(CardRefused) as unpaid:
            await client.refund(refund_body(made.reg_pay_num, Decimal("1"), Decimal("100.50"),
                                            "рано"))
        assert unpaid.value.error_code == "2602"
        with pytest.raises(CardRefused) as nobody:
            await client.refund(refund_body("1234567890", Decimal("1"), Decimal("0"), "нет"))
        assert nobody.value.error_code == "2601"

    run(gateway, work)
    assert all(item["refunds"] == [] for item in gateway.books().values())
