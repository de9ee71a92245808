"""E-wallet operations that move money, through the engine and the desk, against the wallet
emulator over loopback HTTP and a real journal file: each ends exactly once, lost answers
included — the emulator's books prove that nothing was doubled or lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cashier_app.core.states import State
from cashier_app.emulator.wallet import WalletServer
from cashier_app.engine import PaymentEngine
from cashier_app.engine.methods.wallet import (
    DECIDE,
    FOUND,
    LINK_EXPIRED,
    LINK_LOST_END,
    NO_INIT,
    WalletTiming,
)
from cashier_app.journal import IdAllocator, Journal
from cashier_app.journal.chain import verify
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.receipts.document import ReceiptSettings
from cashier_app.receipts.layout import as_text, layout
from cashier_app.receipts.payment_receipt import payment_receipt, receipt_refusal
from cashier_app.receipts.shift_report import shift_totals
from cashier_app.wallet_api.client import WalletClient
from cashier_app.wallet_api.errors import WalletRefused
from cashier_app.workplace.wallet_desk import WalletDesk

D = Decimal
ZERO = Decimal("0.00")
FAST = RetryPolicy(initial=0.01, factor=2, maximum=0.05)
CREDENTIALS = {"client_id": "point-7", "client_secret": "s3cret-wallet-7",
               "partner_id": "partner-7"}
PHONE = "9161234567"


class Clock:
    """The engine's clock: now, plus what a test moves it on by (a link's life, the time
    a lost withdrawal is looked for) — the wallet service keeps real time."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now() + self.offset


class Desk:
    def __init__(self, server: WalletServer, folder: Path, **timing: Any) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.clock = Clock()
        self.journal = Journal(folder / "journal.sqlite3")
        ids = IdAllocator(folder / "hwm", 1, floor=self.journal.max_id())
        self.processing = ProcessingClient("http://127.0.0.1:9", "unused")
        self.engine = PaymentEngine(self.journal, self.processing, FAST, ids, clock=self.clock)
        self.client = WalletClient(server.url, timeout=3, **CREDENTIALS)
        self.engine.use_wallet(self.client, WalletTiming(
            **{"refill_minutes": 10, "reconcile_minutes": 5, "poll_seconds": 0.05,
               "skew_minutes": 1, **timing}))
        self.desk = WalletDesk(self.engine, actor="Тестова Анна", role="cashier", shift_id=None)

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    def wallet(self, balance: Decimal = ZERO, level: int = 1) -> str:
        entry = self.run(self.desk.register(PHONE, level, document_checked=True))
        if balance:
            record = self.run(self.desk.refill(entry.wallet_id, balance))
            assert self.server.confirm_refill(record.qr_payload)
            record = self.settle(record)
            assert record.state is State.PAID, record.result_message
        return str(entry.wallet_id)

    def settle(self, record: Any, wait: float = 5) -> Any:
        return self.run(self.engine.scheduler.settle(record.agent_transaction_id, wait=wait))

    def balance(self, wallet_id: str) -> Decimal:
        return Decimal(self.server.books()[wallet_id]["balance"])

    def operations(self, wallet_id: str, kind: str) -> list[dict[str, Any]]:
        return [op for op in self.server.books()[wallet_id]["operations"]
                if op["type"] == kind]

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.processing.aclose())
        self.loop.close()
        self.journal.close()


@pytest.fixture
def server() -> Iterator[WalletServer]:
    with WalletServer(**CREDENTIALS) as running:
        yield running


