"""Cash from the bill validator becomes a payment — or a voucher — exactly once: the software
validator on a real pty, the CCNET driver on pyserial, the engine against the processing
emulator on loopback, one real journal file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.core.schemes import CommissionRule, PaymentRefused
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.devices.cash_intake import CashIntake
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.engine import PaymentEngine, PaymentInput
from cashier_app.journal import IdAllocator, Journal
from cashier_app.journal.cash_in import CHANGE, EMPTY, REFUND, SPENT, VOUCHER, VoucherNotPayable
from cashier_app.journal.chain import verify
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.workplace.cash_payment import CashPayment
from tests.conftest import TOKEN

D = Decimal
FAST = RetryPolicy(initial=0.01, factor=2, maximum=0.05)


class Kiosk:
    """A terminal's money side: unit on a pty, journal, engine, one cash payment at a time."""

    def __init__(self, emulator: EmulatorServer, unit: SoftwareValidator, folder: Path,
                 commission: list[CommissionRule] | None = None) -> None:
        self.emulator, self.unit = emulator, unit
        self.loop = asyncio.new_event_loop()
        self.journal = Journal(folder / "journal.sqlite3")
        self.client = ProcessingClient(emulator.url, TOKEN, timeout=3)
        ids = IdAllocator(folder / "hwm", 1, floor=self.journal.max_id())
        self.engine = PaymentEngine(self.journal, self.client, FAST, ids,
                                    commission=commission or [])
        self.intake = CashIntake(self.journal, CcnetAcceptor(unit.path, poll_interval=0.02))
        self.cash = CashPayment(self.engine, self.intake)
        self.services = {s["serviceId"]: ServiceDefinition.from_wire(s)
                         for s in emulator.center.catalog["services"]}
        self.vouchers = self.run(self.cash.recover())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def checked(self, service: str = "P1011", account: str = "9051234567") -> Any:
        record = self.run(self.engine.check(PaymentInput(self.services[service],
                                                         {"account": account})))
        assert record.state is State.CHECKED
        return record

    def insert(self, *amounts: int) -> None:
        for amount in amounts:
            before = self.cash.due().inserted
            self.unit.insert(amount)
            self.until(lambda before=before: self.cash.due().inserted > before)

    def until(self, condition: Any, timeout: float = 10) -> None:
        async def wait() -> None:
            deadline = self.loop.time() + timeout
            while not condition():
                assert self.loop.time() < deadline, "condition not reached"
                await asyncio.sleep(0.01)
        self.run(wait())

    def settle(self, record: Any) -> Any:
        return self.run(self.engine.scheduler.settle(record.agent_transaction_id, wait=5))

    def close(self) -> None:
        self.run(self.intake.acceptor.close())
        self.run(self.client.aclose())
        self.loop.close()
        self.journal.close()


@pytest.fixture
def unit() -> Iterator[SoftwareValidator]:
    with SoftwareValidator() as validator:
        yield validator


@pytest.fixture
def kiosk(emulator: EmulatorServer, unit: SoftwareValidator, tmp_path: Path) -> Iterator[Kiosk]:
    made = Kiosk(emulator, unit, tmp_path)
    yield made
    made.close()


def test_the_cash_inserted_is_the_payments_amount_from_and_its_session_is_spent(
        kiosk: Kiosk) -> None:
    record = kiosk.checked()
    due = kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
    assert due.ready == "Вставьте купюру" and due.money is None
    kiosk.insert(100, 50)
    due = kiosk.cash.due()
    assert due.inserted == D("150.00") and due.ready is None
    assert due.money is not None and due.money.amount_to == D("150.00")
    session_id = kiosk.intake.session.id  # type: ignore[union-attr]
    paid = kiosk.settle(kiosk.run(kiosk.cash.pay()))
    assert paid.state is State.PAID
    assert (paid.amount_from, paid.amount_to, paid.change) == (D("150.00"), D("150.00"), D(0))
    session = kiosk.journal.cash_session(session_id)
    assert session.state == SPENT and session.agent_transaction_id == paid.agent_transaction_id
    sent = kiosk.emulator.center.transaction(paid.agent_transaction_id).pay_requests[-1]
    assert b'"amountFrom":150.00' in sent.replace(b" ", b"")
    assert kiosk.unit.cassette == [D("100.00"), D("50.00")]
    assert kiosk.unit.enabled == set()  # nothing more is taken once the pay is journaled
    assert kiosk.journal.cash_of_payment(paid.agent_transaction_id)[0].id == session_id
    assert verify(kiosk.journal).ok


