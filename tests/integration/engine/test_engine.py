"""The engine against the real emulator over loopback, with a real journal file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.core.schemes import LineChoice, PaymentRefused
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentChanged, PaymentEngine, PaymentInput
from cashier_app.journal import IdAllocator, Journal, PaymentRecord
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from tests.conftest import TOKEN

FAST = RetryPolicy(initial=0.01, factor=2, maximum=0.05)
D = Decimal


class Rig:
    """An engine over a journal in ``folder`` talking to ``emulator``; re-creatable."""

    def __init__(self, emulator: EmulatorServer, folder: Path, timeout: float = 3) -> None:
        self.emulator = emulator
        self.folder = folder
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.journal = Journal(folder / "journal.sqlite3")
        self.client = ProcessingClient(emulator.url, TOKEN, timeout=timeout)
        ids = IdAllocator(folder / "hwm", 1, floor=self.journal.max_id())
        self.engine = PaymentEngine(self.journal, self.client, FAST, ids)
        self.services = {s["serviceId"]: ServiceDefinition.from_wire(s)
                         for s in emulator.center.catalog["services"]}

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.client.aclose())
        self.loop.close()
        self.journal.close()

    def check(self, service: str = "P1011", **values: str) -> PaymentRecord:
        values.setdefault("account", "9051234567")
        return self.run(self.engine.check(PaymentInput(self.services[service], values)))

    def pay(self, record: PaymentRecord, wait: float = 5, **plan: Any) -> PaymentRecord:
        fixed = self.services[record.service_id].fixed_payment
        planned = self.engine.plan(record, fixed_payment=fixed, **plan)
        paid = self.run(self.engine.pay(record.agent_transaction_id, planned))
        return self.run(self.engine.scheduler.settle(paid.agent_transaction_id, wait=wait))

    def at_emulator(self, record: PaymentRecord) -> Any:
        return self.emulator.center.transaction(record.agent_transaction_id)


@pytest.fixture
def rig(emulator: EmulatorServer, tmp_path: Path) -> Iterator[Rig]:
    made = Rig(emulator, tmp_path)
    yield made
    made.close()


def run_scheduler_until_paid(rig: Rig, agent_transaction_id: int) -> None:
    """Run the background scheduler until the payment is paid (at most ~5 s)."""

    async def background() -> None:
        stop = asyncio.Event()
        task = asyncio.ensure_future(rig.engine.scheduler.run(stop, idle=0.02))
        for _ in range(250):
            if rig.journal.get(agent_transaction_id).state is State.PAID:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await task

    rig.run(background())


def assert_sent_once_unchanged(rig: Rig, record: PaymentRecord) -> None:
    at = rig.at_emulator(record)
    assert at.debits == (1 if record.state is State.PAID else 0)
    assert set(at.pay_requests) == {record.pay_body}  # every attempt: the journaled bytes


def test_simple_payment(rig: Rig) -> None:
    checked = rig.check()
    assert checked.state is State.CHECKED and checked.check_body is not None
    paid = rig.pay(checked, amount=D("200"), cash_given=D("500"))
    assert paid.state is State.PAID and paid.transaction_id is not None
    assert (paid.amount_to, paid.amount_from, paid.change) == (D("200.00"), D("200.00"),
                                                              D("300.00"))
    assert paid.transaction_date and paid.status_date
    assert b'"amountTo":200.00,"amountFrom":200.00' in paid.pay_body
    assert_sent_once_unchanged(rig, paid)
    assert [a.method for a in rig.journal.attempts(paid.agent_transaction_id)] == ["check",
                                                                                   "pay"]


def test_the_pay_body_is_journaled_before_it_is_sent(rig: Rig) -> None:
    seen: list[tuple[State, bytes | None]] = []
    original_pay = rig.client.pay

    async def spying_pay(body: bytes) -> Any:
        stored = rig.journal.get(checked.agent_transaction_id)
        seen.append((stored.state, stored.pay_body))
        return await original_pay(body)

    rig.client.pay = spying_pay  # type: ignore[method-assign]
    checked = rig.check()
    paid = rig.pay(checked, amount=D("10"))
    assert seen == [(State.PAYING, paid.pay_body)]


def test_fixed_choice_and_complex_schemes(rig: Rig) -> None:
    fixed = rig.check("P2001", account="1234567890", ev_account1="0000012345")
    assert rig.pay(fixed).amount_to == D("4350.00")
    choice = rig.check("P0006", account="770123456789")
    paid = rig.pay(choice, contract_id="000000589")
    assert paid.amount_to == D("3000.00") and paid.extras == {"contractId": "000000589"}
    assert b'"extras":{"contractId":"000000589"}' in paid.pay_body
    bill = rig.check("P0005", account="1000000001")
    paid = rig.pay(bill, lines=[LineChoice("36", D("359.80"), D("4921.5")),
                                LineChoice("13", D("80"))])
    assert paid.state is State.PAID and paid.amount_to == D("439.80")
    assert b'{"subServiceId":"36","lastCount":"4921.5","amount":359.80}' in paid.pay_body


def test_invalid_input_is_refused_before_anything_is_sent(rig: Rig) -> None:
    with pytest.raises(PaymentRefused, match="10 цифр"):
        rig.check(account="123")
    assert rig.emulator.center.request_counts.get("check", 0) == 0
    checked = rig.check()
    with pytest.raises(PaymentRefused):
        rig.engine.plan(checked, amount=D("-5"))
    assert rig.emulator.center.request_counts.get("pay", 0) == 0


def test_check_errors_are_final_and_shown(rig: Rig) -> None:
    record = rig.check(account="9030000000")
    assert record.state is State.CHECK_FAILED and record.result == 5
    assert record.result_message == "Абонент не найден — проверьте номер (код 5)"


@pytest.mark.parametrize("code", [1, 153, 220, 255])
def test_each_non_final_code_keeps_paying_then_settles(rig: Rig, code: int) -> None:
    rig.emulator.add_fault(method="pay", action="code", result=code, times=3)
    checked = rig.check()
    first = rig.run(rig.engine.pay(checked.agent_transaction_id,
                                   rig.engine.plan(checked, amount=D("100"))))
    assert first.state is State.PAYING and first.result == code and first.seen_non_final
    assert first.next_attempt_at is not None
    paid = rig.run(rig.engine.scheduler.settle(first.agent_transaction_id, wait=5))
    assert paid.state is State.PAID and paid.attempts == 4
    assert_sent_once_unchanged(rig, paid)
    results = [a.result for a in rig.journal.attempts(paid.agent_transaction_id)][1:]
    assert results == [code, code, code, 0]


@pytest.mark.parametrize("action", ["drop", "reset", "http", "broken_json"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_each_transport_failure_keeps_paying_then_settles_once(rig: Rig, action: str,
                                                               when: str) -> None:
    rig.emulator.add_fault(method="pay", action=action, when=when, times=2)
    checked = rig.check()
    paid = rig.pay(checked, amount=D("100"))
    assert paid.state is State.PAID and paid.attempts == 3
    assert_sent_once_unchanged(rig, paid)
    outcomes = [a.outcome for a in rig.journal.attempts(paid.agent_transaction_id)][1:]
    assert outcomes == ["transport", "transport", "answer"]


def test_timeout_then_settles_once(emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = Rig(emulator, tmp_path, timeout=0.3)
    try:
        emulator.add_fault(method="pay", action="delay", seconds=1.0)
        checked = rig.check()
        paid = rig.pay(checked, amount=D("100"))
        assert paid.state is State.PAID and paid.attempts == 2
        assert_sent_once_unchanged(rig, paid)
    finally:
        rig.close()


def test_final_error_settles_as_failed(rig: Rig) -> None:
    rig.emulator.add_fault(method="pay", action="code", result=300)
    failed = rig.pay(rig.check(), amount=D("100"))
    assert failed.state is State.FAILED and failed.result == 300
    assert failed.result_message == "Ошибка процессинга (код 300)"
    assert_sent_once_unchanged(rig, failed)


def test_215_for_an_id_used_by_another_payment(rig: Rig) -> None:
    checked = rig.check()
    # another payment already used this id at the processing center
    from cashier_app.processing.requests import pay_body

    other = pay_body(service_id="P1011", account="9051234567",
                     agent_transaction_id=checked.agent_transaction_id,
                     agent_transaction_date="2026-01-01T00:00:00", amount_to=D("999"))
    assert rig.run(rig.client.pay(other)).ok
    failed = rig.pay(checked, amount=D("100"))
    assert failed.state is State.FAILED and failed.result == 215


def test_202_on_a_first_request_fails_but_after_a_non_final_answer_does_not(rig: Rig) -> None:
    rig.emulator.add_fault(method="pay", action="code", result=202)
    first = rig.pay(rig.check(), amount=D("100"))
    assert first.state is State.FAILED and first.result == 202

    rig.emulator.add_fault(method="pay", action="code", result=1)
    rig.emulator.add_fault(method="pay", action="code", result=202)
    checked = rig.check()
    pending = rig.run(rig.engine.pay(checked.agent_transaction_id,
                                     rig.engine.plan(checked, amount=D("100"))))
    again = rig.run(rig.engine.attempt(pending.agent_transaction_id))
    assert again.state is State.PAYING and again.result == 202
    paid = rig.run(rig.engine.scheduler.settle(again.agent_transaction_id, wait=5))
    assert paid.state is State.PAID
    assert_sent_once_unchanged(rig, paid)


def test_double_submit_creates_one_payment(rig: Rig) -> None:
    rig.emulator.add_fault(method="pay", action="delay", seconds=0.3)
    checked = rig.check()
    plan = rig.engine.plan(checked, amount=D("100"))

    async def twice() -> list[PaymentRecord]:
        return list(await asyncio.gather(rig.engine.pay(checked.agent_transaction_id, plan),
                                         rig.engine.pay(checked.agent_transaction_id, plan)))

    first, second = rig.run(twice())
    assert first.state is State.PAID and second.state is State.PAID
    at = rig.at_emulator(first)
    assert at.debits == 1 and len(at.pay_requests) == 1


def test_restart_resumes_pending_before_new_work(emulator: EmulatorServer, tmp_path: Path
                                                 ) -> None:
    first = Rig(emulator, tmp_path)
    emulator.add_fault(method="pay", action="drop", when="after")
    checked = first.check()
    pending = first.run(first.engine.pay(checked.agent_transaction_id,
                                         first.engine.plan(checked, amount=D("100"))))
    assert pending.state is State.PAYING
    abandoned = first.check(account="9057654321")  # checked, never paid
    not_found = first.check(account="9030000000")  # check failed: code 5
    first.close()  # the program stops

    second = Rig(emulator, tmp_path)
    try:
        resumed = second.run(second.engine.scheduler.recover(wait=5))
        assert [(r.agent_transaction_id, r.state) for r in resumed] == [
            (pending.agent_transaction_id, State.PAID)]
        assert second.journal.get(abandoned.agent_transaction_id).state is State.CANCELLED
        kept = second.journal.get(not_found.agent_transaction_id)
        assert (kept.state, kept.result) == (State.CHECK_FAILED, 5)  # the reason stays
        assert_sent_once_unchanged(second, second.journal.get(pending.agent_transaction_id))
        assert second.check().agent_transaction_id > abandoned.agent_transaction_id
    finally:
        second.close()


def test_scheduler_settles_in_the_background(rig: Rig) -> None:
    rig.emulator.add_fault(method="pay", action="http", times=2)
    checked = rig.check()
    pending = rig.run(rig.engine.pay(checked.agent_transaction_id,
                                     rig.engine.plan(checked, amount=D("100"))))
    assert pending.state is State.PAYING
    seen: list[State] = []
    rig.engine.events.subscribe(PaymentChanged, lambda event: seen.append(event.record.state))

    run_scheduler_until_paid(rig, pending.agent_transaction_id)
    assert rig.journal.get(pending.agent_transaction_id).state is State.PAID
    assert seen[-1] is State.PAID


def test_agent_date_is_fixed_at_check_and_kept(rig: Rig) -> None:
    clock = [datetime(2026, 11, 23, 23, 59, 59)]
    rig.engine.clock = lambda: clock[0]
    checked = rig.check()
    clock[0] = datetime(2026, 11, 24, 0, 0, 5)
    paid = rig.pay(checked, amount=D("100"))
    assert paid.agent_transaction_date == "2026-11-23T23:59:59"
    assert b'"agentTransactionDate":"2026-11-23T23:59:59"' in paid.pay_body


def test_scheduler_survives_an_unexpected_error(rig: Rig, caplog: pytest.LogCaptureFixture
                                                ) -> None:
    rig.emulator.add_fault(method="pay", action="http")
    checked = rig.check()
    pending = rig.run(rig.engine.pay(checked.agent_transaction_id,
                                     rig.engine.plan(checked, amount=D("100"))))
    original_pay = rig.client.pay
    calls = {"n": 0}

    async def flaky_pay(body: bytes) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("something nobody expected")
        return await original_pay(body)

    rig.client.pay = flaky_pay  # type: ignore[method-assign]

    run_scheduler_until_paid(rig, pending.agent_transaction_id)
    assert rig.journal.get(pending.agent_transaction_id).state is State.PAID
    assert "something nobody expected" in caplog.text
