"""The journal: every payment is here before anything is sent, and survives a crash.

SQLite through sqlite-utils; WAL and ``synchronous=FULL`` on every connection (WAL alone is
not durable against a power cut); the schema version in ``PRAGMA user_version`` with ordered
migrations. Amounts are stored as exact decimal text, request bodies as the exact bytes sent.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils

from cashier_app.core.money import kopecks
from cashier_app.core.states import State, ensure_transition

SCHEMA_VERSION = 4
#: Columns holding money (exact decimal text) and JSON, converted in one place each way.
MONEY_COLUMNS = ("amount_to", "commission", "amount_from", "cash_given", "change")
#: Money columns that also have an integer copy in kopecks (``<name>_kop``): SQLite sums and
#: compares those exactly (its own arithmetic on text would go through floats).
KOPECK_COLUMNS = ("amount_to", "commission", "amount_from")
JSON_COLUMNS = ("extras", "check_answer", "pay_answer", "extra_services", "field_titles")
#: Tables whose every row is sealed in the hash chain (``ledger``), with their keys.
CHAINED = {"payments": "agent_transaction_id", "shifts": "id", "receipts": "number",
           "attempts": "id", "audit": "id"}
GENESIS = "0" * 64


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


def day_bounds(first: date, last: date) -> list[str]:
    """Stored times from the start of ``first`` to the end of ``last``, for
    ``at >= ? and at < ?`` (a stored time is ISO text, ``2026-11-23T14:05:07.123``)."""
    return [first.isoformat(), f"{last.isoformat()}T99"]


# --- the hash chain ------------------------------------------------------------------------
def row_digest(row: Mapping[str, Any]) -> str:
    """SHA-256 of a row's content as stored (bytes as hex, NULLs left out, keys sorted);
    its own ``chain_hash`` is not part of it."""
    clean = {name: value.hex() if isinstance(value, bytes) else value
             for name, value in row.items() if name != "chain_hash" and value is not None}
    text = json.dumps(clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(prev: str, seq: int, at: str, table: str, key: str, digest: str) -> str:
    return hashlib.sha256(f"{prev}|{seq}|{at}|{table}|{key}|{digest}".encode()).hexdigest()


def seal(db: sqlite_utils.Database, table: str, key: Any) -> dict[str, Any]:
    """Append the row's present content to the chain and mark the row with the link's hash.
    Call inside the transaction that wrote the row (the write holds the lock, so the head
    read here is the head). Returns the row as it now is (no need to read it again)."""
    key_column = CHAINED[table]
    row = next(iter(db.query(f"select * from {table} where {key_column} = ?", [key])))
    digest = row_digest(row)
    head = db.execute("select seq, hash from ledger order by seq desc limit 1").fetchone()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = _now()
    link = link_hash(prev, seq, at, table, str(key), digest)
    db.execute("insert into ledger (seq, at, tbl, key, digest, prev, hash) "
               "values (?, ?, ?, ?, ?, ?, ?)", [seq, at, table, str(key), digest, prev, link])
    db.execute(f"update {table} set chain_hash = ? where {key_column} = ?", [link, key])
    return {**row, "chain_hash": link}


def _migration_1(db: sqlite_utils.Database) -> None:
    db.table("payments").create({
        "agent_transaction_id": int, "service_id": str, "service_name": str, "scheme": str,
        "account": str, "extras": str, "identity_card": str, "full_name": str,
        "state": str, "result": int, "result_message": str, "transaction_id": int,
        "agent_transaction_date": str,
        "amount_to": str, "commission": str, "amount_from": str, "cash_given": str,
        "change": str, "extra_services": str,
        "check_body": bytes, "check_answer": str, "pay_body": bytes, "pay_answer": str,
        "transaction_date": str, "status_date": str,
        "attempts": int, "next_attempt_at": str, "seen_non_final": int,
        "cashier": str, "shift_id": int,
        "created_at": str, "updated_at": str, "settled_at": str,
    }, pk="agent_transaction_id", not_null={"service_id", "account", "state",
                                            "agent_transaction_date", "created_at",
                                            "updated_at"},
        defaults={"attempts": 0, "seen_non_final": 0, "extras": "{}"})
    db.table("payments").create_index(["state"])
    db.table("payments").create_index(["created_at"])
    db.table("attempts").create({
        "id": int, "agent_transaction_id": int, "method": str, "started_at": str,
        "duration_ms": int, "outcome": str, "result": int, "message": str,
    }, pk="id", foreign_keys=[("agent_transaction_id", "payments", "agent_transaction_id")])
    db.table("attempts").create_index(["agent_transaction_id"])
    db.table("shifts").create({"id": int, "cashier": str, "opened_at": str, "closed_at": str},
                        pk="id", not_null={"cashier", "opened_at"})


def _migration_2(db: sqlite_utils.Database) -> None:
    """Receipts (issue 5): the titles of a payment's fields as the catalog had them, so that
    its receipt can be rebuilt from the row alone; each receipt document as printed."""
    db.table("payments").add_column("field_titles", str)
    db.table("payments").add_column("receipt_printed_at", str)
    db.table("payments").add_column("receipt_error", str)
    db.table("receipts").create({
        "number": int, "kind": str, "agent_transaction_id": int, "shift_id": int,
        "payment_state": str, "created_at": str, "document": str, "printed_at": str,
        "copies": int, "last_error": str, "last_attempt_at": str,
    }, pk="number", not_null={"kind", "created_at", "document"}, defaults={"copies": 0},
        foreign_keys=[("agent_transaction_id", "payments", "agent_transaction_id")])
    db.table("receipts").create_index(["agent_transaction_id"])
    db.table("receipts").create_index(["shift_id", "kind"])


def _migration_3(db: sqlite_utils.Database) -> None:
    """QR СБП (issue 6): how the person paid; the code's request as sent and what the center
    said of it; the desk's cash-register link."""
    payments = db.table("payments")
    payments.add_column("payment_method", str, not_null_default="cash")
    for name, kind in (("qr_mode", str), ("qr_body", bytes), ("qr_id", str),
                       ("qr_payload", str), ("qr_expires_at", str), ("qr_status", str),
                       ("cancel_requested_at", str)):
        payments.add_column(name, kind)
    payments.add_column("qr_failures", int, not_null_default=0)
    db.table("cash_link").create({"qr_id": str, "payload": str, "registered_at": str},
                                 pk="qr_id", not_null={"payload", "registered_at"})


