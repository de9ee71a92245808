"""Card payments through the engine against the processing emulator and the card gateway
emulator over loopback HTTP, one real journal: each state, declines, 3-D Secure, expiry, the
cashier's cancel, refunds full and partial, lost answers of creation and of refund, a
restart while a payment is followed — the gateway's books prove nothing doubled or lost, and
the processing center never gets a pay for a card payment (the gateway credits the provider)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.card_api.client import CardClient
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.card import CardGateway
from cashier_app.engine import PaymentEngine, PaymentInput
from cashier_app.engine.methods.card import EXPIRED, LINK_LOST, PAID, CardSettings
from cashier_app.journal import IdAllocator, Journal
from cashier_app.journal.cards import DONE, REFUSED
from cashier_app.journal.chain import verify
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.receipts.document import ReceiptSettings
from cashier_app.receipts.layout import as_text, layout
from cashier_app.receipts.payment_receipt import payment_receipt, receipt_refusal
from cashier_app.receipts.shift_report import shift_totals
from cashier_app.workplace.card_desk import CardDesk
from tests.conftest import TOKEN

D = Decimal
FAST = RetryPolicy(initial=0.01, factor=2, maximum=0.05)
CARD_TOKEN = "shop-token-3c1"
GOOD = ("4111111111111111", "123")
ALWAYS_3DS = "2201382000000013"  # the seed's МИР test card: a saved one always asks for it


class Desk:
    """The desk's money side for cards: a journal, the processing client, the gateway."""

    def __init__(self, emulator: EmulatorServer, gateway: CardGateway, folder: Path) -> None:
        self.emulator, self.gateway, self.folder = emulator, gateway, folder
        self.loop = asyncio.new_event_loop()
        self.journal = Journal(folder / "journal.sqlite3")
        self.services = {s["serviceId"]: ServiceDefinition.from_wire(s)
                         for s in emulator.center.catalog["services"]}
        self.engine = self.new_engine()

    def new_engine(self) -> PaymentEngine:
        """The program (again: a restart over the same journal)."""
        self.processing = ProcessingClient(self.emulator.url, TOKEN, timeout=3)
        ids = IdAllocator(self.folder / "hwm", 1, floor=self.journal.max_id())
        engine = PaymentEngine(self.journal, self.processing, FAST, ids)
        self.client = CardClient(self.gateway.url, CARD_TOKEN, timeout=3)
        engine.use_card(self.client, CardSettings({"*": "109-5804-1"}, lifetime=120,
                                                  poll_seconds=0.05))
        return engine

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def checked(self, amount: str = "100.00") -> tuple[Any, Any]:
        record = self.run(self.engine.check(PaymentInput(self.services["P1011"],
                                                         {"account": "9051234567"})))
        assert record.state is State.CHECKED
        return record, self.engine.plan(record, amount=D(amount))

    def by_link(self, amount: str = "100.00") -> Any:
        record, plan = self.checked(amount)
        return self.run(self.engine.start_card(record.agent_transaction_id, plan.money,
                                               plan.extras))

    def settle(self, record: Any, wait: float = 5) -> Any:
        return self.run(self.engine.scheduler.settle(record.agent_transaction_id, wait=wait))

    def book(self, reg_pay_num: str) -> dict[str, Any]:
        return dict(self.gateway.books()[reg_pay_num])

    def payments(self) -> list[dict[str, Any]]:
        """Every payment the gateway made, oldest first."""
        return list(self.gateway.books().values())

    def no_pay_at_the_center(self, record: Any) -> None:
        known = self.emulator.center.transaction(record.agent_transaction_id)
        assert known is not None and known.pay_state == "none"  # only checked

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.processing.aclose())
        self.loop.close()
        self.journal.close()


@pytest.fixture
def gateway() -> Iterator[CardGateway]:
    with CardGateway(token=CARD_TOKEN, hold_seconds=0.1) as running:
        yield running


@pytest.fixture
def desk(emulator: EmulatorServer, gateway: CardGateway, tmp_path: Path) -> Iterator[Desk]:
    made = Desk(emulator, gateway, tmp_path)
    try:
        yield made
    finally:
        made.close()


