"""Cash from the bill validator in the journal: a bill is money only once stacked, resolved
once, sealed; a session ends once, never as spent with a bill still on its way."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.journal import Journal
from cashier_app.journal.cash_in import (
    RETURNED,
    SPENT,
    STACKED,
    STACKING,
    TEST,
    UNCONFIRMED,
    VOUCHER,
    CashInError,
)
from cashier_app.journal.chain import verify


def test_only_stacked_bills_are_money(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    session = journal.open_cash_session("payment", "SM-RU1353 EMU1")
    a = journal.bill_stacking(session.id, 2, Decimal("100"), "RUB")
    b = journal.bill_stacking(session.id, 3, Decimal("500"), "RUB")
    c = journal.bill_stacking(session.id, 4, Decimal("1000"), "RUB")
    assert journal.cash_session(session.id).total == Decimal("0.00")  # none confirmed yet
    journal.bill_resolved(a.id, STACKED)
    journal.bill_resolved(b.id, RETURNED)
    journal.bill_resolved(c.id, UNCONFIRMED)
    # resolved once: a later word does not turn a returned bill into money
    assert journal.bill_resolved(b.id, STACKED).state == RETURNED
    # an unconfirmed one may still be settled (the supervisor counted the cassette)
    assert journal.bill_resolved(c.id, STACKED).state == STACKED
    current = journal.cash_session(session.id)
    assert current.total == Decimal("1100.00")
    assert [bill.state for bill in current.bills] == [STACKED, RETURNED, STACKED]
    assert journal.cassette() == {Decimal("100.00"): 1, Decimal("1000.00"): 1}
    assert verify(journal).ok
    journal.close()


def test_a_session_ends_once_and_not_while_a_bill_is_stacking(tmp_path: Path
                                                                      ) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    session = journal.open_cash_session("payment")
    bill = journal.bill_stacking(session.id, 2, Decimal("100"), "RUB")
    assert bill.state == STACKING
    for state in (SPENT, VOUCHER, TEST):  # its sum is not known while a bill is on its way
        with pytest.raises(CashInError):
            journal.close_cash_session(session.id, state, agent_transaction_id=7)
    journal.bill_resolved(bill.id, STACKED)
    closed = journal.close_cash_session(session.id, SPENT, agent_transaction_id=7)
    assert (closed.state, closed.agent_transaction_id, closed.total) == (
        SPENT, 7, Decimal("100.00"))
    with pytest.raises(CashInError):
        journal.close_cash_session(session.id, VOUCHER)
    with pytest.raises(CashInError):  # a closed session takes no more bills
        journal.bill_stacking(session.id, 2, Decimal("100"), "RUB")
    journal.close()


def test_voucher_and_test_cash(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    walked_away = journal.open_cash_session("payment")
    journal.bill_resolved(journal.bill_stacking(walked_away.id, 3, Decimal("500"), "RUB").id,
                          STACKED)
    voucher = journal.close_cash_session(walked_away.id, VOUCHER)
    assert voucher.voucher is not None and re.fullmatch(r"\d{4}-\d{4}-\d{4}", voucher.voucher)
    test = journal.open_cash_session("test")
    journal.bill_resolved(journal.bill_stacking(test.id, 0, Decimal("10"), "RUB").id, STACKED)
    assert journal.close_cash_session(test.id, TEST).total == Decimal("10.00")
    # both are in the cassette: money the collector will count
    assert journal.cassette() == {Decimal("500.00"): 1, Decimal("10.00"): 1}
    assert journal.open_cash_sessions() == []
    journal.close()


def test_collection_counts_the_cassette_and_starts_anew(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    session = journal.open_cash_session("payment")
    for bill_type, amount in ((2, "100"), (2, "100"), (3, "500")):
        row = journal.bill_stacking(session.id, bill_type, Decimal(amount), "RUB")
        journal.bill_resolved(row.id, STACKED)
    pending = journal.bill_stacking(session.id, 4, Decimal("1000"), "RUB")
    journal.bill_resolved(pending.id, UNCONFIRMED)
    first = journal.collect("Инкассатор Петров", "SM-RU1353 EMU1")
    assert (first.bills, first.total, first.unconfirmed) == (3, Decimal("700.00"), 1)
    assert first.by_denomination == {Decimal("100.00"): 2, Decimal("500.00"): 1}
    assert journal.cassette() == {}  # a new count
    # the unconfirmed bill, settled later, goes to the next collection
    journal.bill_resolved(pending.id, STACKED)
    second = journal.collect("Инкассатор Петров")
    assert (second.bills, second.total, second.unconfirmed) == (1, Decimal("1000.00"), 0)
    assert [c.id for c in journal.collections()] == [second.id, first.id]
    assert verify(journal).ok
    journal.close()


def test_a_voucher_is_found_by_its_code_and_paid_out_once(tmp_path: Path) -> None:
    from cashier_app.journal.cash_in import PAID_OUT

    journal = Journal(tmp_path / "j.sqlite3")
    session = journal.open_cash_session("payment")
    journal.bill_resolved(journal.bill_stacking(session.id, 3, Decimal("500"), "RUB").id,
                          STACKED)
    issued = journal.close_cash_session(session.id, VOUCHER)
    assert issued.voucher is not None
    spaced = issued.voucher.replace("-", " ")
    found = journal.voucher(spaced)
    assert found is not None and found.id == session.id and found.total == Decimal("500.00")
    assert journal.voucher("1234") is None and journal.voucher("0000-0000-0000") is None
    paid = journal.pay_out_voucher(session.id, "Сидорова Мария")
    assert (paid.state, paid.paid_out_by) == (PAID_OUT, "Сидорова Мария")
    assert paid.paid_out_at is not None
    with pytest.raises(CashInError):  # paid once
        journal.pay_out_voucher(session.id, "Сидорова Мария")
    spent = journal.open_cash_session("payment")
    journal.close_cash_session(spent.id, SPENT, agent_transaction_id=5)
    with pytest.raises(CashInError):  # only a voucher is paid out
        journal.pay_out_voucher(spent.id, "Сидорова Мария")
    assert verify(journal).ok
    journal.close()