_DAY = "substr({0}.created_at, 1, 10)"


def _add(row: str, sign: str) -> str:
    """SQL that adds (``+``) or takes away (``-``) one payment row's part of its day."""
    return (
        f"insert into day_totals values ({_DAY.format(row)}, {row}.state, {row}.service_id, "
        f"{sign}1, "
        f"{sign}coalesce({row}.amount_to_kop, 0), {sign}coalesce({row}.amount_from_kop, 0), "
        f"{sign}coalesce({row}.commission_kop, 0)) on conflict do update set "
        "count = count + excluded.count, amount_to_kop = amount_to_kop + excluded.amount_to_kop, "
        "amount_from_kop = amount_from_kop + excluded.amount_from_kop, "
        "commission_kop = commission_kop + excluded.commission_kop;")


#: Per day, state and service: how many payments and their sums in
#: kopecks, kept by triggers in the same transaction as every write to ``payments`` (a year's
#: totals are then a few thousand rows, not hundreds of thousands).
DAY_TOTALS_SQL = (
    "create table day_totals (day text not null, state text not null, service_id text not "
    "null, count integer not null, amount_to_kop integer not null, amount_from_kop integer "
    "not null, commission_kop integer not null, primary key (day, state, service_id)) "
    "without rowid",
    "insert into day_totals select substr(created_at, 1, 10), state, service_id, count(*), "
    "sum(coalesce(amount_to_kop, 0)), sum(coalesce(amount_from_kop, 0)), "
    "sum(coalesce(commission_kop, 0)) from payments group by 1, 2, 3",
    f"create trigger day_totals_insert after insert on payments begin {_add('new', '')} end",
    f"create trigger day_totals_delete after delete on payments begin {_add('old', '-')} end",
    "create trigger day_totals_update after update of created_at, state, service_id, "
    "amount_to_kop, amount_from_kop, commission_kop on payments begin "
    f"{_add('old', '-')} {_add('new', '')} end",
)


