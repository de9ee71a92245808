"""The card gateway emulator on loopback and a client of it, with a token nobody else uses
(so a test can search the logs for it), and the bodies a payment needs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from cashier_app.card_api import CardClient, anonymous_body, recurrent_body
from cashier_app.emulator import CardGateway

TOKEN = "card-token-3b9e-gateway-only"
SERVICE = "109-5804-1"
PROPERTIES = [("Л/СЧЕТ", "9503006477"), ("ФИО", "Иванов Н П")]
T = TypeVar("T")


def gateway_of(**options: Any) -> CardGateway:
    options.setdefault("hold_seconds", 0.2)
    return CardGateway(token=TOKEN, **options).start()


@pytest.fixture
def gateway() -> Iterator[CardGateway]:
    emulator = gateway_of()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def make_gateway() -> Iterator[Callable[..., CardGateway]]:
    started: list[CardGateway] = []

    def make(**options: Any) -> CardGateway:
        started.append(gateway_of(**options))
        return started[-1]

    yield make
    for emulator in started:
        emulator.stop()


def client(emulator: CardGateway, **options: Any) -> CardClient:
    options.setdefault("timeout", 5.0)
    token = options.pop("token", TOKEN)
    return CardClient(options.pop("base_url", emulator.url), token, **options)


def run(emulator: CardGateway, work: Callable[[CardClient], Awaitable[T]], **options: Any) -> T:
    async def go() -> T:
        async with client(emulator, **options) as card_client:
            return await work(card_client)

    return asyncio.run(go())


def later(seconds: int = 600) -> int:
    return int(time.time()) + seconds


def payment(amount: str = "100.00", commission: str = "1.50", **options: Any) -> bytes:
    options.setdefault("order_best_before", later())
    options.setdefault("properties", PROPERTIES)
    return anonymous_body(options.pop("service_code", SERVICE), Decimal(amount),
                          Decimal(commission), **options)


def by_card(user_token: str, card_token: str, amount: str = "10.00", **options: Any) -> bytes:
    options.setdefault("order_best_before", later())
    options.setdefault("properties", PROPERTIES)
    return recurrent_body(SERVICE, user_token, card_token, Decimal(amount), Decimal("0.50"),
                          **options)


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            raise AssertionError("not within the time")
        time.sleep(0.02)
