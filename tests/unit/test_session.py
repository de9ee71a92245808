"""The desk session without Qt: who is at the desk and in which shift, the payment gate by
the balance level, what the payment on the desk keeps busy, and the void decided by state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.answers import AgentBalance
from cashier_app.core.balance import BalanceLevel
from cashier_app.core.cashiers import Cashier, Role
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine
from cashier_app.journal import IdAllocator, Journal, ShiftError
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.workplace.session import (
    AT_THE_DESK,
    NO_SHIFT,
    QR_BEING_PAID,
    VOIDED,
    WAIT_FOR_ANSWER,
    Session,
    Step,
    void_refusal,
)
from tests.unit.receipts.helpers import make_payment

ANNA = Cashier("Иванова Анна", "x")
OLEG = Cashier("Петров Олег", "x")
MARIA = Cashier("Сидорова Мария", "x", Role.SUPERVISOR)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    journal = Journal(tmp_path / "journal.sqlite3")
    # the client is never asked: nothing here goes to the center
    client = ProcessingClient("http://127.0.0.1:9", "t", timeout=0.1)
    engine = PaymentEngine(journal, client, RetryPolicy(0.01, 2, 0.05),
                           IdAllocator(tmp_path / "hwm", 1))
    yield Session(engine, [ANNA, OLEG, MARIA])
    journal.close()


def balance(amount: str, overdraft: str = "0", notification: str = "10000") -> AgentBalance:
    return AgentBalance.parse({"result": 0, "balance": amount, "overdraft": overdraft,
                               "notification": notification})


def test_log_in_shift_and_log_out(session: Session) -> None:
    assert session.payment_blocker() == NO_SHIFT
    assert session.log_in(ANNA) is None and session.shift is None  # no shift on the drawer
    assert session.who() == ("Иванова Анна", None)
    assert session.payment_blocker() == NO_SHIFT
    shift = session.open_shift(Decimal("500.00"))
    assert session.shift == shift and session.who() == ("Иванова Анна", shift.id)
    assert session.payment_blocker() is None
    session.log_out()  # a break: the shift stays open
    assert session.cashier is None and session.shift is None
    # another cashier sees the open shift, is not in it, and cannot open one
    current = session.log_in(OLEG)
    assert current is not None and current.id == shift.id and session.shift is None
    with pytest.raises(ShiftError):
        session.open_shift(Decimal("0.00"))
    session.log_out()
    assert session.log_in(ANNA) == shift and session.shift == shift  # back in her shift
    closed = session.close_shift(Decimal("500.00"))
    assert closed.closed_at and session.shift is None and session.last_closed_shift == shift.id
    assert session.supervisors() == [MARIA]
    assert session.supervisors(besides="Сидорова Мария") == []


def test_the_payment_gate_follows_the_balance(session: Session) -> None:
    session.log_in(ANNA)
    session.open_shift(Decimal("0.00"))
    assert session.note_balance(balance("5000"))  # below the notification level: a warning
    assert session.level is BalanceLevel.LOW and session.payment_blocker() is None
    assert session.note_balance(balance("0"))  # at the overdraft level: the center stops
    assert session.level is BalanceLevel.BLOCKED
    assert session.payment_blocker() == (
        "Приём платежей остановлен: баланс агента 0,00 ₽ достиг порога отключения 0,00 ₽. "
        "Пополните баланс и обновите (F5).")
    assert not session.note_balance(AgentBalance(13, "отказ"))  # a refusal changes nothing
    assert session.level is BalanceLevel.BLOCKED
    assert session.note_balance(balance("250000.00"))
    assert session.payment_blocker() is None
    history = session.journal.balance_history(date.today())
    assert [value for _, value in history] == [Decimal("5000"), Decimal("0"),
                                               Decimal("250000.00")]


def test_the_payment_on_the_desk_keeps_its_shift_and_itself_busy(session: Session) -> None:
    session.log_in(ANNA)
    shift = session.open_shift(Decimal("0.00"))
    record = make_payment(session.journal, "simple", 7, state=State.PAYING, shift_id=shift.id)
    assert session.shift_busy(shift.id) is None and not session.payment_busy(7)
    session.payment, session.step = record, Step.PAYING
    assert session.shift_busy(shift.id) == WAIT_FOR_ANSWER
    assert session.shift_busy(shift.id + 1) is None  # another shift: not this desk's
    assert session.payment_busy(7) and not session.payment_busy(8)
    session.step = Step.DONE  # the outcome on screen: nothing under way
    assert session.shift_busy(shift.id) is None and not session.payment_busy(7)
    qr = make_payment(session.journal, "simple", 9, state=State.QR_WAITING, method="sbp",
                      shift_id=shift.id)
    session.payment, session.step = qr, Step.QR
    assert session.shift_busy(shift.id) == QR_BEING_PAID


def test_a_void_is_decided_by_the_payment_s_state_and_audited(session: Session) -> None:
    journal = session.journal
    paid = make_payment(journal, "simple", 1)
    refusal = void_refusal(paid)
    assert refusal is not None and refusal.startswith("Аннулировать нельзя: платёж проведён")
    answer = session.void(1, MARIA)
    assert (answer.voided, answer.message) == (False, refusal)
    assert journal.get(1).state is State.PAID

    journal.create(agent_transaction_id=2, service_id="P1011", service_name="Билайн",
                   scheme="simple", account="9051234567", extras={},
                   agent_transaction_date="2026-11-23T14:05:07", check_body=b"{}")
    unsent = journal.transition(2, State.CHECKING)
    unsent = journal.transition(2, State.CHECKED, check_answer={"result": 0})
    assert void_refusal(unsent) is None
    session.payment, session.step = unsent, Step.CHECKED  # the cashier has it open
    assert session.void_refusal(2) == AT_THE_DESK
    assert session.void(2, MARIA).message == AT_THE_DESK
    assert journal.get(2).state is State.CHECKED
    session.step = Step.DONE
    answer = session.void(2, MARIA)
    assert (answer.voided, answer.message, answer.record.state) == (True, VOIDED,
                                                                    State.CANCELLED)
    assert void_refusal(answer.record) == "Платёж уже отменён: аннулировать нечего"
    today = date.today()
    entries = [e for e in journal.audit_entries(today, today) if e.action == "void_attempt"]
    assert [(e.actor, e.details["voided"]) for e in entries] == [
        ("Сидорова Мария", True), ("Сидорова Мария", False), ("Сидорова Мария", False)]