def _migration_4(db: sqlite_utils.Database) -> None:
    """Supervisor (issue 7): kopeck copies of the amounts and indexes for the journal view;
    each attempt's request and answer; the cash count of a shift and its fixed totals; the
    audit of supervisor actions; the agent balance as fetched; the hash chain (every existing
    row is sealed here, as found)."""
    payments = db.table("payments")
    for name in KOPECK_COLUMNS:
        payments.add_column(f"{name}_kop", int)
    for row in db.query("select agent_transaction_id, amount_to, commission, amount_from "
                        "from payments"):
        payments.update(row["agent_transaction_id"], {
            f"{name}_kop": kopecks(Decimal(row[name])) for name in KOPECK_COLUMNS
            if row[name] is not None})
    for columns in (("service_id", "created_at"), ("account",), ("transaction_id",),
                    ("shift_id",), ("amount_to_kop",)):
        payments.create_index(list(columns), if_not_exists=True)
    # one cashier's period and its totals from the index alone (not in the per-day totals)
    db.execute("create index payments_cashier_view on payments (cashier, created_at, state, "
               "service_id, amount_to_kop, amount_from_kop, commission_kop)")
    for statement in DAY_TOTALS_SQL:
        db.execute(statement)
    db.table("attempts").add_column("request", str)
    db.table("attempts").add_column("answer", str)
    shifts = db.table("shifts")
    for name in ("opened_by", "opening_cash", "closed_by", "expected_cash", "counted_cash",
                 "cash_difference", "denominations", "totals"):
        shifts.add_column(name, str)
    db.table("audit").create({"id": int, "at": str, "actor": str, "role": str,
                              "action": str, "target": str, "details": str},
                             pk="id", not_null={"at", "actor", "action"})
    db.table("audit").create_index(["at"])
    db.table("balance_log").create({"id": int, "at": str, "balance": str, "overdraft": str,
                                    "notification": str, "currency": str},
                                   pk="id", not_null={"at", "balance"})
    db.table("balance_log").create_index(["at"])
    db.table("ledger").create({"seq": int, "at": str, "tbl": str, "key": str, "digest": str,
                               "prev": str, "hash": str},
                              pk="seq", not_null={"at", "tbl", "key", "digest", "prev", "hash"})
    db.execute("create index ledger_rows on ledger (tbl, key, seq)")
    for table in CHAINED:
        db.table(table).add_column("chain_hash", str)
    for table, key in CHAINED.items():
        for row in db.query(f"select {key} from {table} order by {key}"):
            seal(db, table, row[key])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2,
                                                              _migration_3, _migration_4]
CASH, SBP = "cash", "sbp"  # payments.payment_method


@dataclass(frozen=True)
class PaymentRecord:
    agent_transaction_id: int
    service_id: str
    service_name: str
    scheme: str
    account: str
    extras: dict[str, str]
    state: State
    result: int | None
    result_message: str | None
    transaction_id: int | None
    agent_transaction_date: str
    amount_to: Decimal | None
    commission: Decimal | None
    amount_from: Decimal | None
    cash_given: Decimal | None
    change: Decimal | None
    check_body: bytes | None
    check_answer: dict[str, Any] | None
    pay_body: bytes | None
    pay_answer: dict[str, Any] | None
    transaction_date: str | None
    status_date: str | None
    attempts: int
    next_attempt_at: str | None
    seen_non_final: bool
    cashier: str | None
    shift_id: int | None
    created_at: str
    updated_at: str
    settled_at: str | None
    identity_card: str | None = None
    full_name: str | None = None
    extra_services: list[dict[str, Any]] | None = None
    field_titles: dict[str, dict[str, str]] | None = None  # {"inputs"|"displays": {name: title}}
    receipt_printed_at: str | None = None
    receipt_error: str | None = None
    payment_method: str = "cash"  # cash | sbp
    qr_mode: str | None = None  # qr | cash_link
    qr_body: bytes | None = None  # create/activate as sent (a repeat sends these bytes)
    qr_id: str | None = None
    qr_payload: str | None = None
    qr_expires_at: str | None = None
    qr_status: str | None = None  # the center's last word: CREATED, PAID, EXPIRED, …
    qr_failures: int = 0  # status requests in a row without an answer
    cancel_requested_at: str | None = None

    @property
    def by_qr(self) -> bool:
        return self.payment_method == SBP

    @property
    def cash_accepted(self) -> bool:
        """From ``paying`` on the cash is in the drawer (a failed payment's is given back);
        a QR СБП payment never puts cash in the drawer."""
        return self.state in (State.PAYING, State.PAID) and not self.by_qr

    @property
    def accepted(self) -> bool:
        """Money taken from the person (cash in the drawer, or paid by QR), or on its way."""
        return self.state in (State.PAYING, State.PAID)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PaymentRecord:
        values = dict(row)
        for name in MONEY_COLUMNS:
            values[name] = Decimal(values[name]) if values.get(name) is not None else None
        for name in JSON_COLUMNS:
            values[name] = json.loads(values[name]) if values.get(name) else None
        values["extras"] = values["extras"] or {}
        values["state"] = State(values["state"])
        values["seen_non_final"] = bool(values.get("seen_non_final"))
        values["payment_method"] = values.get("payment_method") or CASH
        values["qr_failures"] = int(values.get("qr_failures") or 0)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Attempt:
    agent_transaction_id: int
    method: str
    started_at: str
    duration_ms: int
    outcome: str  # answer | transport | auth
    result: int | None
    message: str
    request: str | None = None  # the body as sent (UTF-8 JSON; no token is ever in a body)
    answer: str | None = None  # the answer's JSON as received, when there was one