def test_the_commission_comes_out_of_the_cash_and_nothing_is_given_as_change(
        emulator: EmulatorServer, unit: SoftwareValidator, tmp_path: Path) -> None:
    kiosk = Kiosk(emulator, unit, tmp_path, [CommissionRule(percent=D(2))])
    try:
        record = kiosk.checked()
        kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
        kiosk.insert(500)
        due = kiosk.cash.due()
        assert due.money is not None
        assert (due.money.amount_to, due.money.commission) == (D("490.20"), D("9.80"))
        paid = kiosk.settle(kiosk.run(kiosk.cash.pay()))
        assert (paid.amount_from, paid.amount_to, paid.commission) == (
            D("500.00"), D("490.20"), D("9.80"))
        sent = emulator.center.transaction(paid.agent_transaction_id).pay_requests[-1]
        assert b'"amountFrom":500.00' in sent.replace(b" ", b"")
        assert b'"amountTo":490.20' in sent.replace(b" ", b"")
    finally:
        kiosk.close()


def test_an_amount_owed_lets_in_no_bill_above_what_is_left(kiosk: Kiosk) -> None:
    record = kiosk.checked()
    kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"], amount=D("150.00")))
    assert kiosk.unit.enabled == {D("10.00"), D("50.00"), D("100.00")}
    kiosk.insert(100)
    kiosk.until(lambda: kiosk.unit.enabled == {D("10.00"), D("50.00")})
    assert kiosk.cash.due().ready == "Осталось внести 50,00 ₽"
    with pytest.raises(PaymentRefused, match="Осталось внести"):
        kiosk.run(kiosk.cash.pay())  # refused, and the unit takes bills again
    kiosk.until(lambda: kiosk.unit.enabled == {D("10.00"), D("50.00")})
    kiosk.unit.insert(500)  # not enabled now: the unit refuses it at the slot
    kiosk.until(lambda: kiosk.unit.rejected == [D("500.00")])
    kiosk.insert(50)
    assert kiosk.cash.due().ready is None
    paid = kiosk.settle(kiosk.run(kiosk.cash.pay()))
    assert paid.state is State.PAID and paid.amount_to == D("150.00")


def test_walking_away_gives_a_voucher_that_pays_a_later_payment_once(kiosk: Kiosk) -> None:
    first = kiosk.checked()
    kiosk.run(kiosk.cash.begin(first, kiosk.services["P1011"]))
    kiosk.insert(100)
    voucher = kiosk.run(kiosk.cash.give_back("Время вышло"))
    assert voucher.state == VOUCHER and voucher.total == D("100.00") and voucher.voucher
    assert kiosk.journal.get(first.agent_transaction_id).state is State.CANCELLED

    second = kiosk.checked(account="9057654321")
    kiosk.run(kiosk.cash.begin(second, kiosk.services["P1011"]))
    kiosk.run(kiosk.cash.use_voucher(voucher.voucher))
    assert kiosk.cash.due().inserted == D("100.00")
    kiosk.insert(50)  # the voucher and new cash together
    paid = kiosk.settle(kiosk.run(kiosk.cash.pay()))
    assert paid.state is State.PAID and paid.amount_from == D("150.00")
    spent = kiosk.journal.voucher(voucher.voucher)
    assert spent is not None and spent.state == SPENT
    assert spent.spent_by == paid.agent_transaction_id
    with pytest.raises(VoucherNotPayable, match="уже использован"):
        kiosk.journal.pay_out_voucher(spent.id, "Старший")

    third = kiosk.checked(account="9050000001")
    kiosk.run(kiosk.cash.begin(third, kiosk.services["P1011"]))
    with pytest.raises(PaymentRefused, match="уже использован"):
        kiosk.run(kiosk.cash.use_voucher(spent.voucher or ""))


def test_walking_away_before_any_bill_leaves_no_voucher(kiosk: Kiosk) -> None:
    record = kiosk.checked()
    kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
    session_id = kiosk.intake.session.id  # type: ignore[union-attr]
    assert kiosk.run(kiosk.cash.give_back()) is None
    assert kiosk.journal.cash_session(session_id).state == EMPTY


def test_a_pay_that_fails_finally_gives_the_cash_back_as_a_voucher(kiosk: Kiosk) -> None:
    record = kiosk.checked()
    kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
    kiosk.insert(200)
    session_id = kiosk.intake.session.id  # type: ignore[union-attr]
    kiosk.emulator.add_fault(method="pay", action="code", result=300)
    failed = kiosk.settle(kiosk.run(kiosk.cash.pay()))
    assert failed.state is State.FAILED
    # the bills stay with their session (the cassette's count); the money owed back is a
    # refund voucher written with the failure
    assert kiosk.journal.cash_session(session_id).state == SPENT
    refund = kiosk.journal.unpaid_vouchers()
    assert len(refund) == 1 and refund[0].purpose == REFUND and refund[0].voucher
    assert refund[0].total == D("200.00") and refund[0].bills == ()
    assert refund[0].agent_transaction_id == failed.agent_transaction_id
    assert kiosk.journal.pay_out_voucher(refund[0].id, "Старший").state == "paid_out"
    assert kiosk.journal.cassette() == {D("200.00"): 1}


