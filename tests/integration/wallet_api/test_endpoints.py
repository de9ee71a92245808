"""The wallet client against the emulator over loopback HTTP: every endpoint, its answer
model, and what the service refuses."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from cashier_app.emulator import WalletServer
from cashier_app.wallet_api import (
    Identification,
    ReportFilter,
    WalletClient,
    WalletInputError,
    WalletRefused,
    limits_body,
    payment_body,
    refill_body,
    withdrawal_body,
)

from .conftest import run

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PAYLOAD = re.compile(r"https://qr\.nspk\.ru/([A-Z0-9]{32})\?type=02&bank=100000000001"
                     r"&sum=(\d+)&cur=RUB&crc=[0-9A-F]{4}")


def funded(emulator: WalletServer, amount: str = "1000.00", level: int = 0,
           phone: str = "9051112233") -> str:
    """A wallet of our partner with money on it (made in the books directly)."""
    return emulator.ledger.add_wallet("partner-42", phone, level, Decimal(amount))


def test_registration_is_idempotent_per_phone_and_info_describes_the_wallet(
        wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        first = await client.register("+7 (905) 123-45-67")
        assert UUID.fullmatch(first.wallet_id)
        assert first.identification == "ELEMENTARY" and first.level is Identification.ELEMENTARY
        assert first.raw == {"walletId": first.wallet_id, "identification": "ELEMENTARY"}
        again = await client.register("89051234567", 2)
        assert again.wallet_id == first.wallet_id  # the same phone: the same wallet
        other = await client.register("9051234568", 1)
        assert other.wallet_id != first.wallet_id and other.identification == "PERSONALIZED"
        info = await client.info(first.wallet_id)
        assert re.fullmatch(r"\d{16}", info.number)
        assert info.balance == Decimal("0.00") and info.status == "ACTIVE" and info.active
        assert info.identification == "ELEMENTARY"

    run(wallet, work)
    assert wallet.books()[next(iter(wallet.books()))]["phone"] == "9051234567"


def test_refill_is_credited_only_when_the_bank_pays_and_only_once(wallet: WalletServer
                                                                 ) -> None:
    async def work(client: WalletClient) -> None:
        wallet_id = (await client.register("9050000001")).wallet_id
        refill = await client.refill(wallet_id, refill_body(Decimal("1234.50")))
        found = PAYLOAD.fullmatch(refill.payload)
        assert found and found[2] == "123450" and refill.amount == Decimal("1234.50")
        assert (await client.info(wallet_id)).balance == Decimal("0.00")
        assert (await client.report(wallet_id)).content == ()
        assert wallet.confirm_refill(refill.payload) is True
        assert wallet.confirm_refill(found[1]) is False  # a second confirmation does nothing
        assert (await client.info(wallet_id)).balance == Decimal("1234.50")
        page = await client.report(wallet_id)
        assert [(op.operation_type, op.amount, op.formatted_amount) for op in page.content] \
            == [("CREDIT", Decimal("1234.50"), "1 234,50 ₽")]
        books = wallet.books()[wallet_id]
        assert books["refills_credited"] == 1 and books["balance"] == Decimal("1234.50")

    run(wallet, work)


def test_the_bank_page_and_its_button(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> str:
        wallet_id = (await client.register("9050000002")).wallet_id
        payload = (await client.refill(wallet_id, refill_body(Decimal("300.00")))).payload
        return payload

    payload = run(wallet, work)
    refill_id = PAYLOAD.fullmatch(payload)[1]  # type: ignore[index]
    page_url = f"{wallet.url}/_emulator/wallet/refills/{refill_id}"
    with urllib.request.urlopen(page_url, timeout=5) as response:
        page = response.read().decode()
    assert "Оплатить" in page and "300,00 ₽" in page and "PENDING" in page
    # the page's button posts a form and gets the page back
    request = urllib.request.Request(page_url + "/pay", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        page = response.read().decode()
    assert "Зачислено" in page and "CREDITED" in page
    # a program asks in JSON; a second payment is refused
    with pytest.raises(urllib.error.HTTPError) as again:
        urllib.request.urlopen(urllib.request.Request(
            page_url + "/pay", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"}), timeout=5)
    assert again.value.code == 409
    assert json.loads(again.value.read()) == {"ok": False, "message": "Уже оплачено"}
    (state,) = wallet.books().values()
    assert state["balance"] == Decimal("300.00") and state["refills_credited"] == 1


def test_an_unpaid_refill_expires(make_wallet) -> None:  # type: ignore[no-untyped-def]
    emulator = make_wallet(refill_ttl=0.2)

    async def work(client: WalletClient) -> str:
        wallet_id = (await client.register("9050000003")).wallet_id
        return (await client.refill(wallet_id, refill_body(Decimal("100.00")))).payload

    payload = run(emulator, work)
    time.sleep(0.3)
    assert emulator.confirm_refill(payload) is False
    (state,) = emulator.books().values()
    assert state["balance"] == 0 and next(iter(state["refills"].values()))["status"] == "EXPIRED"


def test_refills_over_the_balance_limit(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        wallet_id = (await client.register("9050000004")).wallet_id
        with pytest.raises(WalletRefused) as over:
            await client.refill(wallet_id, refill_body(Decimal("15000.01")))
        assert over.value.status == 400 and over.value.code == "LIMIT_EXCEEDED"
        assert "15 000,00" in str(over.value)
        # two pending links, each within the limit: the second is refused when paid
        first = await client.refill(wallet_id, refill_body(Decimal("10000.00")))
        second = await client.refill(wallet_id, refill_body(Decimal("6000.00")))
        assert wallet.confirm_refill(first.payload) is True
        assert wallet.confirm_refill(second.payload) is False
        assert (await client.info(wallet_id)).balance == Decimal("10000.00")

    run(wallet, work)


def test_payment_debits_once_per_token(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)
    other_id = funded(wallet, phone="9051112234")

    async def work(client: WalletClient) -> None:
        token = await client.initialize_payment(wallet_id)
        assert token.wallet_id == wallet_id and UUID.fullmatch(token.token)
        assert (await client.initialize_payment(wallet_id)).token != token.token
        body = payment_body(wallet_id, token.token, Decimal("250.00"), "tsp-shop-1")
        paid = await client.pay(wallet_id, body)
        assert (paid.wallet_id, paid.token) == (wallet_id, token.token)
        assert await client.pay(wallet_id, body) == paid  # again: the same answer
        with pytest.raises(WalletRefused) as other_amount:
            await client.pay(wallet_id, payment_body(wallet_id, token.token,
                                                     Decimal("250.01"), "tsp-shop-1"))
        assert other_amount.value.code == "TOKEN_USED"
        with pytest.raises(WalletRefused) as unknown:
            await client.pay(wallet_id, payment_body(
                wallet_id, "00000000-0000-4000-8000-000000000000", Decimal("1.00"), "t"))
        assert set(unknown.value.field_errors) == {"token"}
        foreign = await client.initialize_payment(other_id)
        with pytest.raises(WalletRefused) as not_ours:
            await client.pay(wallet_id, payment_body(wallet_id, foreign.token,
                                                     Decimal("1.00"), "t"))
        assert "token" in not_ours.value.field_errors
        fresh = await client.initialize_payment(wallet_id)
        with pytest.raises(WalletRefused) as poor:
            await client.pay(wallet_id, payment_body(wallet_id, fresh.token,
                                                     Decimal("750.01"), "t"))
        assert poor.value.code == "INSUFFICIENT_FUNDS"
        with pytest.raises(WalletInputError):  # nothing sent: the body names another wallet
            await client.pay(other_id, body)

    run(wallet, work)
    books = wallet.books()[wallet_id]
    assert books["balance"] == Decimal("750.00")
    assert sum(books["debits_per_token"].values()) == 1
    assert [op["type"] for op in books["operations"]] == ["CREDIT", "PAYMENT"]
    assert books["operations"][1]["tsp"] == "tsp-shop-1"


def test_banks_and_withdrawals_without_an_idempotency_key(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)

    async def work(client: WalletClient) -> None:
        banks = await client.banks()
        assert 4 <= len(banks) <= 5
        assert all(re.fullmatch(r"\d{9}", bank.bic) and bank.name and bank.original_name
                   and bank.logo_url.startswith("https://") for bank in banks)
        body = withdrawal_body(banks[1].bank_identifier, Decimal("100.00"))
        done = await client.withdraw(wallet_id, body)
        assert done.amount == Decimal("100.00")
        assert done.raw["bankIdentifier"] == banks[1].bank_identifier
        await client.withdraw(wallet_id, body)  # each POST is a new withdrawal
        debits = await client.report(wallet_id, ReportFilter(operation_type="DEBIT"))
        assert [op.amount for op in debits.content] == [Decimal("100.00")] * 2
        assert all(banks[1].name in op.description for op in debits.content)
        with pytest.raises(WalletRefused) as bad_bank:
            await client.withdraw(wallet_id, withdrawal_body("nope", Decimal("1.00")))
        assert bad_bank.value.field_errors.keys() == {"bankIdentifier"}
        assert bad_bank.value.code == "VALIDATION_ERROR"

    run(wallet, work)
    assert wallet.books()[wallet_id]["balance"] == Decimal("800.00")


def test_limits_follow_the_identification_level(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        wallet_id = (await client.register("9050000005")).wallet_id
        limits = await client.limits(wallet_id)
        assert set(limits.operations) == {"CREDIT", "PAYMENT", "DEBIT"}
        assert limits.balance_limit == Decimal("15000.00")
        assert all(item.one_time == Decimal("15000.00") and item.month == Decimal("40000.00")
                   and item.enabled for item in limits.operations.values())
        upgraded = await client.identify(wallet_id, 1)
        assert upgraded.identification == "PERSONALIZED"
        limits = await client.limits(wallet_id)
        assert limits.balance_limit == Decimal("60000.00")
        assert limits.operations["PAYMENT"].month == Decimal("200000.00")
        await client.identify(wallet_id, Identification.IDENTIFIED)
        limits = await client.limits(wallet_id)
        assert limits.balance_limit == Decimal("600000.00")
        assert limits.operations["DEBIT"].month is None  # no month limit
        assert limits.operations["DEBIT"].one_time == Decimal("600000.00")
        assert (await client.info(wallet_id)).identification == "IDENTIFIED"
        with pytest.raises(WalletInputError):
            await client.identify(wallet_id, 3)

    run(wallet, work)


def test_a_partner_lowers_limits_and_disables_an_operation(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)

    async def work(client: WalletClient) -> None:
        changed = await client.set_limits(wallet_id, limits_body({
            "PAYMENT": {"oneTimeLimit": Decimal("100.00")}, "DEBIT": {"enabled": False}}))
        assert changed.operations["PAYMENT"].one_time == Decimal("100.00")
        assert changed.operations["PAYMENT"].month == Decimal("40000.00")
        assert changed.operations["DEBIT"].enabled is False
        assert await client.limits(wallet_id) == changed
        token = await client.initialize_payment(wallet_id)
        with pytest.raises(WalletRefused) as over:
            await client.pay(wallet_id, payment_body(wallet_id, token.token,
                                                     Decimal("100.01"), "t"))
        assert over.value.code == "LIMIT_EXCEEDED" and "100,00" in str(over.value)
        await client.pay(wallet_id, payment_body(wallet_id, token.token, Decimal("100.00"),
                                                 "t"))
        with pytest.raises(WalletRefused) as disabled:
            await client.withdraw(wallet_id, withdrawal_body("100000000004", Decimal("1.00")))
        assert disabled.value.code == "OPERATION_DISABLED"
        with pytest.raises(WalletRefused) as above:
            await client.set_limits(wallet_id, limits_body(
                {"CREDIT": {"monthLimit": Decimal("40000.01")}}))
        assert above.value.code == "LIMIT_ABOVE_SYSTEM"

    run(wallet, work)
    assert wallet.books()[wallet_id]["balance"] == Decimal("900.00")


def test_report_filters_and_pages(wallet: WalletServer) -> None:
    wallet_id = funded(wallet, "5000.00")
    for index in range(1, 231):
        wallet.ledger.refund(wallet_id, Decimal(index))

    async def work(client: WalletClient) -> None:
        first = await client.report(wallet_id)
        assert first.page == 0 and first.size == 20 and first.total == 231
        assert [op.amount for op in first.content[:2]] == [Decimal("230.00"), Decimal("229.00")]
        assert first.content[0].operation_date <= datetime.now()
        third = await client.report(wallet_id, ReportFilter(page=2, size=100))
        assert len(third.content) == 31 and third.content[-1].operation_type == "CREDIT"
        refunds = await client.report(wallet_id, ReportFilter(
            operation_type="REFUND", amount_from=Decimal("10.00"), amount_to=Decimal("19.00"),
            size=100))
        assert sorted(op.amount for op in refunds.content) == [Decimal(n) for n in range(10, 20)]
        later = await client.report(wallet_id, ReportFilter(
            date_from=datetime.now() + timedelta(minutes=1)))
        assert later.content == () and later.total == 0
        earlier = await client.report(wallet_id, ReportFilter(
            date_to=datetime.now() - timedelta(days=1)))
        assert earlier.total == 0
        everything = await client.report_all(wallet_id, ReportFilter(operation_type="REFUND"))
        assert len(everything) == 230
        assert len({op.amount for op in everything}) == 230

    run(wallet, work)
    with pytest.raises(WalletInputError) as too_big:
        ReportFilter(size=101)
    assert too_big.value.field == "size"


def test_report_refuses_a_bad_date_and_a_big_page(wallet: WalletServer) -> None:
    wallet_id = funded(wallet)
    with httpx.Client(base_url=wallet.url) as http:
        token = http.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "partner-client-7f3a",
            "client_secret": "s3cr3t-9d1e-wallet-only", "partner_id": "partner-42"}
                          ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/wallet/v1/account/{wallet_id}/report"
        good = http.get(url, params={"dateFrom": "2020-01-01 00-00-00"}, headers=headers)
        assert good.status_code == 200 and good.json()["totalElements"] == 1
        colon = http.get(url, params={"dateFrom": "2020-01-01 00:00:00"}, headers=headers)
        assert colon.status_code == 400 and "dateFrom" in colon.json()["fieldErrors"]
        big = http.get(url, params={"size": "101"}, headers=headers)
        assert big.status_code == 400 and big.json()["code"] == "VALIDATION_ERROR"
        assert http.get("/api/wallet/v1/account/nothing/here",
                        headers=headers).status_code == 404
        wrong = http.get("/api/wallet/v1/account/registration", headers=headers)
        assert wrong.status_code == 405
        assert http.post(url, headers=headers).status_code == 405
        assert http.get(url).status_code == 401 and http.get(url).content == b""


def test_deactivation_only_at_zero_and_a_closed_wallet(wallet: WalletServer) -> None:
    async def work(client: WalletClient) -> None:
        wallet_id = (await client.register("9050000006")).wallet_id
        refill = await client.refill(wallet_id, refill_body(Decimal("10.00")))
        wallet.confirm_refill(refill.payload)
        with pytest.raises(WalletRefused) as not_zero:
            await client.deactivate(wallet_id)
        assert not_zero.value.code == "BALANCE_NOT_ZERO" and "10,00" in str(not_zero.value)
        await client.withdraw(wallet_id, withdrawal_body("100000000004", Decimal("10.00")))
        assert await client.deactivate(wallet_id) == wallet_id
        assert await client.deactivate(wallet_id) == wallet_id  # a repeat: the same answer
        assert (await client.info(wallet_id)).status == "CLOSED"
        with pytest.raises(WalletRefused) as closed:
            await client.refill(wallet_id, refill_body(Decimal("1.00")))
        assert closed.value.code == "WALLET_CLOSED"
        with pytest.raises(WalletRefused):
            await client.initialize_payment(wallet_id)
        assert (await client.register("9050000006")).wallet_id != wallet_id

    run(wallet, work)


def test_unknown_and_foreign_wallets(wallet: WalletServer) -> None:
    foreign = wallet.foreign_wallet()

    async def work(client: WalletClient) -> None:
        with pytest.raises(WalletRefused) as unknown:
            await client.info("00000000-0000-4000-8000-000000000001")
        assert (unknown.value.status, unknown.value.code) == (400, "WALLET_NOT_FOUND")
        with pytest.raises(WalletRefused) as other:
            await client.initialize_payment(foreign)
        assert other.value.status == 403
        assert str(other.value).startswith("Нет доступа к кошельку или неверный адрес")
        with pytest.raises(WalletInputError) as not_uuid:
            await client.info("../registration")
        assert not_uuid.value.field == "walletId"

    run(wallet, work)
    assert wallet.books()[foreign]["operations"] == [] and wallet.unauthorized == 0
