"""The journal: every payment is here before anything is sent, and survives a crash.

SQLite through sqlite-utils; WAL and ``synchronous=FULL`` on every connection (WAL alone is
not durable against a power cut); the schema version in ``PRAGMA user_version`` with ordered
migrations. Amounts are stored as exact decimal text, request bodies as the exact bytes sent.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from cashier_app.core.money import kopecks
from cashier_app.core.states import State, ensure_transition

from .connection import check_presence, connect, immediate
from .errors import JournalStorageError, JournalTooNew, translate
from .leases import InstanceLease
from .schema import KOPECK_COLUMNS, MIGRATIONS, SCHEMA_VERSION
from .seal import CHAINED, GENESIS, link_hash, now_text, row_digest, seal

__all__ = ["CHAINED", "GENESIS", "SCHEMA_VERSION", "link_hash", "row_digest", "seal"]
log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

#: Columns holding money (exact decimal text) and JSON, converted in one place each way.
MONEY_COLUMNS = ("amount_to", "commission", "amount_from", "cash_given", "change")
JSON_COLUMNS = ("extras", "check_answer", "pay_answer", "extra_services", "field_titles")
_now = now_text


def day_bounds(first: date, last: date) -> list[str]:
    """Stored times from the start of ``first`` to the end of ``last``, for
    ``at >= ? and at < ?`` (a stored time is ISO text, ``2026-11-23T14:05:07.123``)."""
    return [first.isoformat(), f"{last.isoformat()}T99"]


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
    owner: str | None = None  # the running program that works it (journal.leases)

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


def _expected(current: State, expect: State | tuple[State, ...] | None) -> bool:
    if expect is None:
        return True
    return current in (expect if isinstance(expect, tuple) else (expect,))


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


def _translated(method: F) -> F:
    """Every SQLite error a journal method meets leaves it as a :class:`JournalError` (a
    Russian sentence; the detail goes to the log): callers never see ``sqlite3`` errors."""

    @functools.wraps(method)
    def wrapper(self: Journal, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            log.error("journal %s: %s failed: %s", getattr(self, "path", "?"),
                      method.__name__, error, exc_info=True)
            raise translate(error, getattr(self, "path", "?")) from error

    return wrapper  # type: ignore[return-value]


def _translate_all(cls: type[Journal]) -> type[Journal]:
    for name, value in list(vars(cls).items()):
        if callable(value) and (name == "__init__" or not name.startswith("__")) and (
                name not in _UNTRANSLATED):
            setattr(cls, name, _translated(value))
    return cls


#: helpers that run inside a translated method (wrapping them again would log twice)
_UNTRANSLATED = {"_update", "_add_attempt", "_migrate", "_write", "transaction", "reader"}


@_translate_all
class Journal:
    """The payment journal. ``lease`` is the running program's claim (see
    :mod:`cashier_app.journal.leases`): the payments it creates carry its owner name, and it
    tells whether another payment's owner is alive; ``ids_issued`` — the last
    agentTransactionId this point issued — makes a missing or emptied journal an error
    instead of a fresh start."""

    def __init__(self, path: Path, *, lease: InstanceLease | None = None,
                 ids_issued: int = 0) -> None:
        self.path = path
        self.lease = lease
        self.owner = lease.owner if lease is not None else None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise JournalStorageError(f"Каталог журнала {path.parent} не создаётся: "
                                      f"{error.strerror}") from None
        check_presence(path, ids_issued=ids_issued)
        conn = connect(path)
        self.db = sqlite_utils.Database(conn)
        try:
            self._migrate()
        except BaseException:
            conn.close()
            raise

    @classmethod
    def reader(cls, path: Path) -> Journal:
        """A read-only second connection to an existing journal, usable from another thread
        (the supervisor's totals, the export and the integrity check run off the UI
        thread); no migration."""
        journal = cls.__new__(cls)
        journal.path = path
        journal.lease, journal.owner = None, None
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
        for number in range(SCHEMA_VERSION):
            with self._write():  # the version is read under the write lock: one migrates
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise JournalTooNew(f"Журнал {self.path} записан более новой версией "
                                        f"программы (схема {version}): обновите программу")
                if version > number:
                    continue
                MIGRATIONS[number](self.db)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def _write(self) -> AbstractContextManager[None]:
        """One immediate write transaction (see :func:`connection.immediate`)."""
        return immediate(self.db.conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Reads and writes that must see no other program's write in between (a shift's
        close computes its totals and closes in one)."""
        try:
            with self._write():
                yield
        except sqlite3.Error as error:
            log.error("journal %s: transaction failed: %s", self.path, error, exc_info=True)
            raise translate(error, self.path) from error

    # --- payments ------------------------------------------------------------------
    def create(self, **values: Any) -> PaymentRecord:
        now = _now()
        row = _to_columns({"extras": {}, **values})
        row.update(state=str(State.NEW), created_at=now, updated_at=now, owner=self.owner)
        with self._write():
            self.db.table("payments").insert(row)
            written = seal(self.db, "payments", values["agent_transaction_id"])
        return PaymentRecord.from_row(written)

    def get(self, agent_transaction_id: int) -> PaymentRecord:
        return PaymentRecord.from_row(self.db.table("payments").get(agent_transaction_id))

    def transition(self, agent_transaction_id: int, target: State, *,
                   expect: State | tuple[State, ...] | None = None,
                   attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        """Move a payment to ``target`` (checked against the state machine) with new values,
        in one transaction, together with the ``attempt`` that led there (one fsync, and no
        outcome without its attempt or attempt without its outcome).

        ``expect``: write only if the payment is still in that state (another program may have
        settled it meanwhile); otherwise the attempt alone is kept and the payment is returned
        as it is."""
        with self._write():
            if attempt is not None:
                self._add_attempt(attempt)
            current = State(self.db.table("payments").get(agent_transaction_id)["state"])
            if not _expected(current, expect):
                return self.get(agent_transaction_id)
            if current is not target:
                ensure_transition(current, target)
            written = self._update(agent_transaction_id, state=str(target), **values)
        return PaymentRecord.from_row(written)

    def update(self, agent_transaction_id: int, *,
               expect: State | tuple[State, ...] | None = None,
               attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        """New values without a change of state (same ``expect`` and ``attempt`` as
        :meth:`transition`)."""
        with self._write():
            if attempt is not None:
                self._add_attempt(attempt)
            if expect is not None:
                current = State(self.db.table("payments").get(agent_transaction_id)["state"])
                if not _expected(current, expect):
                    return self.get(agent_transaction_id)
            written = self._update(agent_transaction_id, **values)
        return PaymentRecord.from_row(written)

    def claim(self, agent_transaction_id: int, previous: str | None) -> PaymentRecord | None:
        """Take over a payment whose owner ``previous`` is gone: compare-and-set, so of two
        programs that both found it orphaned only one gets it. None: somebody else did."""
        with self._write():
            row = self.db.table("payments").get(agent_transaction_id)
            if row.get("owner") != previous:
                return None
            written = self._update(agent_transaction_id, owner=self.owner)
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
        with self._write():
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
        with self._write():
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
        with self._write():
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
        with self._write():
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
        with self._write():
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
        with self._write():
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
        with self._write():
            self._add_attempt(attempt)

    def _add_attempt(self, attempt: Attempt) -> None:
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
        with self._write():
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
        with self._write():
            last = list(self.db.query("select balance, overdraft, notification, currency "
                                      "from balance_log order by id desc limit 1"))
            if last and last[0] == values:
                return
            self.db.table("balance_log").insert({"at": _now(), **values})
            seal(self.db, "balance_log",
                 self.db.execute("select last_insert_rowid()").fetchone()[0])

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