@dataclass(frozen=True)
class CashCount:
    """The drawer counted at a shift's close: what the journal expects, what was counted,
    and (optionally) how many notes and coins of each face value, in kopecks → pieces."""

    expected: Decimal
    counted: Decimal
    denominations: dict[str, int] | None = None

    @property
    def difference(self) -> Decimal:
        """Counted minus expected: negative is a shortage, positive a surplus."""
        return self.counted - self.expected


@dataclass(frozen=True)
class Shift:
    id: int
    cashier: str
    opened_at: str
    closed_at: str | None = None
    opened_by: str | None = None
    opening_cash: Decimal = Decimal("0.00")
    closed_by: str | None = None
    expected_cash: Decimal | None = None
    counted_cash: Decimal | None = None
    cash_difference: Decimal | None = None
    denominations: dict[str, int] | None = None
    totals: dict[str, Any] | None = None  # fixed at the close

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Shift:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        for name in ("expected_cash", "counted_cash", "cash_difference"):
            if values[name] is not None:
                values[name] = Decimal(values[name])
        values["opening_cash"] = Decimal(values["opening_cash"] or "0.00")
        for name in ("denominations", "totals"):
            values[name] = json.loads(values[name]) if values[name] else None
        return cls(**values)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    role: str
    action: str
    target: str
    details: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AuditEntry:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        values["details"] = json.loads(values["details"] or "{}")
        values["role"] = values["role"] or ""
        values["target"] = values["target"] or ""
        return cls(**values)


@dataclass(frozen=True)
class StoredReceipt:
    """One receipt document as it was built (and printed): a reprint prints this again."""

    number: int
    kind: str  # payment | x | z
    agent_transaction_id: int | None
    shift_id: int | None
    payment_state: str | None
    created_at: str
    document: dict[str, Any]
    printed_at: str | None
    copies: int
    last_error: str | None
    last_attempt_at: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredReceipt:
        values: dict[str, Any] = {f.name: row.get(f.name) for f in fields(cls)}
        values["document"] = json.loads(values["document"])
        values["copies"] = int(values.get("copies") or 0)
        return cls(**values)