def test_paid_by_link_through_holded_and_never_paid_at_the_center(desk: Desk) -> None:
    record = desk.by_link("100.00")
    assert record.state is State.QR_WAITING and record.payment_method == "card"
    assert record.qr_payload and record.card_reg_pay_num in record.qr_payload
    assert b'"amount":10000' in record.card_body and b'"comission":0' in record.card_body
    assert desk.settle(record, wait=0.3).state is State.QR_WAITING  # nobody paid yet
    assert desk.gateway.pay(record.card_reg_pay_num, *GOOD) in ("holded", "payed")
    paid = desk.settle(record)
    assert paid.state is State.PAID and paid.result_message == PAID
    assert paid.card_remaining == D("100.00") and not paid.cash_accepted
    desk.no_pay_at_the_center(paid)
    assert desk.book(paid.card_reg_pay_num)["state"] == "payed"
    states = [a.answer for a in desk.journal.attempts(paid.agent_transaction_id)
              if a.method == "card-status"]
    assert any('"holded"' in (answer or "") for answer in states)  # it went through holded
    text = as_text(layout(payment_receipt(paid, ReceiptSettings(), 1), 42))
    assert "банковской картой" in text and "100,00" in text
    assert shift_totals([paid]).by_method["card"] == (1, D("100.00"))
    assert shift_totals([paid]).cash_expected == 0
    assert verify(desk.journal).ok


def test_a_wrong_cvc_declines_and_says_so(desk: Desk) -> None:
    record = desk.by_link()
    assert desk.gateway.pay(record.card_reg_pay_num, "4111111111111111", "999") == "declined"
    ended = desk.settle(record)
    assert ended.state is State.FAILED and "05" in (ended.result_message or "")
    assert receipt_refusal(ended) is not None


def test_an_unpaid_link_expires(desk: Desk) -> None:
    record = desk.by_link()
    desk.gateway.expire(record.card_reg_pay_num)
    ended = desk.settle(record)
    assert ended.state is State.FAILED and ended.result_message == EXPIRED


def test_a_lost_creation_answer_cannot_be_paid_and_is_not_repeated(desk: Desk) -> None:
    before = len(desk.payments())
    desk.gateway.add_fault(method="anonymous", action="drop", when="after")
    record = desk.by_link()
    # the gateway made a payment, but its link reached nobody: nothing to show, nothing to pay
    assert record.state is State.FAILED and record.result_message == LINK_LOST
    assert record.card_reg_pay_num is None and record.qr_payload is None
    payments = desk.payments()
    assert len(payments) == before + 1
    made = payments[-1]
    assert made["state"] == "created"  # unseen, unpaid; it ends by its orderBestBefore
    creates = [a for a in desk.journal.attempts(record.agent_transaction_id)
               if a.method == "card-create"]
    assert len(creates) == 1
    desk.no_pay_at_the_center(record)


def test_cancel_follows_the_link_to_its_end(desk: Desk) -> None:
    record = desk.by_link()
    waiting = desk.run(desk.engine.cancel_card(record.agent_transaction_id))
    assert waiting.state is State.QR_WAITING and waiting.cancel_requested_at
    desk.gateway.expire(record.card_reg_pay_num)
    assert desk.settle(record).state is State.CANCELLED
    # and a cancelled link that the person pays after all is still paid
    other = desk.by_link()
    desk.run(desk.engine.cancel_card(other.agent_transaction_id))
    desk.gateway.pay(other.card_reg_pay_num, *GOOD)
    assert desk.settle(other).state is State.PAID


def test_a_restart_follows_a_journaled_payment_to_its_end(desk: Desk) -> None:
    record = desk.by_link()
    desk.run(desk.client.aclose())
    desk.run(desk.processing.aclose())
    desk.engine = desk.new_engine()  # the program started again over the same journal
    desk.run(desk.engine.scheduler.recover(wait=0))
    desk.gateway.pay(record.card_reg_pay_num, *GOOD)
    assert desk.settle(record).state is State.PAID
    assert desk.book(record.card_reg_pay_num)["state"] == "payed"


def test_refund_partial_then_the_rest_and_never_twice(desk: Desk) -> None:
    record = desk.by_link("250.00")
    desk.gateway.pay(record.card_reg_pay_num, *GOOD)
    paid = desk.settle(record)
    cards = CardDesk(desk.engine, actor="Сидорова Мария", role="supervisor")
    first = desk.run(cards.refund(paid.agent_transaction_id, D("24.00"), "часть услуги"))
    assert first.state == DONE and first.remaining_after == D("226.00")
    assert desk.journal.get(paid.agent_transaction_id).card_remaining == D("226.00")
    with pytest.raises(Exception, match="Вернуть можно"):
        desk.run(cards.refund(paid.agent_transaction_id, D("300.00"), "слишком много"))
    second = desk.run(cards.refund(paid.agent_transaction_id, D("226.00"), "остальное"))
    assert second.state == DONE and second.remaining_after == 0
    book = desk.book(paid.card_reg_pay_num)
    assert book["remaining"] == 0 and len(book["refunds"]) == 2
    assert cards.refundable(desk.journal.get(paid.agent_transaction_id)) == 0
    assert verify(desk.journal).ok