def test_a_fixed_sum_with_kopecks_takes_a_last_bill_over_it_and_gives_the_change_as_a_voucher(
        emulator: EmulatorServer, unit: SoftwareValidator, tmp_path: Path) -> None:
    kiosk = Kiosk(emulator, unit, tmp_path, [CommissionRule(percent=D(1))])
    try:
        record = kiosk.run(kiosk.engine.check(PaymentInput(
            kiosk.services["P2001"], {"account": "1234567890", "ev_account1": "0000012345"})))
        assert record.state is State.CHECKED
        due = kiosk.run(kiosk.cash.begin(record, kiosk.services["P2001"]))
        assert due.owed == D("4393.50")  # 4 350,00 ₽ and 1 % commission
        kiosk.insert(2000, 2000, 200, 100, 50, 10, 10, 10, 10)  # 4 390,00 ₽
        assert kiosk.cash.due().ready == "Осталось внести 3,50 ₽"
        # no bill above the smallest one is taken now: only a 10 can finish it
        kiosk.until(lambda: kiosk.unit.enabled == {D("10.00")})
        kiosk.insert(10)
        due = kiosk.cash.due()
        assert due.ready is None and due.money is not None and due.money.change == D("6.50")
        paid = kiosk.settle(kiosk.run(kiosk.cash.pay()))
        assert paid.state is State.PAID
        assert (paid.amount_to, paid.amount_from, paid.cash_given, paid.change) == (
            D("4350.00"), D("4393.50"), D("4400.00"), D("6.50"))
        change = [s for s in kiosk.journal.cash_of_payment(paid.agent_transaction_id)
                  if s.purpose == CHANGE]
        assert len(change) == 1 and change[0].state == VOUCHER and change[0].total == D("6.50")
        # every kopeck is somewhere: the payment and the change voucher
        assert sum(kiosk.unit.cassette, D(0)) == paid.amount_from + change[0].total
    finally:
        kiosk.close()


def test_a_restart_turns_the_interrupted_session_into_a_voucher(
        emulator: EmulatorServer, unit: SoftwareValidator, tmp_path: Path) -> None:
    first = Kiosk(emulator, unit, tmp_path)
    record = first.checked()
    first.run(first.cash.begin(record, first.services["P1011"]))
    first.insert(100, 100)
    session_id = first.intake.session.id  # type: ignore[union-attr]
    first.close()  # the program stops with the session open (the crash tests kill it)

    second = Kiosk(emulator, unit, tmp_path)
    try:
        assert [v.id for v in second.vouchers] == [session_id]
        assert second.vouchers[0].total == D("200.00")
        assert second.journal.open_cash_sessions() == []
    finally:
        second.close()


def test_no_bill_goes_in_above_the_accounts_highest_amount(kiosk: Kiosk) -> None:
    # P1011 takes at most 15 000,00 ₽ (the center says so in its check answer)
    record = kiosk.checked()
    due = kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
    assert due.maximum == D("15000.00")
    kiosk.insert(5000, 5000, 5000)
    kiosk.until(lambda: kiosk.unit.enabled == set())
    kiosk.unit.insert(10)  # a disabled unit does not draw it in at all
    kiosk.run(asyncio.sleep(0.3))
    assert kiosk.cash.due().inserted == D("15000.00") and len(kiosk.unit.cassette) == 3
    assert kiosk.cash.due().ready is None


def test_a_lost_pay_answer_is_repeated_with_the_same_bytes_and_debited_once(
        kiosk: Kiosk) -> None:
    record = kiosk.checked()
    kiosk.run(kiosk.cash.begin(record, kiosk.services["P1011"]))
    kiosk.insert(100, 50)
    session_id = kiosk.intake.session.id  # type: ignore[union-attr]
    # the center pays it and the answer never comes back: nothing is known, so it stays
    # «в обработке» and the very same request goes again
    kiosk.emulator.add_fault(method="pay", action="drop", when="after")
    first = kiosk.run(kiosk.cash.pay())
    assert first.state is State.PAYING
    paid = kiosk.settle(first)
    assert paid.state is State.PAID and paid.amount_from == D("150.00")
    at_center = kiosk.emulator.center.transaction(paid.agent_transaction_id)
    assert len(at_center.pay_requests) >= 2  # the answer was lost: sent again …
    assert at_center.debits == 1 and len(set(at_center.pay_requests)) == 1  # … same bytes
    assert kiosk.journal.cash_session(session_id).state == SPENT
    assert kiosk.journal.unpaid_vouchers() == []  # no voucher for money that was paid
    assert sum(kiosk.unit.cassette, D(0)) == paid.amount_from
