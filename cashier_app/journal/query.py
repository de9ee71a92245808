"""The journal as the supervisor looks at it: which payments (a filter), a page of them, how
many, and their totals — all answered by SQLite on its indexes, never by loading the period.

Totals are summed in SQLite over the integer kopeck columns (``amount_to_kop`` …), so they are
exact; money is summed only for payments that took the person's money (``paying``, ``paid``),
while counts include every state. The covering index ``payments_view`` answers a period's
totals without touching the rows. No Qt here: the window's model
(:mod:`cashier_app.ui.journal_view`) and the export (:mod:`cashier_app.journal.export`) both
read through this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from cashier_app.core.money import from_kopecks, kopecks
from cashier_app.core.states import State

from .db import Journal, PaymentRecord, day_bounds

#: Columns a row of the journal view needs (bodies and answers stay on disk).
VIEW_COLUMNS = ("agent_transaction_id", "created_at", "cashier", "service_id", "service_name",
                "account", "amount_to", "commission", "amount_from", "payment_method",
                "state", "result", "result_message", "transaction_id")
NEWEST_FIRST = "created_at desc, agent_transaction_id desc"
OLDEST_FIRST = "created_at, agent_transaction_id"


@dataclass(frozen=True)
class JournalFilter:
    """Which payments: created from ``first`` to ``last`` (days, inclusive), optionally one
    state, one service, one cashier, an amount range (``amount_to``, inclusive) and a search
    for an account (its beginning), an agentTransactionId or a transactionId."""

    first: date
    last: date
    state: State | None = None
    service_id: str | None = None
    cashier: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    search: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["created_at >= ?", "created_at < ?"]
        values: list[Any] = day_bounds(self.first, self.last)
        if self.state is not None:
            clauses.append("state = ?")
            values.append(str(self.state))
        if self.service_id:
            clauses.append("service_id = ?")
            values.append(self.service_id)
        if self.cashier:
            clauses.append("cashier = ?")
            values.append(self.cashier)
        if self.amount_min is not None:
            clauses.append("amount_to_kop >= ?")
            values.append(kopecks(self.amount_min))
        if self.amount_max is not None:
            clauses.append("amount_to_kop <= ?")
            values.append(kopecks(self.amount_max))
        text = (self.search or "").strip()
        if text:
            # each way of finding on its own index (the account from its beginning as a range,
            # an id exactly), then the period and the rest on the few rows found
            found = ["select agent_transaction_id from payments where account >= ? and "
                     "account < ?"]
            values += [text, text + "\U0010ffff"]
            if text.isdigit() and len(text) <= 18:
                found += ["select ?", "select agent_transaction_id from payments where "
                                      "transaction_id = ?"]
                values += [int(text), int(text)]
            clauses.append(f"agent_transaction_id in ({' union '.join(found)})")
        return " and ".join(clauses), values

    @property
    def by_day(self) -> bool:
        """Answerable from the per-day totals (no cashier, amount range or search)."""
        return not self.cashier and self.amount_min is None and self.amount_max is None and not (
            self.search or "").strip()

    def day_where(self) -> tuple[str, list[Any]]:
        """The filter on ``day_totals``."""
        clauses = ["day >= ?", "day <= ?"]
        values: list[Any] = [self.first.isoformat(), self.last.isoformat()]
        for column, value in (("state", str(self.state) if self.state else None),
                              ("service_id", self.service_id)):
            if value:
                clauses.append(f"{column} = ?")
                values.append(value)
        return " and ".join(clauses), values


def records(journal: Journal, chosen: JournalFilter, *, newest_first: bool = False
            ) -> Iterator[PaymentRecord]:
    """The chosen payments, one row at a time (oldest first unless asked)."""
    where, values = chosen.where()
    order = NEWEST_FIRST if newest_first else OLDEST_FIRST
    for row in journal.db.query(f"select * from payments where {where} order by {order}",
                                values):
        yield PaymentRecord.from_row(row)


def count(journal: Journal, chosen: JournalFilter) -> int:
    if chosen.by_day:
        where, values = chosen.day_where()
        sql = f"select sum(count) from day_totals where {where}"
    else:
        where, values = chosen.where()
        sql = f"select count(*) from payments where {where}"
    return int(journal.db.execute(sql, values).fetchone()[0] or 0)


def page(journal: Journal, chosen: JournalFilter, offset: int, limit: int, *,
         total: int | None = None) -> list[tuple[Any, ...]]:
    """Rows ``offset`` … ``offset + limit`` of the chosen payments, newest first, as tuples
    in :data:`VIEW_COLUMNS` order. Given the ``total``, a page in the older half is read
    from the other end (SQLite steps over an OFFSET one index entry at a time)."""
    where, values = chosen.where()
    select = f"select {', '.join(VIEW_COLUMNS)} from payments where {where}"
    if total is not None and offset > total // 2:
        first = max(0, total - offset - limit)
        count_ = min(limit, total - offset)
        rows = journal.db.execute(f"{select} order by {OLDEST_FIRST} limit ? offset ?",
                                  [*values, count_, first]).fetchall()
        return list(reversed(rows))
    cursor = journal.db.execute(f"{select} order by {NEWEST_FIRST} limit ? offset ?",
                                [*values, limit, offset])
    return list(cursor.fetchall())


#: States whose money was taken from the person (cash in the drawer or paid by QR) or is on
#: its way to the center — :attr:`PaymentRecord.accepted`. Only their money is summed: a
#: refused payment's cash went back, an unpaid QR code, a failed check or a cancelled
#: payment never took any.
ACCEPTED_STATES = (State.PAYING, State.PAID)


@dataclass
class Sums:
    """How many payments (``count``: all of them, whatever their state) and the money of those
    among them that were accepted (``accepted`` of them; see :data:`ACCEPTED_STATES`)."""

    count: int = 0
    accepted: int = 0
    amount_to: Decimal = Decimal("0.00")
    amount_from: Decimal = Decimal("0.00")
    commission: Decimal = Decimal("0.00")

    def add(self, other: Sums) -> None:
        self.count += other.count
        self.accepted += other.accepted
        self.amount_to += other.amount_to
        self.amount_from += other.amount_from
        self.commission += other.commission


@dataclass
class Totals:
    """What the filter shows: all of it, by state, and by service (code, name, sums). Every
    count is of all the payments shown; every amount is of the accepted ones only."""

    all: Sums = field(default_factory=Sums)
    by_state: dict[State, Sums] = field(default_factory=dict)
    by_service: list[tuple[str, str, Sums]] = field(default_factory=list)


def _sums(state: State, row: tuple[Any, ...]) -> Sums:
    count_, amount_to, amount_from, commission = row
    if state not in ACCEPTED_STATES:
        return Sums(int(count_))
    return Sums(int(count_), int(count_), from_kopecks(amount_to or 0),
                from_kopecks(amount_from or 0), from_kopecks(commission or 0))


def totals(journal: Journal, chosen: JournalFilter) -> Totals:
    """Exact sums in kopecks by SQLite, by state and service in one pass (names from the
    rows); from the per-day totals when the filter allows, else from the rows. Money is
    summed for the accepted states only (:data:`ACCEPTED_STATES`), counts for every state."""
    if chosen.by_day:
        where, values = chosen.day_where()
        table = "day_totals"
        sums = "sum(count), sum(amount_to_kop), sum(amount_from_kop), sum(commission_kop)"
    else:
        where, values = chosen.where()
        table = "payments"
        if chosen.cashier and not (chosen.search or "").strip():
            # the planner, with statistics that say there are few cashiers, would rather walk
            # the whole period; this index holds one cashier's period and every summed column
            table = "payments indexed by payments_cashier_view"
        sums = "count(*), sum(amount_to_kop), sum(amount_from_kop), sum(commission_kop)"
    result = Totals()
    by_service: dict[str, Sums] = {}
    for state_text, service_id, *rest in journal.db.execute(
            f"select state, service_id, {sums} from {table} where {where} "
            "group by state, service_id", values):
        if not rest[0]:
            continue  # a day's row emptied by deletions
        state = State(state_text)
        part = _sums(state, tuple(rest))
        result.by_state.setdefault(state, Sums()).add(part)
        by_service.setdefault(service_id, Sums()).add(part)
        result.all.add(part)
    result.by_state = {state: result.by_state[state] for state in State
                       if state in result.by_state}
    result.by_service = sorted(((service_id, _service_name(journal, service_id), sums)
                                for service_id, sums in by_service.items()),
                               key=lambda item: (-item[2].count, item[0]))
    return result


def cashiers(journal: Journal) -> list[str]:
    """Everyone who has taken a payment here (for the filter's list)."""
    return [row[0] for row in journal.db.execute(
        "select distinct cashier from payments where cashier is not null and cashier != '' "
        "order by cashier")]


def services(journal: Journal) -> list[tuple[str, str]]:
    """Every service paid here, (code, name), by name."""
    found = []
    for (service_id,) in journal.db.execute("select distinct service_id from day_totals "
                                            "order by service_id").fetchall():
        found.append((service_id, _service_name(journal, service_id)))
    return sorted(found, key=lambda item: (item[1].casefold(), item[0]))


def _service_name(journal: Journal, service_id: str) -> str:
    """The service's name on its latest payment (one index lookup)."""
    row = journal.db.execute("select service_name from payments where service_id = ? "
                             "order by created_at desc limit 1", [service_id]).fetchone()
    return (row[0] if row else "") or ""