@pytest.fixture
def point(server: WalletServer, tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(server, tmp_path)
    try:
        yield desk
    finally:
        desk.close()


def test_refill_is_credited_when_the_bank_pays_and_never_counts_as_cash(point: Desk) -> None:
    wallet_id = point.wallet()
    record = point.run(point.desk.refill(wallet_id, "500.00"))
    assert record.state is State.QR_WAITING
    assert record.qr_payload and record.qr_payload.startswith("https://qr.nspk.ru/")
    assert record.wallet_body == b'{"amount":500.00}'
    assert not record.cash_accepted
    waiting = point.settle(record, wait=0.3)
    assert waiting.state is State.QR_WAITING  # nothing until the person's bank pays
    assert point.server.confirm_refill(record.qr_payload)
    paid = point.settle(record)
    assert paid.state is State.PAID and paid.wallet_match
    assert point.balance(wallet_id) == D("500.00")
    totals = shift_totals([paid])
    assert totals.cash_expected == 0 and totals.by_method["wallet"] == (1, D("500.00"))
    text = as_text(layout(payment_receipt(paid, ReceiptSettings(), 7), 42))
    assert "ПОПОЛНЕНИЕ КОШЕЛЬКА" in text and "500,00" in text
    assert verify(point.journal).ok


def test_refill_not_confirmed_while_the_link_lives_is_not_done(point: Desk) -> None:
    wallet_id = point.wallet()
    record = point.run(point.desk.refill(wallet_id, "300.00"))
    point.clock.offset = timedelta(minutes=12)  # the link's 10 minutes and the skew are over
    ended = point.settle(record)
    assert ended.state is State.FAILED and ended.result_message == LINK_EXPIRED
    assert receipt_refusal(ended) is not None
    assert point.balance(wallet_id) == 0


def test_refill_whose_answer_is_lost_is_never_sent_again(point: Desk) -> None:
    wallet_id = point.wallet()
    point.server.add_fault(method="refill", action="drop", when="after")
    record = point.run(point.desk.refill(wallet_id, "200.00"))
    assert record.state is State.QR_WAITING and record.qr_payload is None
    point.settle(record, wait=0.3)
    refills = [a for a in point.journal.attempts(record.agent_transaction_id)
               if a.method == "wallet-refill"]
    assert len(refills) == 1  # watched in the report, not repeated
    point.clock.offset = timedelta(minutes=12)
    ended = point.settle(record)
    assert ended.state is State.FAILED and ended.result_message == LINK_LOST_END
    assert point.balance(wallet_id) == 0


def test_payment_in_two_steps_debits_once(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    record = point.run(point.desk.pay(wallet_id, "150.00", "tsp-shop-1"))
    assert record.state is State.PAID, record.result_message
    assert record.wallet_token and record.wallet_token in record.wallet_body.decode()
    assert point.balance(wallet_id) == D("850.00")
    assert len(point.operations(wallet_id, "PAYMENT")) == 1


def test_payment_whose_answer_is_lost_sends_the_same_token_again(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    point.server.add_fault(method="payment", action="drop", when="after")
    record = point.run(point.desk.pay(wallet_id, "100.00", "tsp-shop-1"))
    assert record.state is State.PAYING  # the debit happened, the answer did not come
    paid = point.settle(record)
    assert paid.state is State.PAID
    sends = [a for a in point.journal.attempts(record.agent_transaction_id)
             if a.method == "wallet-payment"]
    assert len(sends) == 2 and sends[0].request == sends[1].request
    inits = [a for a in point.journal.attempts(record.agent_transaction_id)
             if a.method == "wallet-init"]
    assert len(inits) == 1
    assert point.balance(wallet_id) == D("900.00")
    assert len(point.operations(wallet_id, "PAYMENT")) == 1


def test_a_lost_initialization_ends_the_operation_and_is_not_repeated(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    point.server.add_fault(method="payment_init", action="drop")
    record = point.run(point.desk.pay(wallet_id, "100.00", "tsp-shop-1"))
    assert record.state is State.CANCELLED and record.result_message == NO_INIT
    assert point.balance(wallet_id) == D("1000.00")
    assert [a.method for a in point.journal.attempts(record.agent_transaction_id)
            ].count("wallet-init") == 1


def test_payment_over_the_balance_is_refused_in_russian(point: Desk) -> None:
    wallet_id = point.wallet(D("100.00"))
    record = point.run(point.desk.pay(wallet_id, "150.00", "tsp-shop-1"))
    assert record.state is State.FAILED
    assert record.result_message and "средств" in record.result_message.lower()
    assert point.balance(wallet_id) == D("100.00")


def test_withdrawal_whose_answer_is_lost_is_found_in_the_report(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    point.server.add_fault(method="withdrawal", action="drop", when="after")
    record = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "250.00"))
    assert record.state is State.PAYING
    done = point.settle(record)
    assert done.state is State.PAID and done.result_message == FOUND
    assert [a.method for a in point.journal.attempts(record.agent_transaction_id)
            ].count("wallet-withdrawal") == 1  # never re-sent blindly
    assert len(point.operations(wallet_id, "DEBIT")) == 1
    assert point.balance(wallet_id) == D("750.00")


def test_an_earlier_identical_withdrawal_is_not_taken_as_proof(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    first = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "100.00"))
    assert first.state is State.PAID
    point.server.add_fault(method="withdrawal", action="drop", when="before")
    lost = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "100.00"))
    assert lost.state is State.PAYING
    point.clock.offset = timedelta(minutes=6)  # the reconcile window is over
    waiting = point.settle(lost, wait=1)
    # the first withdrawal's entry is in the report, but it was there before: not the proof
    assert waiting.state is State.PAYING and waiting.needs_decision == DECIDE
    assert point.desk.needing_decision()[0].agent_transaction_id == lost.agent_transaction_id


