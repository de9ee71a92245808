"""The gateway's notifications to the shop, received by a small HTTP server here: a payment
that reaches payed, an attached card, repeated at growing intervals until an HTTP 200."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cashier_app.card_api import (
    CardClient,
    CardNotification,
    PaymentNotification,
    user_register_body,
)
from cashier_app.core.wire import decode_body
from cashier_app.emulator import CardGateway

from .conftest import payment, run, wait_for


class Receiver:
    """The shop's notification URL: answers ``statuses`` in turn (then 200), records each
    request's body and time."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[float, Any]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = decode_body(self.rfile.read(int(self.headers["Content-Length"])))
                with owner.lock:
                    owner.received.append((time.monotonic(), body))
                    status = owner.statuses.pop(0) if owner.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/notify"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[[list[int]], Receiver]]:
    made: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for item in made:
        item.stop()


def paid(gateway: CardGateway, **options: Any) -> str:
    async def make(client: CardClient) -> str:
        return (await client.create(payment("1000.00", "10.00", **options))).reg_pay_num

    number = run(gateway, make)
    gateway.pay(number, "4111 1111 1111 1111", "123")
    return number


def test_500_twice_then_200_is_three_attempts_at_growing_intervals(
        make_gateway: Callable[..., CardGateway],
        receiver: Callable[[list[int]], Receiver]) -> None:
    shop = receiver([500, 500])
    gateway = make_gateway(notify_url=shop.url, notify_intervals=(0.2, 0.6, 5))
    number = paid(gateway)
    wait_for(lambda: bool(gateway.notifications) and gateway.notifications[0]["delivered"])
    time.sleep(0.3)  # nothing more comes after the 200
    (note,) = gateway.notifications
    assert (note["kind"], note["attempts"], note["statuses"]) == ("payment", 3, [500, 500, 200])
    assert len(shop.received) == 3
    times = [moment for moment, _ in shop.received]
    first, second = times[1] - times[0], times[2] - times[1]
    assert 0.2 <= first < 0.9 and 0.6 <= second < 2.5 and second > first
    body = shop.received[0][1]
    assert body == {"regPayNum": number, "amount": "100000", "comission": "1000",
                    "state": "payed"}  # the seed's example: kopecks as strings
    parsed = PaymentNotification.parse(body)
    assert (parsed.reg_pay_num, str(parsed.amount), str(parsed.commission), parsed.state) == (
        number, "1000.00", "10.00", "payed")


def test_declined_is_notified_only_when_asked(make_gateway: Callable[..., CardGateway],
                                              receiver: Callable[[list[int]], Receiver]
                                              ) -> None:
    quiet_shop, told_shop = receiver([]), receiver([])
    quiet = make_gateway(notify_url=quiet_shop.url, notify_intervals=(0.1,))
    told = make_gateway(notify_url=told_shop.url, notify_intervals=(0.1,), notify_declined=True)
    for gateway in (quiet, told):
        async def make(client: CardClient) -> str:
            return (await client.create(payment())).reg_pay_num

        gateway.pay(run(gateway, make), "4111 1111 1111 1111", "000")
    wait_for(lambda: len(told_shop.received) == 1)
    time.sleep(0.3)
    assert quiet_shop.received == [] and quiet.notifications == []
    body = told_shop.received[0][1]
    assert (body["state"], body["errorCode"]) == ("declined", "05") and body["errorMsg"]


def test_an_attached_card_is_notified(make_gateway: Callable[..., CardGateway],
                                      receiver: Callable[[list[int]], Receiver]) -> None:
    shop = receiver([])
    gateway = make_gateway(notify_url=shop.url, notify_intervals=(0.1,))

    async def work(client: CardClient) -> str:
        user = await client.register_user(user_register_body("79020000001"))
        registration = await client.register_card(user.user_token)
        gateway.pay(registration.reg_pay_num, "2201 3820 0000 0062", "123")
        return user.user_token

    user_token = run(gateway, work)
    wait_for(lambda: len(shop.received) == 1)
    card = CardNotification.parse(shop.received[0][1])
    assert (card.user_token, card.card.card_mask, card.card.card_type) == (
        user_token, "220138******0062", "mir")
    assert set(shop.received[0][1]) == {"userToken", "cardMask", "cardToken", "cardType"}


def test_an_unreachable_shop_is_retried_until_stop(make_gateway: Callable[..., CardGateway],
                                                   receiver: Callable[[list[int]], Receiver]
                                                   ) -> None:
    shop = receiver([])
    url = shop.url
    shop.stop()  # nobody listens there any more
    gateway = make_gateway(notify_url=url, notify_intervals=(0.05, 0.1))
    paid(gateway)
    wait_for(lambda: bool(gateway.notifications)
             and gateway.notifications[0]["attempts"] >= 3)
    note = gateway.notifications[0]
    assert not note["delivered"] and set(note["statuses"]) == {None}
    started = time.monotonic()
    gateway.stop()
    assert time.monotonic() - started < 3
    attempts = gateway.notifications[0]["attempts"]
    time.sleep(0.3)
    assert gateway.notifications[0]["attempts"] == attempts  # stopped: no more attempts
