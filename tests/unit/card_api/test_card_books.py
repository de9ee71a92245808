"""The emulator's books without HTTP, on a fake clock: the hold before capture, expiry by
orderBestBefore, one charge per payment, refunds that cannot be doubled, the recurrent
payment's ``value``/``amount``, masks."""

from __future__ import annotations

from typing import Any

import pytest

from cashier_app.emulator.card_books import CardBooks, CardProblem

BASE = "http://gateway.test"
ORDER = {"serviceCode": "109-5804-1", "amount": 1000, "comission": "50",
         "orderBestBefore": 2000, "properties": [{"name": "Л/СЧЕТ", "value": "1"}]}


class Clock:
    def __init__(self) -> None:
        self.now, self.tick = 1000.0, 0.0


def books(**options: Any) -> tuple[CardBooks, Clock]:
    clock = Clock()
    return CardBooks(hold_seconds=5, now=lambda: clock.now, clock=lambda: clock.tick,
                     collect_events=True, **options), clock


def test_holded_until_the_hold_passes_then_payed_once() -> None:
    ledger, clock = books()
    number = ledger.anonymous(dict(ORDER), BASE)["regPayNum"]
    assert ledger.submit_card(number, "4111111111111111", "12/99", "123")[0] == "3ds"
    ledger.submit_3ds(number, "12345678")
    assert ledger.status({"regPayNum": number}, BASE)["state"] == "holded"
    clock.tick = 4.9
    assert ledger.status({"regPayNum": number}, BASE)["state"] == "holded"
    assert ledger.take_events() == []
    clock.tick = 5.0
    answer = ledger.status({"regPayNum": number}, BASE)
    assert (answer["state"], answer["totalAmount"], answer["remainingAmount"]) == (
        "payed", 1050, 1050)
    assert ledger.take_events() == [("payment", {"regPayNum": number, "amount": "1000",
                                                 "comission": "50", "state": "payed"})]
    ledger.submit_3ds(number, "12345678")
    assert ledger.books()[number]["charges"] == 1 and ledger.take_events() == []


def test_expired_at_order_best_before_not_a_second_before() -> None:
    ledger, clock = books()
    number = ledger.anonymous(dict(ORDER), BASE)["regPayNum"]
    clock.now = 1999.9
    assert ledger.status({"regPayNum": number}, BASE)["state"] == "created"
    clock.now = 2000
    assert ledger.status({"regPayNum": number}, BASE)["state"] == "expired"
    assert ledger.submit_card(number, "4111111111111111", "12/99", "123")[0] == "done"
    with pytest.raises(CardProblem) as late:
        ledger.anonymous(dict(ORDER), BASE)
    assert late.value.code == "2704"


def test_a_refund_is_applied_once() -> None:
    ledger, clock = books()
    number = ledger.anonymous(dict(ORDER), BASE)["regPayNum"]
    ledger.submit_card(number, "2201 3820 0000 0039", "01/99", "123")
    ledger.submit_3ds(number, "12345678")
    clock.tick = 10
    request = {"regPayNum": number, "note": "n", "refundAmount": "300",
               "remainingAmount": "750"}
    assert ledger.refund(dict(request))["remainingAmount"] == 750
    for _ in range(3):
        with pytest.raises(CardProblem) as again:
            ledger.refund(dict(request))
        assert again.value.code == "2604"
    assert ledger.books()[number]["refunds"] == [300]
    with pytest.raises(CardProblem) as no_note:
        ledger.refund({**request, "note": None})
    assert no_note.value.code == "1001"


@pytest.mark.parametrize(("change", "code"), [
    ({"serviceCode": "nope"}, "2301"), ({"amount": 0}, "2701"), ({"amount": "1.5"}, "2701"),
    ({"amount": True}, "2701"), ({"comission": -1}, "2702"), ({"properties": []}, "2703"),
    ({"properties": [{"value": "1"}]}, "2703"), ({"payType": "sms"}, "2705"),
    ({"orderBestBefore": 999}, "2704"),
])
def test_bad_orders_are_refused(change: dict[str, Any], code: str) -> None:
    ledger, _ = books()
    with pytest.raises(CardProblem) as refused:
        ledger.anonymous({**ORDER, **change}, BASE)
    assert refused.value.code == code and refused.value.body()["errorCode"] == code
    assert ledger.payments == {}


def test_recurrent_value_and_amount() -> None:
    ledger, _ = books()
    user = ledger.user_register({"login": "79020000000"})["userToken"]
    registration = ledger.card_register({"userToken": user}, BASE)["regPayNum"]
    ledger.submit_card(registration, "4111 1111 1111 1111", "12/99", "123")
    ledger.submit_3ds(registration, "12345678")
    (card,) = ledger.card_list({"userToken": user})["cards"]
    assert card["cardMask"] == "411111******1111" and card["cardType"] == "visa"
    order = {**ORDER, "userToken": user, "cardToken": card["cardToken"]}
    del order["amount"]
    status, answer = ledger.recurrent({**order, "value": "700"}, BASE)
    assert status == 200 and ledger.books()[answer["regPayNum"]]["amount"] == 700
    with pytest.raises(CardProblem) as differ:
        ledger.recurrent({**order, "value": "700", "amount": 800}, BASE)
    assert differ.value.code == "2701"
    with pytest.raises(CardProblem) as nobody:
        ledger.recurrent({**order, "amount": 1, "userToken": "x"}, BASE)
    assert nobody.value.code == "2403"