class ShiftError(RuntimeError):
    """A shift cannot be opened or closed as asked; ``str()`` is Russian."""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _to_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Money as exact decimal text, structures as JSON text; the rest as it is."""
    row = dict(values)
    for name in KOPECK_COLUMNS:
        if name in row:
            row[f"{name}_kop"] = kopecks(row[name]) if row[name] is not None else None
    for name in MONEY_COLUMNS:
        if isinstance(row.get(name), Decimal):
            row[name] = format(row[name], "f")
    for name in JSON_COLUMNS:
        if row.get(name) is not None and not isinstance(row[name], str):
            row[name] = _json(row[name])
    return row


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        self.db = sqlite_utils.Database(conn)
        self._migrate()

    @classmethod
    def reader(cls, path: Path) -> Journal:
        """A read-only second connection to an existing journal, usable from another thread
        (the supervisor's totals, the export and the integrity check run off the UI
        thread); no migration."""
        journal = cls.__new__(cls)
        journal.path = path
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                               isolation_level=None, check_same_thread=False)
        journal.db = sqlite_utils.Database(conn)
        return journal

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA optimize")  # keeps the planner's statistics current
        except sqlite3.Error:
            pass
        self.db.conn.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"journal {self.path} is from a newer program (schema {version})")
        for number in range(version, SCHEMA_VERSION):
            with self.db.atomic():
                MIGRATIONS[number](self.db)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # --- payments ------------------------------------------------------------------
    def create(self, **values: Any) -> PaymentRecord:
        now = _now()
        row = _to_columns({"extras": {}, **values})
        row.update(state=str(State.NEW), created_at=now, updated_at=now)
        with self.db.atomic():
            self.db.table("payments").insert(row)
            written = seal(self.db, "payments", values["agent_transaction_id"])
        return PaymentRecord.from_row(written)

    def get(self, agent_transaction_id: int) -> PaymentRecord:
        return PaymentRecord.from_row(self.db.table("payments").get(agent_transaction_id))

    def transition(self, agent_transaction_id: int, target: State, **values: Any
                   ) -> PaymentRecord:
        """Move a payment to ``target`` (checked against the state machine) with new values,
        in one transaction."""
        with self.db.atomic():
            current = State(self.db.table("payments").get(agent_transaction_id)["state"])
            if current is not target:
                ensure_transition(current, target)
            written = self._update(agent_transaction_id, state=str(target), **values)
        return PaymentRecord.from_row(written)

    def update(self, agent_transaction_id: int, **values: Any) -> PaymentRecord:
        with self.db.atomic():
            written = self._update(agent_transaction_id, **values)
        return PaymentRecord.from_row(written)

    def _update(self, agent_transaction_id: int, **values: Any) -> dict[str, Any]:
        row = _to_columns(values)
        row["updated_at"] = _now()
        self.db.table("payments").update(agent_transaction_id, row)
        return seal(self.db, "payments", agent_transaction_id)

    def in_state(self, *states: State) -> list[PaymentRecord]:
        marks = ",".join("?" for _ in states)
        rows = self.db.query(
            f"select * from payments where state in ({marks}) "
            "order by coalesce(next_attempt_at, created_at), agent_transaction_id",
            [str(s) for s in states])
        return [PaymentRecord.from_row(row) for row in rows]

    def pending(self) -> list[PaymentRecord]:
        return self.in_state(State.PAYING)

    def unsettled(self) -> list[PaymentRecord]:
        """Everything the engine still has to bring to an end: pays «в обработке» and QR
        codes that may still be paid."""
        return self.in_state(State.PAYING, State.QR_WAITING)

    def count_pending(self) -> int:
        """How many payments are «в обработке» or wait for a QR payment, without loading
        them (UI status bar)."""
        row = self.db.execute("select count(*) from payments where state in (?, ?)",
                              [str(State.PAYING), str(State.QR_WAITING)]).fetchone()
        return int(row[0])

    # --- the desk's cash-register link (QR СБП) ------------------------------------
    def cash_link(self) -> tuple[str, str] | None:
        rows = list(self.db.query("select qr_id, payload from cash_link "
                                  "order by registered_at desc limit 1"))
        return (rows[0]["qr_id"], rows[0]["payload"]) if rows else None

    def save_cash_link(self, qr_id: str, payload: str) -> None:
        with self.db.atomic():
            self.db.table("cash_link").insert({"qr_id": qr_id, "payload": payload,
                                               "registered_at": _now()}, replace=True)

    def service_usage(self) -> dict[str, int]:
        """How many payments each service has had at this point (any outcome)."""
        rows = self.db.execute("select service_id, count(*) from payments group by service_id")
        return {service_id: int(count) for service_id, count in rows.fetchall()}

    def max_id(self) -> int:
        value = self.db.execute("select max(agent_transaction_id) from payments").fetchone()[0]
        return int(value or 0)

    # --- shifts --------------------------------------------------------------------
    def open_shift_now(self) -> Shift | None:
        """The point's open shift (one cash drawer: at most one shift is open)."""
        rows = list(self.db.query(
            "select * from shifts where closed_at is null order by id desc limit 1"))
        return Shift.from_row(rows[0]) if rows else None

    def open_shift(self, cashier: str, *, opening_cash: Decimal = Decimal("0.00"),
                   opened_by: str | None = None) -> Shift:
        """Open the point's shift for ``cashier`` with ``opening_cash`` in the drawer (the
        float counted at the open)."""
        with self.db.atomic():
            current = self.open_shift_now()
            if current is not None:
                if current.cashier == cashier:
                    return current
                raise ShiftError(f"Открыта смена кассира {current.cashier} с "
                                 f"{current.opened_at[:16].replace('T', ' ')}: сначала "
                                 "закройте её")
            self.db.table("shifts").insert({
                "cashier": cashier, "opened_at": _now(), "opened_by": opened_by or cashier,
                "opening_cash": format(opening_cash, "f")})
            row_id = self.db.execute("select last_insert_rowid()").fetchone()[0]
            seal(self.db, "shifts", row_id)
        return self.shift(row_id)

    def close_shift(self, shift_id: int, *, closed_by: str | None = None,
                    count: CashCount | None = None,
                    totals: dict[str, Any] | None = None) -> Shift:
        """Close the shift, with the cash count and the totals to fix in it (the caller
        computes them in the same transaction). Closing a closed shift changes nothing."""
        with self.db.atomic():
            row = self.db.table("shifts").get(shift_id)
            if row["closed_at"] is None:
                values: dict[str, Any] = {"closed_at": _now(),
                                          "closed_by": closed_by or row["cashier"]}
                if totals is not None:
                    values["totals"] = _json(totals)
                if count is not None:
                    values.update(expected_cash=format(count.expected, "f"),
                                  counted_cash=format(count.counted, "f"),
                                  cash_difference=format(count.difference, "f"),
                                  denominations=_json(count.denominations)
                                  if count.denominations else None)
                self.db.table("shifts").update(shift_id, values)
                seal(self.db, "shifts", shift_id)
        return self.shift(shift_id)

    def shift(self, shift_id: int) -> Shift:
        return Shift.from_row(self.db.table("shifts").get(shift_id))

    def shifts(self, first: date, last: date) -> list[Shift]:
        """Shifts opened from ``first`` to ``last`` (days, inclusive), newest first."""
        rows = self.db.query("select * from shifts where opened_at >= ? and opened_at < ? "
                             "order by id desc", day_bounds(first, last))
        return [Shift.from_row(row) for row in rows]

    def shift_payments(self, shift_id: int) -> list[PaymentRecord]:
        rows = self.db.query("select * from payments where shift_id = ? "
                             "order by created_at, agent_transaction_id", [shift_id])
        return [PaymentRecord.from_row(row) for row in rows]

    # --- receipts ------------------------------------------------------------------
    def add_receipt(self, kind: str, document: dict[str, Any], *,
                    agent_transaction_id: int | None = None, shift_id: int | None = None,
                    payment_state: str | None = None,
                    build: Callable[[int], dict[str, Any]] | None = None) -> StoredReceipt:
        """Store a new receipt document; ``build(number)`` may make the document once its
        number is known (the number is the row's key)."""
        with self.db.atomic():
            self.db.table("receipts").insert({
                "kind": kind, "agent_transaction_id": agent_transaction_id,
                "shift_id": shift_id, "payment_state": payment_state, "created_at": _now(),
                "document": _json(document)})
            number = int(self.db.execute("select last_insert_rowid()").fetchone()[0])
            if build is not None:
                self.db.table("receipts").update(number, {"document": _json(build(number))})
            seal(self.db, "receipts", number)
        return self.receipt(number)

    def receipt(self, number: int) -> StoredReceipt:
        return StoredReceipt.from_row(self.db.table("receipts").get(number))

    def latest_receipt(self, agent_transaction_id: int) -> StoredReceipt | None:
        rows = list(self.db.query("select * from receipts where agent_transaction_id = ? "
                                  "order by number desc limit 1", [agent_transaction_id]))
        return StoredReceipt.from_row(rows[0]) if rows else None

    def shift_receipt(self, shift_id: int, kind: str) -> StoredReceipt | None:
        rows = list(self.db.query("select * from receipts where shift_id = ? and kind = ? "
                                  "order by number desc limit 1", [shift_id, kind]))
        return StoredReceipt.from_row(rows[0]) if rows else None

    def receipt_printed(self, number: int, copies: int) -> StoredReceipt:
        """A successful print: the receipt (and its payment) show when."""
        now = _now()
        with self.db.atomic():
            receipt = self.receipt(number)
            self.db.table("receipts").update(number, {
                "printed_at": receipt.printed_at or now, "copies": copies,
                "last_error": None, "last_attempt_at": now})
            seal(self.db, "receipts", number)
            if receipt.agent_transaction_id is not None:
                self.db.table("payments").update(receipt.agent_transaction_id, {
                    "receipt_printed_at": receipt.printed_at or now, "receipt_error": None})
                seal(self.db, "payments", receipt.agent_transaction_id)
        return self.receipt(number)

    def receipt_failed(self, number: int, message: str) -> StoredReceipt:
        """A failed print: recorded on the receipt and its payment; the payment's state is
        not touched."""
        now = _now()
        with self.db.atomic():
            receipt = self.receipt(number)
            self.db.table("receipts").update(number, {"last_error": message,
                                                      "last_attempt_at": now})
            seal(self.db, "receipts", number)
            if receipt.agent_transaction_id is not None and receipt.printed_at is None:
                self.db.table("payments").update(receipt.agent_transaction_id,
                                                 {"receipt_error": message})
                seal(self.db, "payments", receipt.agent_transaction_id)
        return self.receipt(number)

    # --- attempts ------------------------------------------------------------------
    def add_attempt(self, attempt: Attempt) -> None:
        with self.db.atomic():
            self.db.table("attempts").insert(attempt.__dict__)
            seal(self.db, "attempts", self.db.execute("select last_insert_rowid()").fetchone()[0])

    def attempts(self, agent_transaction_id: int) -> list[Attempt]:
        known = {f.name for f in fields(Attempt)}
        rows = self.db.table("attempts").rows_where("agent_transaction_id = ?",
                                              [agent_transaction_id], order_by="id")
        return [Attempt(**{k: v for k, v in row.items() if k in known}) for row in rows]

    # --- audit of supervisor actions ---------------------------------------------------
    def audit(self, actor: str, role: str, action: str, target: str = "",
              details: dict[str, Any] | None = None) -> AuditEntry:
        """Write one supervisor action (void attempt, reprint, settings change, shift close,
        …) with who did it; sealed in the chain like a payment."""
        with self.db.atomic():
            self.db.table("audit").insert({"at": _now(), "actor": actor, "role": role,
                                           "action": action, "target": target,
                                           "details": _json(details or {})})
            number = self.db.execute("select last_insert_rowid()").fetchone()[0]
            seal(self.db, "audit", number)
        return AuditEntry.from_row(self.db.table("audit").get(number))

    def audit_entries(self, first: date, last: date) -> list[AuditEntry]:
        rows = self.db.query("select * from audit where at >= ? and at < ? order by id desc",
                             day_bounds(first, last))
        return [AuditEntry.from_row(row) for row in rows]

    # --- agent balance as fetched --------------------------------------------------------
    def log_balance(self, balance: Decimal, overdraft: Decimal | None,
                    notification: Decimal | None, currency: str = "") -> None:
        """Keep a fetched agent balance when it differs from the last one kept."""
        values = {"balance": format(balance, "f"),
                  "overdraft": format(overdraft, "f") if overdraft is not None else None,
                  "notification": (format(notification, "f") if notification is not None
                                   else None), "currency": currency}
        with self.db.atomic():
            last = list(self.db.query("select balance, overdraft, notification, currency "
                                      "from balance_log order by id desc limit 1"))
            if last and last[0] == values:
                return
            self.db.table("balance_log").insert({"at": _now(), **values})

    def balance_history(self, day: date) -> list[tuple[str, Decimal]]:
        """The balances fetched on ``day`` (time, balance), oldest first, with the last one
        from before the day first (the day's opening figure) when there is one."""
        bounds = day_bounds(day, day)
        before = list(self.db.query("select at, balance from balance_log where at < ? "
                                    "order by id desc limit 1", bounds[:1]))
        rows = before + list(self.db.query(
            "select at, balance from balance_log where at >= ? and at < ? order by id",
            bounds))
        return [(row["at"], Decimal(row["balance"])) for row in rows]
