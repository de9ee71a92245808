"""The journal's rows as typed, immutable records, and the one place where Python values
become column values (money as exact decimal text plus kopecks, structures as JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from cashier_app.core.answers import PaymentAnswer
from cashier_app.core.money import kopecks
from cashier_app.core.states import State
from cashier_app.core.wire import decode_body, encode_body
from cashier_app.errors import UserFacingError

from .schema import KOPECK_COLUMNS

#: Columns holding money (exact decimal text) and JSON, converted in one place each way.
MONEY_COLUMNS = ("amount_to", "commission", "amount_from", "cash_given", "change",
                 "card_remaining")
JSON_COLUMNS = ("extras", "check_answer", "pay_answer", "extra_services", "field_titles",
                "wallet_baseline")
#: The center's answers: stored with their numbers as numbers, exactly as they came
#: (``509455.9000`` stays that), and read back as exact Decimals — never floats or strings.
ANSWER_COLUMNS = ("check_answer", "pay_answer")


def day_bounds(first: date, last: date) -> list[str]:
    """Stored times from the start of ``first`` to the end of ``last``, for
    ``at >= ? and at < ?`` (a stored time is ISO text, ``2026-11-23T14:05:07.123``)."""
    return [first.isoformat(), f"{last.isoformat()}T99"]


CASH, SBP, WALLET, CARD = "cash", "sbp", "wallet", "card"  # payments.payment_method


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
    payment_method: str = "cash"  # cash | sbp | wallet
    qr_mode: str | None = None  # qr | cash_link
    qr_body: bytes | None = None  # create/activate as sent (a repeat sends these bytes)
    qr_id: str | None = None
    qr_payload: str | None = None
    qr_expires_at: str | None = None
    qr_status: str | None = None  # the center's last word: CREATED, PAID, EXPIRED, …
    qr_failures: int = 0  # status requests in a row without an answer
    cancel_requested_at: str | None = None
    owner: str | None = None  # the running program that works it (journal.leases)
    wallet_id: str | None = None  # an e-wallet operation's wallet (method ``wallet``)
    wallet_operation: str | None = None  # refill | payment | withdrawal
    wallet_body: bytes | None = None  # its money request as sent (a repeat sends these)
    wallet_token: str | None = None  # the payment step's token (from initialization)
    wallet_sent_at: str | None = None  # when the money request was first sent
    wallet_baseline: list[str] | None = None  # report entries there before it was sent
    wallet_match: str | None = None  # the wallet report entry that proved the outcome
    needs_decision: str | None = None  # why nothing can settle it: a supervisor decides
    card_body: bytes | None = None  # the gateway payment's creation request as sent
    card_reg_pay_num: str | None = None  # the gateway's number for it
    card_state: str | None = None  # the gateway's last word: created, holded, payed, …
    card_secure_url: str | None = None  # its 3-D Secure page, while it waits there
    card_token: str | None = None  # the saved card it was paid with (a recurrent payment)
    card_user_token: str | None = None
    card_remaining: Decimal | None = None  # what refunds left of it (None: none yet)

    @cached_property
    def check(self) -> PaymentAnswer:
        """The stored check answer, decoded once (contracts, invoice lines, fixed amount).
        An answer stored by an older version, with its amounts as strings, reads the same."""
        return PaymentAnswer.parse(self.check_answer or {"result": 0})

    @property
    def by_qr(self) -> bool:
        return self.payment_method == SBP

    @property
    def cash_accepted(self) -> bool:
        """From ``paying`` on the cash is in the drawer (a failed payment's is given back);
        a QR СБП payment or an e-wallet operation never puts cash in the drawer."""
        return self.state in (State.PAYING, State.PAID) and self.payment_method == CASH

    @property
    def by_wallet(self) -> bool:
        return self.payment_method == WALLET

    @property
    def by_card(self) -> bool:
        return self.payment_method == CARD

    @property
    def accepted(self) -> bool:
        """Money taken from the person (cash in the drawer, or paid by QR), or on its way."""
        return self.state in (State.PAYING, State.PAID)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PaymentRecord:
        """The record of a row as stored (every state change reads one: kept lean)."""
        values = {name: value for name, value in row.items() if name in _PAYMENT_FIELDS}
        for name in MONEY_COLUMNS:
            value = values.get(name)
            if value is not None:
                values[name] = Decimal(value)
        for name in JSON_COLUMNS:
            text = values.get(name)
            if text:
                values[name] = (decode_body if name in ANSWER_COLUMNS else json.loads)(text)
            else:
                values[name] = None
        values["extras"] = values["extras"] or {}
        values["state"] = State(values["state"])
        values["seen_non_final"] = bool(values.get("seen_non_final"))
        values["payment_method"] = values.get("payment_method") or CASH
        values["qr_failures"] = int(values.get("qr_failures") or 0)
        return cls(**values)


_PAYMENT_FIELDS = frozenset(f.name for f in fields(PaymentRecord))


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


class ShiftError(UserFacingError, RuntimeError):
    """A shift cannot be opened or closed as asked; ``str()`` is Russian."""


def expected(current: State, expect: State | tuple[State, ...] | None) -> bool:
    if expect is None:
        return True
    return current in (expect if isinstance(expect, tuple) else (expect,))


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def to_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Money as exact decimal text, structures as JSON text; the rest as it is."""
    row = dict(values)
    for name in (*KOPECK_COLUMNS, "card_remaining"):  # the latter added by schema 9
        if name in row:
            row[f"{name}_kop"] = kopecks(row[name]) if row[name] is not None else None
    for name in MONEY_COLUMNS:
        if isinstance(row.get(name), Decimal):
            row[name] = format(row[name], "f")
    for name in JSON_COLUMNS:
        if row.get(name) is not None and not isinstance(row[name], str):
            row[name] = (encode_body(row[name], strict_amounts=False).decode("utf-8")
                         if name in ANSWER_COLUMNS else to_json(row[name]))
    return row
