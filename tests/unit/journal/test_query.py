"""The supervisor's filter, pages and totals, exact to the kopeck, answered by SQLite."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cashier_app.core.states import State
from cashier_app.journal import Journal, query
from cashier_app.journal.query import JournalFilter
from tests.unit.receipts.helpers import make_payment


def journal_with_payments(path: Path) -> Journal:
    journal = Journal(path)
    make_payment(journal, "simple", 11, cashier="Иванова Анна")  # 200.00 + 10.00
    make_payment(journal, "displays", 12, cashier="Иванова Анна")  # 650.00 + 10.00
    make_payment(journal, "choice", 13, cashier="Петров Олег", state=State.FAILED)
    make_payment(journal, "simple", 14, cashier="Петров Олег", method="sbp")
    journal.update(14, account="9057654321", transaction_id=55501)
    return journal


def ids(journal: Journal, chosen: JournalFilter) -> list[int]:
    return [r.agent_transaction_id for r in query.records(journal, chosen)]


def test_filters_search_and_amount_range(tmp_path: Path) -> None:
    journal = journal_with_payments(tmp_path / "j.sqlite3")
    today = date.today()
    day = JournalFilter(today, today)
    assert ids(journal, day) == [11, 12, 13, 14]
    assert ids(journal, JournalFilter(today, today, amount_min=Decimal("600"))) == [12, 13]
    assert ids(journal, JournalFilter(today, today, amount_max=Decimal("200.00"))) == [11, 14]
    assert ids(journal, JournalFilter(today, today, search="905765")) == [14]  # account start
    assert ids(journal, JournalFilter(today, today, search="55501")) == [14]  # transactionId
    assert ids(journal, JournalFilter(today, today, search="13")) == [13]  # agentTransactionId
    assert ids(journal, JournalFilter(today, today, search="нет такого")) == []
    yesterday = today - timedelta(days=1)
    assert ids(journal, JournalFilter(yesterday, yesterday)) == []
    assert query.count(journal, day) == 4
    # a page is newest first, in VIEW_COLUMNS order
    rows = query.page(journal, day, 1, 2)
    at = query.VIEW_COLUMNS.index("agent_transaction_id")
    assert [row[at] for row in rows] == [13, 12]
    assert query.cashiers(journal) == ["Иванова Анна", "Петров Олег"]
    assert [sid for sid, _ in query.services(journal)] == ["P0006", "P1011", "P3001"]
    journal.close()


def test_totals_by_state_and_service_are_exact(tmp_path: Path) -> None:
    journal = journal_with_payments(tmp_path / "j.sqlite3")
    today = date.today()
    totals = query.totals(journal, JournalFilter(today, today))
    assert totals.all.count == 4 and totals.all.accepted == 3
    records = list(query.records(journal, JournalFilter(today, today)))
    accepted = [r for r in records if r.accepted]
    assert totals.all.amount_to == sum((r.amount_to for r in accepted if r.amount_to),
                                       Decimal(0)) == Decimal("1050.00")
    assert totals.all.amount_from == sum((r.amount_from for r in accepted if r.amount_from),
                                         Decimal(0)) == Decimal("1080.00")
    assert totals.by_state[State.PAID].count == 3 and totals.by_state[State.FAILED].count == 1
    assert totals.by_state[State.PAID].amount_to == Decimal("1050.00")
    by_service = {sid: sums for sid, _, sums in totals.by_service}
    assert by_service["P1011"].count == 2 and by_service["P1011"].commission == Decimal("20.00")
    names = {sid: name for sid, name, _ in totals.by_service}
    assert names["P1011"] == "Билайн"
    paid_only = query.totals(journal, JournalFilter(today, today, state=State.PAID,
                                                    cashier="Петров Олег"))
    assert paid_only.all.count == 1 and paid_only.all.amount_from == Decimal("210.00")
    journal.close()


def test_money_totals_count_only_what_was_accepted(tmp_path: Path) -> None:
    """A refused payment's cash went back, an unpaid QR code, a failed check and a cancelled
    payment took nothing: they are counted, their money is not (the day totals' fast path and
    the rows' slow path alike)."""
    journal = Journal(tmp_path / "j.sqlite3")
    make_payment(journal, "simple", 1)  # paid 200.00 + 10.00
    make_payment(journal, "simple", 2, state=State.PAYING)  # accepted, on its way
    make_payment(journal, "choice", 3, state=State.FAILED)  # 2020.00 given back
    make_payment(journal, "simple", 4, state=State.QR_WAITING, method="sbp")  # not paid
    make_payment(journal, "simple", 5, state=State.FAILED, method="sbp")  # code expired
    make_payment(journal, "displays", 6, state=State.PAYING)
    journal.transition(6, State.FAILED, result=7, result_message="отказ")
    today = date.today()
    for chosen in (JournalFilter(today, today),  # per-day totals
                   JournalFilter(today, today, amount_min=Decimal(0)),  # the rows
                   JournalFilter(today, today, cashier="Иванова Анна")):  # the cashier index
        totals = query.totals(journal, chosen)
        assert totals.all.count == 6 and totals.all.accepted == 2, chosen
        assert totals.all.amount_to == Decimal("400.00")
        assert totals.all.amount_from == Decimal("420.00")
        assert totals.all.commission == Decimal("20.00")
        assert totals.by_state[State.FAILED].count == 3
        assert totals.by_state[State.FAILED].amount_from == Decimal("0.00")
        assert totals.by_state[State.QR_WAITING].count == 1
        assert totals.by_state[State.PAYING].amount_from == Decimal("210.00")
        by_service = {sid: sums for sid, _, sums in totals.by_service}
        assert by_service["P0006"].count == 1 and by_service["P0006"].amount_from == 0
        assert by_service["P1011"].count == 4 and by_service["P1011"].accepted == 2
        assert by_service["P1011"].amount_from == Decimal("420.00")
    journal.close()


def test_per_day_totals_follow_every_write_and_pages_read_from_either_end(
        tmp_path: Path) -> None:
    journal = journal_with_payments(tmp_path / "j.sqlite3")
    for number in range(20, 45):
        make_payment(journal, "simple", number, cashier="Петров Олег",
                     state=State.PAYING if number == 44 else State.PAID)
    journal.transition(44, State.FAILED, result_message="отказ")  # a state changes
    journal.update(43, amount_to=Decimal("123.45"))  # an amount changes
    journal.db.execute("delete from payments where agent_transaction_id = 42")
    today = date.today()
    for chosen in (JournalFilter(today, today), JournalFilter(today, today, state=State.PAID),
                   JournalFilter(today, today, service_id="P1011")):
        assert chosen.by_day
        fast = query.totals(journal, chosen)
        rows = list(query.records(journal, chosen))
        assert query.count(journal, chosen) == len(rows) == fast.all.count
        kept = [r for r in rows if r.accepted]
        assert fast.all.accepted == len(kept)
        assert fast.all.amount_to == sum((r.amount_to or Decimal(0) for r in kept), Decimal(0))
        assert fast.all.commission == sum((r.commission or Decimal(0) for r in kept),
                                          Decimal(0))
        slow = query.totals(journal, JournalFilter(chosen.first, chosen.last, chosen.state,
                                                   chosen.service_id, chosen.cashier,
                                                   amount_min=Decimal(0)))
        assert slow.all == fast.all and slow.by_state == fast.by_state
    everything = JournalFilter(today, today)
    total = query.count(journal, everything)
    forward = query.page(journal, everything, 0, total)
    for offset in range(0, total, 7):
        assert query.page(journal, everything, offset, 7, total=total) == forward[offset:
                                                                                 offset + 7]
    journal.close()
