"""The wallet emulator on loopback and a client of it, with credentials nobody else uses (so a
test can search the logs for them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from cashier_app.emulator import WalletServer
from cashier_app.wallet_api import WalletClient

CLIENT_ID = "partner-client-7f3a"
SECRET = "s3cr3t-9d1e-wallet-only"
PARTNER = "partner-42"
T = TypeVar("T")


def server(**options: Any) -> WalletServer:
    return WalletServer(client_id=CLIENT_ID, client_secret=SECRET, partner_id=PARTNER,
                        **options).start()


@pytest.fixture
def wallet() -> Iterator[WalletServer]:
    emulator = server()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def make_wallet() -> Iterator[Callable[..., WalletServer]]:
    started: list[WalletServer] = []

    def make(**options: Any) -> WalletServer:
        started.append(server(**options))
        return started[-1]

    yield make
    for emulator in started:
        emulator.stop()


def client(emulator: WalletServer, **options: Any) -> WalletClient:
    options.setdefault("timeout", 5.0)
    secret = options.pop("secret", SECRET)
    return WalletClient(options.pop("base_url", emulator.url), CLIENT_ID, secret, PARTNER,
                        **options)


def run(emulator: WalletServer, work: Callable[[WalletClient], Awaitable[T]],
        **options: Any) -> T:
    async def go() -> T:
        async with client(emulator, **options) as wallet_client:
            return await work(wallet_client)

    return asyncio.run(go())
