"""Every way an answer can fail, through the real client and server, and what the money did:
a lost answer is WalletNoAnswer, and resending the same bytes never debits twice."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from cashier_app.emulator import WalletServer
from cashier_app.wallet_api import (
    ReportFilter,
    WalletClient,
    WalletNoAnswer,
    WalletRefused,
    payment_body,
    refill_body,
    withdrawal_body,
)

from .conftest import PARTNER, run


def funded(emulator: WalletServer, amount: str = "1000.00") -> str:
    return emulator.ledger.add_wallet(PARTNER, "9051112233", 0, Decimal(amount))


def test_an_empty_400_and_a_400_with_field_errors(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletRefused) as empty:
            await client.refill(wallet_id, b'{"amount": 5')  # not JSON: «Пустой ответ» 400
        assert (empty.value.status, empty.value.code, empty.value.message) == (400, None, "")
        assert empty.value.answer_text == "" and empty.value.field_errors == {}
        assert str(empty.value) == "Неверно указаны параметры запроса"
        with pytest.raises(WalletRefused) as fields:
            await client.refill(wallet_id, b'{"amount": 5.005}')
        assert fields.value.code == "VALIDATION_ERROR"
        assert set(fields.value.field_errors) == {"amount"}
        assert "amount" in str(fields.value) and '"fieldErrors"' in fields.value.answer_text

    run(wallet, work)
    assert wallet.books()[wallet_id]["refills"] == {}


@pytest.mark.parametrize(("status", "meaning"), [
    (403, "Нет доступа к кошельку или неверный адрес"),
    (404, "Неверный адрес сервиса кошельков"),
    (405, "Сервис кошельков не принял метод запроса"),
    (409, "Сервис кошельков сообщил о конфликте"),
    (422, "Сервис кошельков не смог выполнить запрос"),
    (429, "Сервис кошельков отклонил запрос (HTTP 429)"),
    (502, "Сервис кошельков недоступен (502)"),
    (503, "Сервис кошельков недоступен (503)"),
])
def test_statuses_that_mean_nothing_was_done(wallet: WalletServer, status: int,
                                             meaning: str) -> None:
    wallet_id = funded(wallet)
    wallet.add_fault(method="info", action="http", status=status)

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletRefused) as refused:
            await client.info(wallet_id)
        assert refused.value.status == status
        assert str(refused.value).startswith(meaning)
        assert (await client.info(wallet_id)).balance == Decimal("1000.00")  # the rule is spent

    run(wallet, work)


def test_a_wrong_address_is_404(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletRefused) as wrong:
            await client.banks()
        assert wrong.value.status == 404
        assert str(wrong.value).startswith("Неверный адрес сервиса кошельков")

    run(wallet, work, base_url=wallet.url + "/wallet-service")


def test_500_is_no_answer_and_keeps_the_message(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)
    wallet.add_fault(method="payment", action="http", status=500, when="after")

    async def work(client: WalletClient) -> None:
        token = await client.initialize_payment(wallet_id)
        body = payment_body(wallet_id, token.token, Decimal("10.00"), "tsp")
        with pytest.raises(WalletNoAnswer) as lost:
            await client.pay(wallet_id, body)
        assert (lost.value.kind, lost.value.status) == ("http", 500)
        assert lost.value.message == "Внутренняя ошибка сервиса кошельков"
        assert "неизвестен" in str(lost.value) and "INTERNAL_ERROR" in lost.value.answer_text
        assert (await client.pay(wallet_id, body)).token == token.token  # the same bytes again

    run(wallet, work)
    books = wallet.books()[wallet_id]
    assert books["balance"] == Decimal("990.00") and list(books["debits_per_token"].values()) \
        == [1]


@pytest.mark.parametrize(("action", "kind"), [("broken_json", "bad_json"), ("drop", "reset"),
                                              ("reset", "reset")])
def test_a_broken_or_lost_answer_is_no_answer(wallet: WalletServer, action: str,
                                              kind: str) -> None:
    wallet.add_fault(method="registration", action=action)

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletNoAnswer) as lost:
            await client.register("9057654321")
        assert lost.value.kind == kind
        assert (await client.register("9057654321")).identification == "ELEMENTARY"

    run(wallet, work)


def test_a_late_answer_is_no_answer_within_the_timeout(wallet: WalletServer) -> None:
    wallet.add_fault(method="registration", action="delay", seconds=1.5)

    async def work(client: WalletClient) -> None:
        started = time.monotonic()
        with pytest.raises(WalletNoAnswer) as late:
            await client.register("9057654322")
        assert late.value.kind == "timeout" and time.monotonic() - started < 1.4
        assert "не ответил вовремя" in str(late.value)

    run(wallet, work, timeout=0.5)
    time.sleep(1.2)  # the late request was processed all the same
    assert [w["phone"] for w in wallet.books().values()] == ["9057654322"]


def test_an_answer_over_the_byte_bound(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletNoAnswer) as big:
            await client.banks()
        assert big.value.kind == "too_large"

    run(wallet, work, max_answer_bytes=300)


def test_no_server_is_no_answer() -> None:
    async def work() -> None:
        async with WalletClient("http://127.0.0.1:9", "a", "b", "c", timeout=2) as dead:
            with pytest.raises(WalletNoAnswer) as none:
                await dead.banks()
            assert none.value.kind == "connect"

    asyncio.run(work())


def test_a_payment_whose_answer_is_lost_debits_once_when_resent(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)
    wallet.add_fault(method="payment", action="drop", when="after")

    async def work(client: WalletClient) -> None:
        token = await client.initialize_payment(wallet_id)
        body = payment_body(wallet_id, token.token, Decimal("300.00"), "tsp-42")
        with pytest.raises(WalletNoAnswer):
            await client.pay(wallet_id, body)
        again = await client.pay(wallet_id, body)
        assert (again.wallet_id, again.token) == (wallet_id, token.token)
        assert (await client.pay(wallet_id, body)).token == token.token

    run(wallet, work)
    books = wallet.books()[wallet_id]
    assert books["debits_per_token"] and set(books["debits_per_token"].values()) == {1}
    assert books["balance"] == Decimal("700.00")
    assert [op["type"] for op in books["operations"]].count("PAYMENT") == 1


def test_a_withdrawal_whose_answer_is_lost_is_one_debit_in_the_report(wallet: WalletServer
                                                                      ) -> None:
    wallet_id = funded(wallet)
    wallet.add_fault(method="withdrawal", action="reset", when="after")

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletNoAnswer):
            await client.withdraw(wallet_id, withdrawal_body("100000000005", Decimal("120.00")))
        debits = await client.report_all(wallet_id, ReportFilter(operation_type="DEBIT"))
        assert [(op.operation_type, op.amount) for op in debits] == [("DEBIT",
                                                                      Decimal("120.00"))]
        assert (await client.info(wallet_id)).balance == Decimal("880.00")

    run(wallet, work)


def test_a_refill_whose_answer_is_lost_credits_nothing(wallet: WalletServer) -> None:
    wallet_id = funded(wallet, "0.00")
    wallet.add_fault(method="refill", action="broken_json", when="after")

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletNoAnswer):
            await client.refill(wallet_id, refill_body(Decimal("50.00")))
        again = await client.refill(wallet_id, refill_body(Decimal("50.00")))
        assert wallet.confirm_refill(again.payload)

    run(wallet, work)
    books = wallet.books()[wallet_id]
    assert books["balance"] == Decimal("50.00") and books["refills_credited"] == 1
    assert len(books["refills"]) == 2  # the lost link was never paid: it just expires


def test_an_upper_case_token_is_the_same_token(wallet: WalletServer) -> None:
    """UUIDs compare case-insensitively on both sides (an answer about *another* token is
    tests/unit/wallet_api/test_client_unit.py)."""
    wallet_id = funded(wallet)

    async def work(client: WalletClient) -> None:
        token = await client.initialize_payment(wallet_id)
        body = payment_body(wallet_id, token.token, Decimal("5.00"), "t")
        upper = body.replace(token.token.encode(), token.token.upper().encode())
        # an upper-case token is the same UUID: accepted, and the answer matches it
        assert (await client.pay(wallet_id, upper)).token == token.token

    run(wallet, work)


def test_fault_rules_over_the_control_endpoint(wallet: WalletServer) -> None:
    import httpx

    with httpx.Client(base_url=wallet.url) as http:
        assert http.post("/_emulator/faults", json={"rules": [
            {"method": "banks", "action": "http", "status": 503}]}).json()["pending"] == 1
        assert http.post("/_emulator/faults", json={"rules": [
            {"method": "nope", "action": "drop"}]}).status_code == 400
        state = http.get("/_emulator/wallet/state").json()
        assert state == {}

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletRefused) as down:
            await client.banks()
        assert down.value.status == 503
        wallet.add_fault(method="banks", action="http", status=503, times=-1)
        with httpx.Client(base_url=wallet.url) as http:
            assert http.post("/_emulator/faults/clear").json() == {"ok": True}
        assert len(await client.banks()) >= 4

    run(wallet, work)
    with pytest.raises(ValueError):
        wallet.add_fault(method="payment", action="code")