def test_supervisor_decides_a_withdrawal_nothing_settles(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    point.server.add_fault(method="withdrawal", action="drop", when="before")
    record = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "300.00"))
    point.clock.offset = timedelta(minutes=6)
    assert point.settle(record, wait=1).needs_decision == DECIDE
    again = point.run(point.desk.decide(record.agent_transaction_id, resend=True,
                                        reason="клиент ждёт, операции в отчёте нет"))
    assert again.state is State.PAID and again.needs_decision is None
    assert len(point.operations(wallet_id, "DEBIT")) == 1
    assert point.balance(wallet_id) == D("700.00")
    audit = point.journal.db.execute(
        "select action, target from audit where action = 'wallet-decision'").fetchall()
    assert audit == [("wallet-decision", str(record.agent_transaction_id))]


def test_supervisor_may_record_it_not_done(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    point.server.add_fault(method="withdrawal", action="drop", when="before")
    record = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "300.00"))
    point.clock.offset = timedelta(minutes=6)
    point.settle(record, wait=1)
    ended = point.run(point.desk.decide(record.agent_transaction_id, resend=False,
                                        reason="клиент ушёл"))
    assert ended.state is State.FAILED and "клиент ушёл" in (ended.result_message or "")
    assert point.balance(wallet_id) == D("1000.00")
    with pytest.raises(Exception, match="не ждёт решения"):
        point.run(point.desk.decide(record.agent_transaction_id, resend=True, reason="x"))


def test_a_report_that_cannot_be_read_starts_nothing(point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    point.server.add_fault(method="report", action="http", status=502)
    record = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "100.00"))
    assert record.state is State.CANCELLED and "не начато" in (record.result_message or "").lower()
    assert point.balance(wallet_id) == D("1000.00")


def test_directory_finds_the_wallet_by_phone_and_the_audit_has_who(point: Desk) -> None:
    wallet_id = point.wallet()
    found = point.desk.find("+7 (916) 123-45-67")
    assert [entry.wallet_id for entry in found] == [wallet_id]
    with pytest.raises(WalletRefused):  # a wallet nobody opened
        point.run(point.client.deactivate("00000000-0000-4000-8000-000000000000"))
    point.run(point.desk.identify(wallet_id, 2, document_checked=True))
    assert point.journal.wallet(wallet_id).identification == "IDENTIFIED"
    actions = [row[0] for row in point.journal.db.execute(
        "select action from audit where actor = 'Тестова Анна' order by id")]
    assert actions == ["wallet-register", "wallet-identify"]


def test_a_point_with_wallets_switched_off_leaves_their_operations_alone(
        point: Desk) -> None:
    wallet_id = point.wallet(D("1000.00"))
    bank = point.run(point.desk.banks())[0]
    point.server.add_fault(method="withdrawal", action="drop", when="after")
    record = point.run(point.desk.withdraw(wallet_id, bank.bank_identifier, "100.00"))
    assert record.state is State.PAYING
    point.engine.use_wallet(None)
    assert point.engine.scheduler.unsettled() == []  # nothing to spin on
    assert [r.agent_transaction_id for r in point.journal.unsettled()] == [
        record.agent_transaction_id]  # still shown as in progress


def test_a_refusal_keeps_its_field_errors_and_a_level_needs_the_passport(
        point: Desk) -> None:
    from cashier_app.wallet_api.errors import WalletInputError

    with pytest.raises(WalletInputError) as raised:
        point.run(point.desk.register("9160000000", 2))
    assert raised.value.field == "document"
    wallet_id = point.wallet(D("100.00"))
    record = point.run(point.desk.pay(wallet_id, "150.00", "tsp-shop-1"))
    assert record.state is State.FAILED
    assert record.pay_answer is not None and record.pay_answer["code"] == "INSUFFICIENT_FUNDS"
