"""The partner's tokens against the emulator: grants, renewal after expiry, the fallback from
a failed refresh, one renewal for many callers — and no token or secret in any log line or
error text."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest

from cashier_app.emulator import WalletServer
from cashier_app.wallet_api import (
    WalletAuthError,
    WalletClient,
    WalletError,
    WalletNoAnswer,
    payment_body,
    refill_body,
)

from .conftest import CLIENT_ID, PARTNER, SECRET, run

AUTH_TEXT = ("Сервис кошельков не принял учётные данные партнёра: проверьте wallet.client_id, "
             "wallet.client_secret, wallet.partner_id")


def test_wrong_credentials_are_an_auth_error(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletAuthError) as refused:
            await client.banks()
        assert str(refused.value) == AUTH_TEXT
        assert refused.value.status == 401 and refused.value.code == "invalid_client"
        assert "wrong-secret" not in refused.value.answer_text

    run(wallet, work, secret="wrong-secret")
    assert wallet.tokens_issued == {"client_credentials": 0, "refresh_token": 0}


def test_one_grant_serves_a_session(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        for _ in range(5):
            await client.banks()

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 1, "refresh_token": 0}
    assert wallet.unauthorized == 0


def test_expired_tokens_are_renewed_without_the_caller_noticing(wallet: WalletServer) -> None:
    wallet_id = wallet.ledger.add_wallet(PARTNER, "9051112233", 0, Decimal("100.00"))

    async def work(client: WalletClient) -> None:
        await client.info(wallet_id)
        wallet.expire_access_tokens()
        assert (await client.info(wallet_id)).balance == Decimal("100.00")
        wallet.expire_access_tokens()
        token = await client.initialize_payment(wallet_id)
        wallet.expire_access_tokens()  # between initialization and payment
        await client.pay(wallet_id, payment_body(wallet_id, token.token, Decimal("1.00"), "t"))

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 1, "refresh_token": 3}
    assert wallet.unauthorized == 3
    assert wallet.books()[wallet_id]["balance"] == Decimal("99.00")


def test_a_short_lived_token_is_renewed_before_it_ends(make_wallet) -> None:  # type: ignore[no-untyped-def]
    emulator = make_wallet(access_ttl=2.0)

    async def work(client: WalletClient) -> None:
        await client.banks()
        await asyncio.sleep(1.1)  # past the renewal point (half the life of a 2 s token)
        await client.banks()

    run(emulator, work)
    assert emulator.tokens_issued == {"client_credentials": 1, "refresh_token": 1}
    assert emulator.unauthorized == 0  # renewed before the service had to refuse it


@pytest.mark.parametrize("action", ["http", "drop"])
def test_a_failed_refresh_falls_back_to_client_credentials(wallet: WalletServer,
                                                           action: str) -> None:
    wallet.add_fault(method="token", action=action, status=400,
                     match={"grant_type": "refresh_token"})

    async def work(client: WalletClient) -> None:
        await client.banks()
        wallet.expire_access_tokens()
        assert len(await client.banks()) >= 4

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 2, "refresh_token": 0}


def test_a_used_refresh_token_is_invalid_grant_then_client_credentials(wallet: WalletServer
                                                                       ) -> None:
    # the refresh is processed but its answer lost: the token is spent at the service
    wallet.add_fault(method="token", action="drop", when="after",
                     match={"grant_type": "refresh_token"})

    async def work(client: WalletClient) -> None:
        await client.banks()
        wallet.expire_access_tokens()
        await client.banks()

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 2, "refresh_token": 1}


def test_concurrent_calls_after_expiry_renew_once(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        await client.banks()
        wallet.expire_access_tokens()
        results = await asyncio.gather(*(client.banks() for _ in range(10)))
        assert all(len(banks) >= 4 for banks in results)

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 1, "refresh_token": 1}
    assert wallet.unauthorized == 10


def test_a_second_401_is_an_auth_error(wallet: WalletServer) -> None:
    wallet.add_fault(method="banks", action="http", status=401, times=2)

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletAuthError) as refused:
            await client.banks()
        assert str(refused.value) == AUTH_TEXT and refused.value.status == 401

    run(wallet, work)
    assert wallet.tokens_issued == {"client_credentials": 1, "refresh_token": 1}


def test_the_token_endpoint_down_is_no_answer(wallet: WalletServer) -> None:
    wallet.add_fault(method="token", action="http", status=500)

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletNoAnswer) as down:
            await client.banks()
        assert down.value.status == 500
        assert len(await client.banks()) >= 4

    run(wallet, work)


def test_no_token_or_secret_in_logs_errors_or_reprs(wallet: WalletServer,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    for name in ("", "httpx", "httpcore", "cashier_app"):
        caplog.set_level(logging.DEBUG, logger=name)
    wallet_id = wallet.ledger.add_wallet(PARTNER, "9051112233", 0, Decimal("100.00"))
    errors: list[WalletError] = []
    texts: list[str] = []

    async def work(client: WalletClient) -> None:
        texts.extend([repr(client), repr(client.tokens), str(client.tokens)])
        await client.register("9050000009", 1)
        wallet.expire_access_tokens()  # a 401, a refresh grant
        await client.refill(wallet_id, refill_body(Decimal("10.00")))
        token = await client.initialize_payment(wallet_id)
        await client.pay(wallet_id, payment_body(wallet_id, token.token, Decimal("5.00"), "t"))
        wallet.add_fault(method="token", action="http", status=400,
                         match={"grant_type": "refresh_token"})
        wallet.expire_access_tokens()  # a failed refresh, then client credentials
        await client.info(wallet_id)
        wallet.add_fault(method="info", action="http", status=401, times=2)
        for failing in (client.info(wallet_id), client.pay(wallet_id, b'{"x": 1')):
            try:
                await failing
            except WalletError as error:
                errors.append(error)
        texts.extend([repr(client.tokens), str(client.tokens)])

    run(wallet, work)

    async def bad_secret(client: WalletClient) -> None:
        try:
            await client.banks()
        except WalletError as error:
            errors.append(error)

    run(wallet, bad_secret, secret=SECRET + "-wrong")
    assert len(errors) == 3
    secrets = [SECRET, *wallet.issued_tokens()]
    assert len(secrets) >= 9
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)  # httpx
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    everything = "\n".join([caplog.text, *texts, *(str(e) for e in errors),
                            *(e.answer_text for e in errors),
                            *(repr(e.__dict__) for e in errors)])
    assert CLIENT_ID not in repr(texts)
    for secret in secrets:
        assert secret not in everything
