"""An anonymous card payment through the real client and the emulator over loopback HTTP, in
every state: created, waiting for 3-D Secure, holded, payed, declined (RC in errorCode),
expired — and the person's pages a browser sees."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest

from cashier_app.card_api import CardClient, CardRefused, PaymentStatus
from cashier_app.core.wire import decode_body, encode_body
from cashier_app.emulator import CardGateway

from .conftest import payment, run, wait_for

VISA = "4111 1111 1111 1111"


def created(gateway: CardGateway, body: bytes | None = None) -> str:
    async def work(client: CardClient) -> str:
        return (await client.create(body or payment())).reg_pay_num

    return run(gateway, work)


def status(gateway: CardGateway, number: str) -> PaymentStatus:
    async def work(client: CardClient) -> PaymentStatus:
        return await client.status(number)

    return run(gateway, work)


def test_created_then_3ds_then_holded_then_payed(gateway: CardGateway) -> None:
    body = payment("4.50", "133.00", order_note="Квартира 12")

    async def work(client: CardClient) -> None:
        made = await client.create(body)
        assert made.method_type == "GET" and 10 <= len(made.reg_pay_num) <= 11
        assert made.reg_pay_num.isdigit()
        assert made.pay_url == f"{gateway.url}/pay/{made.reg_pay_num}"
        assert made.user_token and made.raw["regPayNum"] == made.reg_pay_num
        first = await client.status(made.reg_pay_num)
        assert (first.state, first.final, first.paid, first.needs_3ds) == (
            "created", False, False, False)
        assert first.total_amount == Decimal("137.50")  # amount + comission, from kopecks
        assert first.remaining_amount == Decimal("0.00") and first.created_date
        assert gateway.ledger.submit_card(made.reg_pay_num, VISA, "12/30", "123")[0] == "3ds"
        for _ in range(2):  # stays at the step until the code is entered
            waiting = await client.status(made.reg_pay_num)
            assert waiting.state == "created" and waiting.needs_3ds
            assert waiting.error_code == "2365"
            assert waiting.secure_page_url == f"{gateway.url}/3ds/{made.reg_pay_num}"
        gateway.ledger.submit_3ds(made.reg_pay_num, "12345678")
        held = await client.status(made.reg_pay_num)
        assert held.state == "holded" and not held.final and not held.needs_3ds
        await asyncio.sleep(0.3)  # hold_seconds = 0.2
        paid = await client.status(made.reg_pay_num)
        assert (paid.state, paid.final, paid.paid) == ("payed", True, True)
        assert paid.remaining_amount == Decimal("137.50") and paid.proc_date
        assert paid.raw["providerServCode"] == "109-5804-1"
        assert paid.raw["provisionServices"] is True

    run(gateway, work)
    (books,) = gateway.books().values()
    assert books["state"] == "payed" and books["charges"] == 1
    assert (books["amount"], books["commission"], books["total"]) == (450, 13300, 13750)
    assert books["card_mask"] == "411111******1111"


def test_the_body_is_sent_unchanged_and_repeated_reads_change_nothing(gateway: CardGateway
                                                                      ) -> None:
    number = created(gateway)
    assert gateway.pay(number, VISA, "123") == "holded"
    assert gateway.pay(number, VISA, "123") == "holded"  # the page sent twice
    wait_for(lambda: status(gateway, number).paid)
    for _ in range(3):
        assert status(gateway, number).paid
    assert gateway.books()[number]["charges"] == 1


@pytest.mark.parametrize(("pan", "cvc", "exp", "code", "rc"), [
    (VISA, "321", "12/30", "12345678", "05"),  # the seed: a wrong CVC2 gives RC=05
    ("4000 0000 0000 0002", "123", "12/30", "12345678", "14"),  # not a test card
    ("5479 2700 0000 0000", "123", "03/22", "12345678", "54"),  # the seed's date: past
    ("2201 3820 0000 0062", "123", "12/30", "00000000", "2366"),  # a wrong 3-D Secure code
])
def test_declined_with_the_code_in_error_code(gateway: CardGateway, pan: str, cvc: str,
                                             exp: str, code: str, rc: str) -> None:
    number = created(gateway)
    assert gateway.pay(number, pan, cvc, exp, code) == "declined"
    answer = status(gateway, number)
    assert (answer.state, answer.final, answer.paid, answer.error_code) == (
        "declined", True, False, rc)
    assert answer.message and not answer.needs_3ds
    assert gateway.pay(number, VISA, "123") == "declined"  # final: the page changes nothing
    assert gateway.books()[number]["charges"] == 0


@pytest.mark.parametrize("pan", ["5479 2700 0000 0000", "4111111111111111",
                                 "6011-0000-0000-0004", "2201 3820 0000 0013",
                                 "2201 3820 0000 0062", "2201 3820 0000 0039"])
def test_every_test_card_of_the_seed_pays(gateway: CardGateway, pan: str) -> None:
    assert gateway.pay(created(gateway), pan, "123") == "holded"


def test_expired_when_not_paid_in_time_checked_on_read(gateway: CardGateway) -> None:
    number = created(gateway, payment(order_best_before=int(gateway.ledger.now()) + 60))
    assert status(gateway, number).state == "created"
    gateway.ledger.now = lambda: 10**10  # the clock passes orderBestBefore; nothing else runs
    answer = status(gateway, number)
    assert (answer.state, answer.final, answer.paid) == ("expired", True, False)
    assert gateway.pay(number, VISA, "123") == "expired"  # too late to pay
    assert gateway.books()[number]["charges"] == 0


def test_expire_leaves_a_paid_payment_alone(gateway: CardGateway) -> None:
    unpaid, paid = created(gateway), created(gateway)
    gateway.pay(paid, VISA, "123")
    assert gateway.expire(unpaid) == "expired" and status(gateway, unpaid).state == "expired"
    assert gateway.expire(paid) in ("holded", "payed")
    wait_for(lambda: status(gateway, paid).paid)


def test_refusals_of_create_and_status(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        with pytest.raises(CardRefused) as unknown:
            await client.create(payment(service_code="999-0000-0"))
        assert (unknown.value.status, unknown.value.error_code) == (400, "2301")
        assert str(unknown.value).startswith("Услуга с таким кодом (serviceCode) не найдена")
        with pytest.raises(CardRefused) as late:
            await client.create(payment(order_best_before=1_000_000_000))
        assert late.value.error_code == "2704" and "orderBestBefore" in str(late.value)
        with pytest.raises(CardRefused) as nobody:
            await client.status("1310958041")
        assert nobody.value.error_code == "2601"
        assert str(nobody.value) == "Платёж с таким номером не найден (код 2601)"
        assert '"errorCode":"2601"' in nobody.value.answer_text

    run(gateway, work)
    assert gateway.books() == {}


def test_the_payment_page_as_a_browser_sees_it(gateway: CardGateway) -> None:
    number = created(gateway, payment(order_note="Оплата за <декабрь>"))
    page = urllib.request.urlopen(f"{gateway.url}/pay/{number}").read().decode()
    for text in ("Оплата картой", "101,50 ₽", "Номер карты", "Срок действия", "CVC2",
                 "Оплатить", "Оплата за &lt;декабрь&gt;", "Л/СЧЕТ", "9503006477"):
        assert text in page
    form = urllib.parse.urlencode({"pan": VISA, "exp": "12/30", "cvc": "123"}).encode()
    secure = urllib.request.urlopen(f"{gateway.url}/pay/{number}", data=form)  # 303 followed
    assert secure.url.endswith(f"/3ds/{number}")
    assert "Проверка 3-D Secure" in secure.read().decode()
    code = urllib.parse.urlencode({"code": "12345678"}).encode()
    done = urllib.request.urlopen(f"{gateway.url}/3ds/{number}", data=code).read().decode()
    assert "заблокированы на карте" in done and "<form" not in done
    wait_for(lambda: status(gateway, number).paid)
    assert "Оплачено" in urllib.request.urlopen(f"{gateway.url}/pay/{number}").read().decode()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{gateway.url}/pay/99999999999")
    assert missing.value.code == 404


def test_a_typo_on_the_page_shows_the_form_again(gateway: CardGateway) -> None:
    number = created(gateway)
    form = urllib.parse.urlencode({"pan": "4111", "exp": "12/30", "cvc": "123"}).encode()
    again = urllib.request.urlopen(f"{gateway.url}/pay/{number}", data=form).read().decode()
    assert "от 12 до 19 цифр" in again and 'name="pan"' in again
    assert status(gateway, number).state == "created"


def control(gateway: CardGateway, path: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(f"{gateway.url}/_emulator/card/{path}",
                                     data=encode_body(body), method="POST")
    answer = decode_body(urllib.request.urlopen(request).read())
    assert isinstance(answer, dict)
    return answer


def test_control_endpoints_pay_expire_and_state(gateway: CardGateway) -> None:
    paid, unpaid = created(gateway), created(gateway)
    assert control(gateway, "pay", {"regPayNum": paid, "pan": VISA, "cvc": "123",
                                    "code3ds": "12345678"}) == {"ok": True, "state": "holded"}
    assert control(gateway, "expire", {"regPayNum": unpaid}) == {"ok": True, "state": "expired"}
    state = decode_body(urllib.request.urlopen(f"{gateway.url}/_emulator/card/state").read())
    assert set(state["payments"]) == {paid, unpaid}
    assert state["payments"][unpaid]["state"] == "expired"
