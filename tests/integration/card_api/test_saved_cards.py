"""Buyers and saved cards through the real client and the emulator: registration, status,
UserNotRegistered, a card attached on its page (3-D Secure) and listed masked, deactivation,
and recurrent payments by the card's token — at once, or after 3-D Secure."""

from __future__ import annotations

import urllib.parse
import urllib.request
from decimal import Decimal

import pytest

from cashier_app.card_api import (
    CardClient,
    CardList,
    CardRefused,
    CardUser,
    Need3ds,
    UserNotRegistered,
    user_register_body,
)
from cashier_app.emulator import CardGateway

from .conftest import by_card, run

PHONE = "+7 902 000-00-00"


async def registered(client: CardClient) -> CardUser:
    return await client.register_user(user_register_body(PHONE, "ana@mi.ru", "Анна",
                                                         "Иванова", "Петровна"))


async def with_card(client: CardClient, gateway: CardGateway, pan: str) -> tuple[str, str]:
    user = await registered(client)
    registration = await client.register_card(user.user_token)
    assert gateway.pay(registration.reg_pay_num, pan, "123") == "payed"
    cards = await client.cards(user.user_token)
    return user.user_token, cards.active[-1].card_token


def test_register_a_buyer_and_ask_their_status(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        user = await registered(client)
        assert (user.login, user.email, user.name, user.sur_name, user.middle_name) == (
            "79020000000", "ana@mi.ru", "Анна", "Иванова", "Петровна")
        assert user.state == "active" and user.active and user.user_token
        again = await client.register_user(user_register_body("89020000000"))
        assert again.user_token == user.user_token  # the same buyer, not a second one
        known = await client.user_status("8 902 000 00 00")
        assert (known.login, known.user_token, known.email) == (
            "79020000000", user.user_token, "ana@mi.ru")
        with pytest.raises(UserNotRegistered) as nobody:
            await client.user_status("79150000000")
        assert isinstance(nobody.value, CardRefused)
        assert nobody.value.error == "UserNotRegisteredForShop"
        assert str(nobody.value) == ("Покупатель с этим номером не зарегистрирован в магазине "
                                     "(код 2403)")

    run(gateway, work)


def test_a_card_attached_on_its_page_is_listed_masked(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> CardList:
        user = await registered(client)
        assert (await client.cards(user.user_token)).cards == ()
        registration = await client.register_card(user.user_token)
        assert registration.method_type == "GET"
        assert registration.pay_url == f"{gateway.url}/pay/{registration.reg_pay_num}"
        page = urllib.request.urlopen(registration.pay_url).read().decode()
        assert "Привязка карты" in page and "Привязать карту" in page
        form = urllib.parse.urlencode({"pan": "5479 2700 0000 0000", "exp": "12/30",
                                       "cvc": "123"}).encode()
        urllib.request.urlopen(registration.pay_url, data=form)  # → the 3-D Secure page
        assert (await client.cards(user.user_token)).cards == ()  # not before the code
        code = urllib.parse.urlencode({"code": "12345678"}).encode()
        done = urllib.request.urlopen(f"{gateway.url}/3ds/{registration.reg_pay_num}",
                                      data=code).read().decode()
        assert "Карта привязана" in done
        return await client.cards(user.user_token)

    listed = run(gateway, work)
    (card,) = listed.cards
    assert (card.card_mask, card.card_type, card.state, card.active) == (
        "547927******0000", "master_card", "active", True)
    assert listed.raw["cards"][0]["cardToken"] == card.card_token


def test_a_declined_card_is_not_attached(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> int:
        user = await registered(client)
        registration = await client.register_card(user.user_token)
        assert gateway.pay(registration.reg_pay_num, "4111 1111 1111 1111", "999") == \
            "declined"
        return len((await client.cards(user.user_token)).cards)

    assert run(gateway, work) == 0


def test_recurrent_by_token_is_payed_at_once(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> str:
        user_token, card_token = await with_card(client, gateway, "4111 1111 1111 1111")
        made = await client.recurrent(by_card(user_token, card_token, "10.00"))
        assert made.user_token == user_token and made.pay_url.startswith(gateway.url)
        answer = await client.status(made.reg_pay_num)
        assert answer.paid and answer.total_amount == Decimal("10.50")
        return made.reg_pay_num

    number = run(gateway, work)
    books = gateway.books()[number]
    assert (books["kind"], books["charges"], books["card_mask"]) == (
        "recurrent", 1, "411111******1111")


def test_recurrent_by_a_3ds_card_needs_the_code_then_is_payed(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> str:
        user_token, card_token = await with_card(client, gateway, "2201 3820 0000 0013")
        with pytest.raises(Need3ds) as step:
            await client.recurrent(by_card(user_token, card_token))
        number = step.value.reg_pay_num
        assert step.value.secure_page_url == f"{gateway.url}/3ds/{number}"
        assert "3-D Secure" in str(step.value) and '"2365"' in step.value.answer_text
        waiting = await client.status(number)
        assert waiting.needs_3ds and waiting.state == "created" and not waiting.final
        page = urllib.request.urlopen(step.value.secure_page_url).read().decode()
        assert "12345678" in page
        assert gateway.pay(number, "", "", code_3ds="12345678") == "payed"
        assert (await client.status(number)).paid
        return number

    number = run(gateway, work)
    assert gateway.books()[number]["charges"] == 1


def test_a_deactivated_card_cannot_pay(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        user_token, card_token = await with_card(client, gateway, "6011 0000 0000 0004")
        done = await client.deactivate_card(user_token, card_token)
        assert (done.result_state, done.user_token) == ("success", user_token)
        assert (await client.deactivate_card(user_token, card_token)).result_state == "success"
        (card,) = (await client.cards(user_token)).cards
        assert card.state == "inactive" and not card.active
        with pytest.raises(CardRefused) as refused:
            await client.recurrent(by_card(user_token, card_token))
        assert refused.value.error_code == "2102"
        assert str(refused.value).startswith("Карта отключена: привяжите карту заново")
        with pytest.raises(CardRefused) as unknown:
            await client.deactivate_card(user_token, "no-such-card")
        assert unknown.value.error_code == "2101"
        with pytest.raises(UserNotRegistered):
            await client.cards("no-such-user")

    run(gateway, work)
    assert all(item["charges"] == 0 for item in gateway.books().values()
               if item["kind"] == "recurrent")


def test_attaching_the_same_card_again_keeps_one_entry(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> CardList:
        first = await with_card(client, gateway, "2201 3820 0000 0039")
        second = await with_card(client, gateway, "2201 3820 0000 0039")
        assert first == second
        return await client.cards(first[0])

    assert len(run(gateway, work).cards) == 1
