"""The journal: every payment is here before anything is sent, and survives a crash.

SQLite through sqlite-utils; WAL and ``synchronous=FULL`` on every connection (WAL alone is
not durable against a power cut); the schema version in ``PRAGMA user_version`` with ordered
migrations. Amounts are stored as exact decimal text, request bodies as the exact bytes sent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils

from cashier_app.core.states import State, ensure_transition

SCHEMA_VERSION = 3
#: Columns holding money (exact decimal text) and JSON, converted in one place each way.
MONEY_COLUMNS = ("amount_to", "commission", "amount_from", "cash_given", "change")
JSON_COLUMNS = ("extras", "check_answer", "pay_answer", "extra_services", "field_titles")


def _now() -> str:
    return datetime.now().isoformat(timespec="milliseconds")


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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2,
                                                              _migration_3]
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


@dataclass(frozen=True)
class Shift:
    id: int
    cashier: str
    opened_at: str
    closed_at: str | None = None


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
        values = dict(row)
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

    def close(self) -> None:
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
        return self.get(values["agent_transaction_id"])

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
            self._update(agent_transaction_id, state=str(target), **values)
        return self.get(agent_transaction_id)

    def update(self, agent_transaction_id: int, **values: Any) -> PaymentRecord:
        with self.db.atomic():
            self._update(agent_transaction_id, **values)
        return self.get(agent_transaction_id)

    def _update(self, agent_transaction_id: int, **values: Any) -> None:
        row = _to_columns(values)
        row["updated_at"] = _now()
        self.db.table("payments").update(agent_transaction_id, row)

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

    def cashier_day(self, day: date, cashier: str) -> list[PaymentRecord]:
        """One cashier's payments of a day, newest first (the cashier's «Сегодня» list)."""
        rows = self.db.query("select * from payments where created_at >= ? and created_at < ? "
                             "and cashier = ? order by created_at desc, agent_transaction_id "
                             "desc", [day.isoformat(), f"{day.isoformat()}T99", cashier])
        return [PaymentRecord.from_row(row) for row in rows]

    # --- shifts --------------------------------------------------------------------
    def open_shift_now(self) -> Shift | None:
        """The point's open shift (one cash drawer: at most one shift is open)."""
        rows = list(self.db.query(
            "select * from shifts where closed_at is null order by id desc limit 1"))
        return Shift(**rows[0]) if rows else None

    def open_shift(self, cashier: str) -> Shift:
        with self.db.atomic():
            current = self.open_shift_now()
            if current is not None:
                if current.cashier == cashier:
                    return current
                raise ShiftError(f"Открыта смена кассира {current.cashier} с "
                                 f"{current.opened_at[:16].replace('T', ' ')}: сначала "
                                 "закройте её")
            self.db.table("shifts").insert({"cashier": cashier, "opened_at": _now()})
            row_id = self.db.execute("select last_insert_rowid()").fetchone()[0]
        return Shift(**self.db.table("shifts").get(row_id))

    def close_shift(self, shift_id: int) -> Shift:
        with self.db.atomic():
            row = self.db.table("shifts").get(shift_id)
            if row["closed_at"] is None:
                self.db.table("shifts").update(shift_id, {"closed_at": _now()})
        return Shift(**self.db.table("shifts").get(shift_id))

    def shift(self, shift_id: int) -> Shift:
        return Shift(**self.db.table("shifts").get(shift_id))

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
            if receipt.agent_transaction_id is not None:
                self.db.table("payments").update(receipt.agent_transaction_id, {
                    "receipt_printed_at": receipt.printed_at or now, "receipt_error": None})
        return self.receipt(number)

    def receipt_failed(self, number: int, message: str) -> StoredReceipt:
        """A failed print: recorded on the receipt and its payment; the payment's state is
        not touched."""
        now = _now()
        with self.db.atomic():
            receipt = self.receipt(number)
            self.db.table("receipts").update(number, {"last_error": message,
                                                      "last_attempt_at": now})
            if receipt.agent_transaction_id is not None and receipt.printed_at is None:
                self.db.table("payments").update(receipt.agent_transaction_id,
                                                 {"receipt_error": message})
        return self.receipt(number)

    # --- attempts ------------------------------------------------------------------
    def add_attempt(self, attempt: Attempt) -> None:
        with self.db.atomic():
            self.db.table("attempts").insert(attempt.__dict__)

    def attempts(self, agent_transaction_id: int) -> list[Attempt]:
        rows = self.db.table("attempts").rows_where("agent_transaction_id = ?",
                                              [agent_transaction_id], order_by="id")
        return [Attempt(**{k: v for k, v in row.items() if k != "id"}) for row in rows]
