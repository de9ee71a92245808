"""QR СБП through the engine, against the real emulator over loopback, with a real journal.

The person's bank is the emulator's ``bank`` (what its "bank app" page and demo button do)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.core.schemes import LineChoice, PaymentRefused
from cashier_app.core.states import State
from cashier_app.core.wire import decode_body
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentChanged
from cashier_app.journal import PaymentRecord
from cashier_app.processing.sbp import SbpClient
from tests.integration.engine.test_engine import Rig

D = Decimal


class QrRig(Rig):
    def __init__(self, emulator: EmulatorServer, folder: Path, mode: str = "qr") -> None:
        super().__init__(emulator, folder)
        self.engine.sbp = SbpClient(self.client, mode=mode, lifetime=120, poll_interval=0.02)

    def start(self, record: PaymentRecord | None = None, **plan: Any) -> PaymentRecord:
        record = record or self.check()
        plan.setdefault("amount", D("100"))
        planned = self.engine.plan(record, **plan)
        return self.run(self.engine.start_qr(record.agent_transaction_id, planned.money,
                                             planned.extras, planned.lines))

    def poll(self, record: PaymentRecord) -> PaymentRecord:
        return self.run(self.engine.poll_qr(record.agent_transaction_id))

    def bank(self, action: str, record: PaymentRecord) -> dict[str, Any]:
        return self.emulator.center.bank(action, tx_id=record.agent_transaction_id)

    def code_at_center(self, record: PaymentRecord) -> Any:
        return self.emulator.center.sbp.codes.get(record.agent_transaction_id)

    def settle(self, record: PaymentRecord, wait: float = 5) -> PaymentRecord:
        return self.run(self.engine.scheduler.settle(record.agent_transaction_id, wait=wait))


@pytest.fixture
def qr(emulator: EmulatorServer, tmp_path: Path) -> Iterator[QrRig]:
    made = QrRig(emulator, tmp_path)
    yield made
    made.close()


def test_create_then_paid(qr: QrRig) -> None:
    balance = qr.emulator.center.balance
    waiting = qr.start()
    assert waiting.state is State.QR_WAITING and waiting.payment_method == "sbp"
    assert waiting.qr_status == "CREATED" and waiting.qr_id
    assert waiting.qr_payload and waiting.qr_payload.startswith("https://qr.nspk.ru/")
    assert waiting.qr_expires_at is not None
    # no cash, no change; the amounts on the wire with two decimals
    assert waiting.cash_given is None and waiting.change is None
    assert waiting.amount_from == D("100.00") and not waiting.cash_accepted
    assert waiting.qr_body is not None and b'"amountTo":100.00,"amountFrom":100.00' in (
        waiting.qr_body)
    code = qr.code_at_center(waiting)
    assert code.body == decode_body(waiting.qr_body)  # what was journaled is what was sent
    assert code.payload == waiting.qr_payload
    heard: list[PaymentRecord] = []
    qr.engine.events.subscribe(PaymentChanged, lambda event: heard.append(event.record))
    assert qr.poll(waiting).state is State.QR_WAITING  # not paid yet: still waiting
    assert heard == []  # «still CREATED» is no news: the window does not redraw for it
    assert qr.bank("pay", waiting)["ok"]
    paid = qr.poll(waiting)
    assert [r.state for r in heard] == [State.PAID]
    assert paid.state is State.PAID and paid.qr_status == "PAID"
    assert paid.transaction_id == qr.at_emulator(paid).transaction_id
    assert paid.transaction_date and paid.settled_at
    assert paid.accepted and not paid.cash_accepted  # money taken, but not into the drawer
    assert qr.emulator.center.balance == balance - D("100.00")
    assert qr.at_emulator(paid).debits == 1
    methods = [a.method for a in qr.journal.attempts(paid.agent_transaction_id)]
    # the poll that said CREATED again is not kept: the history shows the changes
    assert methods == ["check", "qr-create", "qr-status"]


def test_the_request_is_journaled_before_the_code_is_created(qr: QrRig) -> None:
    seen: list[tuple[State, bytes | None]] = []
    original = qr.engine.sbp.send  # type: ignore[union-attr]

    async def spying(kind: str, body: bytes) -> Any:
        if kind == "create":
            stored = qr.journal.get(checked.agent_transaction_id)
            seen.append((stored.state, stored.qr_body))
        return await original(kind, body)

    qr.engine.sbp.send = spying  # type: ignore[method-assign,union-attr]
    checked = qr.check()
    waiting = qr.start(checked)
    assert seen == [(State.QR_WAITING, waiting.qr_body)]


def test_expired_code_fails_and_nothing_is_paid(qr: QrRig) -> None:
    waiting = qr.start()
    qr.bank("expire", waiting)
    failed = qr.poll(waiting)
    assert failed.state is State.FAILED and failed.qr_status == "EXPIRED"
    assert failed.result_message == "Срок QR-кода истёк: оплата не поступила"
    assert qr.at_emulator(failed).debits == 0
    assert not qr.bank("pay", waiting)["ok"]  # the bank cannot pay an expired code


def test_rejected_code_fails_with_the_banks_reason(qr: QrRig) -> None:
    waiting = qr.start()
    qr.bank("reject", waiting)
    failed = qr.poll(waiting)
    assert failed.state is State.FAILED and failed.qr_status == "REJECTED"
    assert failed.result_message == "Оплата по QR отклонена: Банк клиента отклонил операцию"
    assert qr.at_emulator(failed).debits == 0


def test_a_refused_create_fails_without_a_code(qr: QrRig) -> None:
    failed = qr.start(amount=D("20000"))  # above the provider's 15 000
    assert failed.state is State.FAILED and failed.result == 242
    assert failed.qr_payload is None and qr.code_at_center(failed) is None


def test_paid_while_the_program_was_down_is_found_at_restart(emulator: EmulatorServer,
                                                             tmp_path: Path) -> None:
    first = QrRig(emulator, tmp_path)
    waiting = first.start()
    first.close()  # the program stops with the code on screen
    emulator.center.bank("pay", tx_id=waiting.agent_transaction_id)
    second = QrRig(emulator, tmp_path)
    try:
        [paid] = second.run(second.engine.scheduler.recover(wait=2))
        assert paid.state is State.PAID and paid.transaction_id
        assert second.at_emulator(paid).debits == 1
    finally:
        second.close()


def test_not_paid_before_restart_ends_cancelled_at_expiry(emulator: EmulatorServer,
                                                          tmp_path: Path) -> None:
    first = QrRig(emulator, tmp_path)
    waiting = first.start()
    first.close()
    second = QrRig(emulator, tmp_path)
    try:
        [still] = second.run(second.engine.scheduler.recover(wait=0.1))
        # the code can still be paid (the person may have scanned it): watched, not dropped
        assert still.state is State.QR_WAITING and still.cancel_requested_at
        emulator.center.bank("expire", tx_id=waiting.agent_transaction_id)
        ended = second.settle(still)
        assert ended.state is State.CANCELLED
        assert ended.result_message == ("Программа перезапускалась: QR-код больше не на "
                                        "экране: QR-код не оплачен")
    finally:
        second.close()


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_create_without_answer_is_looked_up_at_restart_not_repeated(
        emulator: EmulatorServer, tmp_path: Path, when: str) -> None:
    emulator.add_fault(method="qr-code/create", action="drop", when=when, times=-1)
    first = QrRig(emulator, tmp_path)
    lost = first.start()
    assert lost.state is State.QR_WAITING and lost.qr_status is None and lost.qr_failures == 1
    first.close()
    emulator.clear_faults()
    creates = emulator.center.request_counts.get("qr-code/create", 0)
    second = QrRig(emulator, tmp_path)
    try:
        [looked] = second.run(second.engine.scheduler.recover(wait=0.2))
        # nobody sees a code made now: the create is not sent again
        assert emulator.center.request_counts.get("qr-code/create", 0) == creates
        if when == "before":  # the center never got it: nothing to pay, cancelled at once
            assert looked.state is State.CANCELLED and looked.qr_status == "NOT_FOUND"
        else:  # the center made the code: it is watched until it cannot be paid
            assert looked.state is State.QR_WAITING and looked.qr_status == "CREATED"
            emulator.center.bank("pay", tx_id=lost.agent_transaction_id)
            assert second.settle(looked).state is State.PAID
    finally:
        second.close()


def test_the_status_poll_survives_transport_failures(qr: QrRig) -> None:
    waiting = qr.start()
    for action in ("drop", "reset", "http", "broken_json"):
        qr.emulator.add_fault(method="qr-code/checkstatus", action=action)
    qr.bank("pay", waiting)
    paid = qr.settle(waiting)
    assert paid.state is State.PAID and paid.qr_failures == 0
    outcomes = [a.outcome for a in qr.journal.attempts(paid.agent_transaction_id)
                if a.method == "qr-status"]
    assert outcomes == ["transport"] * 4 + ["answer"]
    assert qr.at_emulator(paid).debits == 1


def test_a_lost_create_answer_is_repeated_with_the_same_bytes(qr: QrRig) -> None:
    qr.emulator.add_fault(method="qr-code/create", action="drop", when="after")
    lost = qr.start()
    assert lost.qr_status is None  # no answer: no code on screen yet
    created = qr.poll(lost)
    assert created.qr_status == "CREATED"
    assert created.qr_payload == qr.code_at_center(created).payload  # the same, one code
    assert len(qr.emulator.center.sbp.codes) == 1


def test_the_scheduler_follows_a_code_to_paid(qr: QrRig) -> None:
    waiting = qr.start()

    async def background() -> PaymentRecord:
        stop = asyncio.Event()
        task = asyncio.ensure_future(qr.engine.scheduler.run(stop, idle=0.02))
        await asyncio.sleep(0.1)
        qr.bank("pay", waiting)
        for _ in range(200):
            if qr.journal.get(waiting.agent_transaction_id).state is State.PAID:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await task
        return qr.journal.get(waiting.agent_transaction_id)

    assert qr.run(background()).state is State.PAID


def test_cancelled_dynamic_code_is_watched_and_paid_if_the_person_pays(qr: QrRig) -> None:
    waiting = qr.start()
    cancelled = qr.run(qr.engine.cancel_qr(waiting.agent_transaction_id))
    assert cancelled.state is State.QR_WAITING and cancelled.cancel_requested_at
    qr.bank("pay", waiting)  # paid after all, before it expired
    assert qr.settle(cancelled).state is State.PAID


def test_cancelled_dynamic_code_ends_cancelled_at_expiry(qr: QrRig) -> None:
    waiting = qr.start()
    qr.run(qr.engine.cancel_qr(waiting.agent_transaction_id))
    qr.bank("expire", waiting)
    ended = qr.settle(waiting)
    assert ended.state is State.CANCELLED
    assert ended.result_message == "Отменён кассиром: QR-код не оплачен"


def test_a_new_code_for_an_expired_one(qr: QrRig) -> None:
    record = qr.check("P0005", account="1000000001")
    waiting = qr.start(record, amount=None,
                       lines=[LineChoice("36", D("359.80"), D("4921.5")),
                              LineChoice("13", D("80"))])
    qr.bank("expire", waiting)
    failed = qr.poll(waiting)
    renewed = qr.run(qr.engine.renew_qr(failed.agent_transaction_id))
    assert renewed.agent_transaction_id != failed.agent_transaction_id
    assert renewed.state is State.QR_WAITING and renewed.qr_status == "CREATED"
    assert renewed.qr_payload != failed.qr_payload
    assert (renewed.amount_to, renewed.extra_services) == (D("439.80"), failed.extra_services)
    assert qr.journal.get(failed.agent_transaction_id).state is State.FAILED
    qr.bank("pay", renewed)
    assert qr.poll(renewed).state is State.PAID
    with pytest.raises(PaymentRefused):
        qr.run(qr.engine.renew_qr(renewed.agent_transaction_id))


def test_without_sbp_settings_a_code_is_refused(qr: QrRig) -> None:
    qr.engine.sbp = None
    with pytest.raises(PaymentRefused, match="не настроена"):
        qr.start()


def test_cash_register_link(emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = QrRig(emulator, tmp_path, mode="cash_link")
    try:
        first = rig.start()
        assert first.state is State.QR_WAITING and first.qr_mode == "cash_link"
        link = rig.journal.cash_link()
        assert link is not None and (first.qr_id, first.qr_payload) == link
        # the desk's one code is busy with this payment
        with pytest.raises(PaymentRefused, match="занята"):
            rig.start()
        cancelled = rig.run(rig.engine.cancel_qr(first.agent_transaction_id))
        assert cancelled.state is State.CANCELLED  # deactivated at once
        assert [a.method for a in rig.journal.attempts(first.agent_transaction_id)] == [
            "check", "link-activate", "link-deactivate"]
        assert not emulator.center.bank("pay", tx_id=first.agent_transaction_id)["ok"]
        second = rig.start(amount=D("250"))
        assert (second.qr_id, second.qr_payload) == link  # the same code, a new amount
        assert emulator.center.request_counts["cash-link/register"] == 1
        emulator.center.bank("pay", qr_id=link[0])
        paid = rig.poll(second)
        assert paid.state is State.PAID and paid.amount_to == D("250.00")
        assert rig.at_emulator(paid).debits == 1
        assert rig.at_emulator(first).debits == 0
    finally:
        rig.close()