def test_a_refund_whose_answer_is_lost_is_settled_by_status(desk: Desk) -> None:
    record = desk.by_link("100.00")
    desk.gateway.pay(record.card_reg_pay_num, *GOOD)
    paid = desk.settle(record)
    cards = CardDesk(desk.engine, actor="Сидорова Мария", role="supervisor")
    desk.gateway.add_fault(method="refund", action="drop", when="after")
    done = desk.run(cards.refund(paid.agent_transaction_id, D("40.00"), "возврат"))
    assert done.state == DONE and "статусу" in (done.message or "")
    desk.gateway.add_fault(method="refund", action="drop", when="before")
    not_done = desk.run(cards.refund(paid.agent_transaction_id, D("10.00"), "ещё"))
    assert not_done.state == REFUSED  # the remainder did not move: nothing was refunded
    assert desk.journal.get(paid.agent_transaction_id).card_remaining == D("60.00")
    book = desk.book(paid.card_reg_pay_num)
    assert book["remaining"] == 6000  # kopecks: one refund, not two


def test_a_saved_card_pays_and_a_lost_answer_waits_for_a_decision(desk: Desk) -> None:
    cards = CardDesk(desk.engine, actor="Тестова Анна", role="cashier")
    desk.run(cards.register_user("+7 916 123-45-67"))
    registration = desk.run(cards.add_card("89161234567"))
    desk.gateway.pay(registration.reg_pay_num, *GOOD)
    listed = desk.run(cards.cards("79161234567")).cards
    assert len(listed) == 1 and listed[0].card_mask.endswith("1111")
    user_token = desk.run(cards.saved_card_user("79161234567"))
    record, plan = desk.checked("70.00")
    paid = desk.run(desk.engine.start_card(record.agent_transaction_id, plan.money,
                                           plan.extras, user_token=user_token,
                                           card_token=listed[0].card_token))
    paid = desk.settle(paid)
    assert paid.state is State.PAID and paid.qr_payload is None

    desk.gateway.add_fault(method="recurrent", action="drop", when="after")
    record, plan = desk.checked("30.00")
    lost = desk.run(desk.engine.start_card(record.agent_transaction_id, plan.money,
                                           plan.extras, user_token=user_token,
                                           card_token=listed[0].card_token))
    assert lost.state is State.QR_WAITING and lost.needs_decision  # never repeated
    assert desk.settle(lost, wait=0.3).needs_decision
    made = desk.payments()[-1]
    supervisor = CardDesk(desk.engine, actor="Сидорова Мария", role="supervisor")
    decided = desk.run(supervisor.decide(lost.agent_transaction_id,
                                         reg_pay_num=str(made["regPayNum"]),
                                         reason="нашли в кабинете шлюза"))
    assert desk.settle(decided).state is State.PAID
    desk.run(cards.remove_card("79161234567", listed[0].card_token))
    assert all(card.state != "active" for card in desk.run(cards.cards("79161234567")).cards)


def test_a_saved_card_that_needs_3ds_shows_its_page(desk: Desk) -> None:
    cards = CardDesk(desk.engine, actor="Тестова Анна", role="cashier")
    desk.run(cards.register_user("79160000001"))
    registration = desk.run(cards.add_card("79160000001"))
    desk.gateway.pay(registration.reg_pay_num, ALWAYS_3DS, "123")
    card = desk.run(cards.cards("79160000001")).cards[0]
    record, plan = desk.checked("50.00")
    waiting = desk.run(desk.engine.start_card(
        record.agent_transaction_id, plan.money, plan.extras,
        user_token=desk.run(cards.saved_card_user("79160000001")), card_token=card.card_token))
    assert waiting.state is State.QR_WAITING and waiting.card_secure_url
    assert waiting.qr_status == "3ds"


def test_the_cashier_cannot_cancel_a_saved_cards_charge_that_may_have_happened(
        desk: Desk) -> None:
    cards = CardDesk(desk.engine, actor="Тестова Анна", role="cashier")
    desk.run(cards.register_user("79160000002"))
    registration = desk.run(cards.add_card("79160000002"))
    desk.gateway.pay(registration.reg_pay_num, *GOOD)
    card = desk.run(cards.cards("79160000002")).cards[0]
    desk.gateway.add_fault(method="recurrent", action="drop", when="after")
    record, plan = desk.checked("30.00")
    lost = desk.run(desk.engine.start_card(
        record.agent_transaction_id, plan.money, plan.extras,
        user_token=desk.run(cards.saved_card_user("79160000002")), card_token=card.card_token))
    kept = desk.run(desk.engine.cancel_card(lost.agent_transaction_id))
    assert kept.state is State.QR_WAITING and kept.needs_decision  # not «cancelled»


