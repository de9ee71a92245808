"""Every way an answer can fail, through the real client and the emulator: what the status
means (401/403 the settings, 404 and 502 nothing done, 500 unknown), broken and lost answers,
a late answer beyond the timeout — and the token in no log line and no error."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from cashier_app.card_api import (
    CardAuthError,
    CardClient,
    CardError,
    CardNoAnswer,
    CardPaths,
    CardRefused,
    user_register_body,
)
from cashier_app.emulator import CardGateway

from .conftest import TOKEN, payment, run


def test_another_token_is_401_and_the_settings_error(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        with pytest.raises(CardAuthError) as refused:
            await client.create(payment())
        assert refused.value.status == 401 and refused.value.error_code is None
        assert str(refused.value) == ("Шлюз не принял токен или сертификат: проверьте "
                                      "card.token и card.cert")

    run(gateway, work, token=TOKEN + "-old")
    assert gateway.unauthorized == 1 and gateway.books() == {}


def test_a_path_outside_the_api_is_403_an_unknown_method_404(gateway: CardGateway) -> None:
    async def work(client: CardClient) -> None:
        with pytest.raises(CardAuthError) as forbidden:
            await client.status("1310958041")
        assert forbidden.value.status == 403 and forbidden.value.error_code == "2203"

    run(gateway, work, paths=CardPaths(status="/admin/status"))

    async def missing(client: CardClient) -> None:
        with pytest.raises(CardRefused) as wrong:
            await client.status("1310958041")
        assert not isinstance(wrong.value, CardAuthError)
        assert (wrong.value.status, wrong.value.error_code) == (404, "1002")

    run(gateway, missing, paths=CardPaths(status="/payment/state"))


def test_500_is_no_answer_and_the_payment_may_exist(gateway: CardGateway) -> None:
    gateway.add_fault(method="anonymous", action="http", status=500, when="after")

    async def work(client: CardClient) -> None:
        with pytest.raises(CardNoAnswer) as lost:
            await client.create(payment())
        assert (lost.value.kind, lost.value.status) == ("http", 500)
        assert lost.value.message == "Внутренняя ошибка шлюза оплаты картой"
        assert "неизвестен" in str(lost.value) and '"1000"' in lost.value.answer_text

    run(gateway, work)
    assert len(gateway.books()) == 1  # created at the gateway: only a status can tell


@pytest.mark.parametrize("status", [502, 503])
def test_a_balancer_error_means_nothing_was_done(gateway: CardGateway, status: int) -> None:
    gateway.add_fault(method="anonymous", action="http", status=status)

    async def work(client: CardClient) -> None:
        with pytest.raises(CardRefused) as refused:
            await client.create(payment())
        assert refused.value.status == status
        assert str(refused.value) == f"Шлюз оплаты картой недоступен ({status})"
        assert "Bad Gateway" in refused.value.answer_text
        await client.create(payment())  # the rule is spent

    run(gateway, work)
    assert len(gateway.books()) == 1


def test_an_error_code_answer_is_a_refusal(gateway: CardGateway) -> None:
    gateway.add_fault(method="user_register", action="code", result=2404)

    async def work(client: CardClient) -> None:
        with pytest.raises(CardRefused) as refused:
            await client.register_user(user_register_body("79020000000"))
        assert (refused.value.error_code, refused.value.error) == ("2404",
                                                                   "UserBlockedException")
        assert str(refused.value) == "Покупатель заблокирован в магазине (код 2404)"

    run(gateway, work)


@pytest.mark.parametrize(("action", "kind"), [("broken_json", "bad_json"), ("drop", "reset"),
                                              ("reset", "reset")])
def test_a_broken_or_lost_answer_is_no_answer(gateway: CardGateway, action: str,
                                              kind: str) -> None:
    gateway.add_fault(method="anonymous", action=action, when="after")

    async def work(client: CardClient) -> None:
        with pytest.raises(CardNoAnswer) as lost:
            await client.create(payment())
        assert lost.value.kind == kind

    run(gateway, work)
    assert len(gateway.books()) == 1  # the payment exists; the status finds it


def test_a_late_answer_is_no_answer_within_the_timeout(gateway: CardGateway) -> None:
    gateway.add_fault(method="status", action="delay", seconds=1.5)

    async def work(client: CardClient) -> float:
        started = time.monotonic()
        with pytest.raises(CardNoAnswer) as late:
            await client.status("1310958041")
        assert late.value.kind == "timeout"
        assert str(late.value) == "Шлюз оплаты картой не ответил вовремя"
        return time.monotonic() - started

    assert run(gateway, work, timeout=0.4) < 1.2


def test_no_gateway_is_no_answer() -> None:
    closed = CardGateway(token=TOKEN).start()
    url = closed.url
    closed.stop()

    async def work() -> CardNoAnswer:
        async with CardClient(url, TOKEN, timeout=2) as client:
            try:
                await client.status("1310958041")
            except CardNoAnswer as error:
                return error
        raise AssertionError("no error")

    assert asyncio.run(work()).kind == "connect"


def test_fault_rules_refuse_unknown_methods(gateway: CardGateway) -> None:
    with pytest.raises(ValueError, match="unknown card gateway method"):
        gateway.add_fault(method="pay", action="drop")


def test_the_token_is_in_no_log_and_no_error(gateway: CardGateway,
                                             caplog: pytest.LogCaptureFixture) -> None:
    for name in ("", "httpx", "httpcore", "cashier_app"):
        caplog.set_level(logging.DEBUG, logger=name)
    errors: list[CardError] = []
    texts: list[str] = []
    gateway.add_fault(method="status", action="http", status=500)
    gateway.add_fault(method="card_list", action="broken_json")

    async def work(client: CardClient) -> None:
        texts.append(repr(client))
        made = await client.create(payment())
        for failing in (client.status(made.reg_pay_num), client.cards("user"),
                        client.status("1"), client.user_status("79990000000")):
            try:
                await failing
            except CardError as error:
                errors.append(error)

    run(gateway, work)

    async def wrong(client: CardClient) -> None:
        try:
            await client.create(payment())
        except CardError as error:
            errors.append(error)

    run(gateway, wrong, token=TOKEN + "x")
    assert len(errors) == 5
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    everything = "\n".join([caplog.text, *texts, *(str(e) for e in errors),
                            *(e.answer_text for e in errors),
                            *(repr(e.__dict__) for e in errors)])
    assert TOKEN not in everything