def test_a_refund_another_program_is_still_sending_is_not_called_not_done(desk: Desk) -> None:
    """«Проверить возврат» on a refund still «sending»: while it is young its program may be
    waiting for the gateway's answer, so an unchanged remainder is not «not refunded»; once
    it is old, that program has stopped (killed before sending) and it is."""
    from datetime import datetime

    from cashier_app.card_api.requests import refund_body
    from cashier_app.engine.methods.card import REFUND_IN_FLIGHT
    from cashier_app.journal.cards import SENDING

    record = desk.by_link("100.00")
    desk.gateway.pay(record.card_reg_pay_num, *GOOD)
    paid = desk.settle(record)
    tx, reg = paid.agent_transaction_id, paid.card_reg_pay_num
    cards = CardDesk(desk.engine, actor="Сидорова Мария", role="supervisor")
    body = refund_body(reg, D("30.00"), D("70.00"), "возврат")
    sending = desk.journal.add_refund(tx, actor="Сидорова Мария", note="возврат",
                                      amount=D("30.00"), remaining_before=D("100.00"),
                                      remaining_after=D("70.00"), body=body)
    checked = desk.run(cards.recheck_refund(sending.id))
    assert checked.state == SENDING and "ещё отправляется" in (checked.message or "")
    desk.run(desk.client.refund(body))  # that program's request reaches the gateway now
    assert desk.run(cards.recheck_refund(sending.id)).state == DONE

    stopped = desk.journal.add_refund(
        tx, actor="Сидорова Мария", note="ещё", amount=D("10.00"), remaining_before=D("70.00"),
        remaining_after=D("60.00"), body=refund_body(reg, D("10.00"), D("60.00"), "ещё"))
    desk.engine.clock = lambda: datetime.now() + REFUND_IN_FLIGHT * 2
    assert desk.run(cards.recheck_refund(stopped.id)).state == REFUSED  # never sent
    assert desk.journal.get(tx).card_remaining == D("70.00")
    assert desk.book(reg)["remaining"] == 7000  # kopecks: one refund
    assert verify(desk.journal).ok


def test_the_shifts_refunds_to_cards_are_in_its_x_and_z_reports(desk: Desk) -> None:
    """Money given back to a card is not the drawer's, but the supervisor reconciles the
    shift with the gateway's statement: its X and Z reports say how much went back."""
    from datetime import datetime

    from cashier_app.core.cashiers import Role
    from cashier_app.receipts.shift_report import ShiftTotals, shift_report
    from cashier_app.workplace.shifts import close_shift, current_totals, open_shift

    shift = open_shift(desk.journal, "Иванова Анна")
    record = desk.by_link("100.00")
    desk.gateway.pay(record.card_reg_pay_num, *GOOD)
    paid = desk.settle(record)
    cards = CardDesk(desk.engine, actor="Сидорова Мария", role="supervisor")
    desk.run(cards.refund(paid.agent_transaction_id, D("30.00"), "часть услуги"))
    totals = current_totals(desk.journal, shift)
    assert totals.card_refunds == (1, D("30.00")) and totals.cash_expected == 0
    now = desk.journal.shift(shift.id)
    x = as_text(layout(shift_report(
        "x", now, desk.journal.shift_payments(shift.id), ReceiptSettings(), 1, datetime.now(),
        desk.journal.shift_refunds(now)), 42))
    assert "Возвраты на карту: 1" in x and "30,00" in x.split("Возвраты на карту: 1")[1][:40]
    closed = close_shift(desk.journal, shift.id, actor="Сидорова Мария", role=Role.SUPERVISOR,
                         counted=D("0.00"))
    assert closed.totals is not None
    assert ShiftTotals.from_json(closed.totals).card_refunds == (1, D("30.00"))
    z = as_text(layout(shift_report("z", closed, [], ReceiptSettings(), 2, datetime.now()), 42))
    assert "Возвраты на карту: 1" in z  # from the totals fixed at the close
    older = {k: v for k, v in closed.totals.items() if k != "card_refunds"}
    assert ShiftTotals.from_json(older).card_refunds == (0, D("0.00"))  # closed before this
