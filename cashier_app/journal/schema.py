"""The journal's schema: ordered migrations, the version in ``PRAGMA user_version``.

Each migration runs in one immediate transaction with the version bump (see
:meth:`cashier_app.journal.db.Journal._migrate`), so a crash leaves the old schema or the new,
and two programs starting at once on an old journal do not both migrate it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import sqlite_utils

from cashier_app.core.money import kopecks

from .seal import CHAINED, seal

SCHEMA_VERSION = 9
#: Money columns that also have an integer copy in kopecks (``<name>_kop``): SQLite sums and
#: compares those exactly (its own arithmetic on text would go through floats).
KOPECK_COLUMNS = ("amount_to", "commission", "amount_from")
#: The tables schema 4 sealed (later schemas seal more: see ``CHAINED``).
V4_CHAINED = ("payments", "shifts", "receipts", "attempts", "audit")


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
    sealed = {table: CHAINED[table] for table in V4_CHAINED}
    for table in sealed:
        db.table(table).add_column("chain_hash", str)
    _seal_all(db, sealed)


def _seal_all(db: sqlite_utils.Database, tables: dict[str, str]) -> None:
    """Seal every existing row of ``tables`` as found (an upgrade cannot vouch for the past)."""
    for table, key in tables.items():
        for row in db.query(f"select {key} from {table} order by {key}"):
            seal(db, table, row[key])


def _migration_5(db: sqlite_utils.Database) -> None:
    """Hardening: which running program owns a payment (``owner``, see
    :mod:`cashier_app.journal.leases`), so that one instance never cancels or takes over the
    work of another that is alive; an audit index for the PIN guard; the balance log, which
    the supervisor trusts, is sealed in the chain too."""
    db.table("payments").add_column("owner", str)
    # the PIN guard counts one cashier's failures since their last success: by actor
    db.execute("create index audit_actor on audit (actor, action, id)")
    db.table("balance_log").add_column("chain_hash", str)
    _seal_all(db, {"balance_log": "id"})


def _migration_6(db: sqlite_utils.Database) -> None:
    """Cash from a bill validator: a session per person and purpose (a payment, a test of
    the unit) and every banknote in it, sealed in the chain like a payment. A bill is a row
    from the moment it is sent to the cassette (``stacking``), before the unit confirms it
    (``stacked``), so that a power cut in between leaves a trace to resolve, never a gap.
    ``collection`` is the encashment that took the bill out of the cassette (NULL: still in);
    ``owner`` is the running program taking the cash (as a payment's owner): a restart takes
    over only the sessions of programs that are gone. ``collections`` keeps each
    encashment's count. A voucher paid out in cash by the
    supervisor keeps who and when (``paid_out_*``); it is paid once."""
    db.execute("""create table cash_sessions (
        id integer primary key, opened_at text not null, purpose text not null,
        state text not null, device text, agent_transaction_id integer, voucher text,
        closed_at text, paid_out_at text, paid_out_by text, owner text, chain_hash text)""")
    db.execute("create unique index cash_sessions_voucher on cash_sessions (voucher) "
               "where voucher is not null")
    db.execute("""create table cash_in (
        id integer primary key, session_id integer not null references cash_sessions(id),
        at text not null, bill_type integer not null, amount text not null,
        amount_kop integer not null, currency text not null, state text not null,
        source text not null default 'poll', confirmed_at text, collection integer,
        chain_hash text)""")
    db.execute("create index cash_in_session on cash_in (session_id, id)")
    db.execute("create index cash_in_collection on cash_in (collection, state)")
    # an encashment: the cassette's count by denomination when it was taken out
    db.execute("""create table collections (
        id integer primary key, at text not null, actor text not null, device text,
        bills integer not null, total text not null, total_kop integer not null,
        by_denomination text not null, unconfirmed integer not null default 0,
        chain_hash text)""")


def _migration_7(db: sqlite_utils.Database) -> None:
    """A voucher spent at the terminal keeps the payment it became (``spent_by``); a voucher
    with no banknotes of its own — the change of a terminal payment, or the cash of a payment
    refused after it was sent — holds its sum in ``credit`` (with the payment in
    ``agent_transaction_id``). New columns, NULL in every existing row: the chain's digests
    leave NULLs out, so no row needs sealing again."""
    db.execute("alter table cash_sessions add column spent_by integer")
    db.execute("alter table cash_sessions add column credit text")
    db.execute("alter table cash_sessions add column credit_kop integer")
    db.execute("create index cash_sessions_payment on cash_sessions (agent_transaction_id) "
               "where agent_transaction_id is not null")


def _migration_8(db: sqlite_utils.Database) -> None:
    """E-wallet operations (refill, payment, withdrawal) are payments with method
    ``wallet``: the same row, chain, attempts and lists. What a wallet operation adds:
    its wallet, its kind, the exact request it sends (``wallet_body``), the payment step's
    token, when its money request was first sent, the report entries of its kind that were
    there before it was sent (``wallet_baseline``: none of them can be its proof), the entry
    that proved its outcome (``wallet_match``, so one entry never settles two) and, when nothing
    settles it, why a supervisor must decide (``needs_decision``). ``wallets`` is the
    point's directory of the wallets it opened or looked up (not money: not sealed)."""
    payments = db.table("payments")
    for name, kind in (("wallet_id", str), ("wallet_operation", str), ("wallet_body", bytes),
                       ("wallet_token", str), ("wallet_sent_at", str), ("wallet_baseline", str),
                       ("wallet_match", str),
                       ("needs_decision", str)):
        payments.add_column(name, kind)
    db.execute("create index payments_wallet on payments (wallet_id, created_at) "
               "where wallet_id is not null")
    db.execute("""create table wallets (
        wallet_id text primary key, phone text not null, number text, identification text,
        status text, balance text, opened_at text, opened_by text, seen_at text not null,
        closed_at text)""")
    db.execute("create index wallets_phone on wallets (phone)")


def _migration_9(db: sqlite_utils.Database) -> None:
    """Card payments through the gateway (method ``card``): the payment's creation request as
    sent (``card_body``), the gateway's number for it (``card_reg_pay_num``), its last state,
    its 3-D Secure page, the saved card it was paid with, and what is left of it after
    refunds. Each refund is a row of its own, written before it is sent and sealed in the
    chain; ``card_users`` is the point's directory of the people who saved cards (by phone:
    the gateway's login), not sealed."""
    payments = db.table("payments")
    for name, kind in (("card_body", bytes), ("card_reg_pay_num", str), ("card_state", str),
                       ("card_secure_url", str), ("card_token", str), ("card_user_token", str),
                       ("card_remaining", str)):
        payments.add_column(name, kind)
    payments.add_column("card_remaining_kop", int)
    db.execute("create index payments_card on payments (card_reg_pay_num) "
               "where card_reg_pay_num is not null")
    db.execute("""create table card_refunds (
        id integer primary key, agent_transaction_id integer not null
        references payments(agent_transaction_id), at text not null, actor text not null,
        note text not null, amount text not null, amount_kop integer not null,
        remaining_before text not null, remaining_after text not null, body blob not null,
        state text not null, message text, answer text, settled_at text, chain_hash text)""")
    db.execute("create index card_refunds_payment on card_refunds (agent_transaction_id, id)")
    db.execute("""create table card_users (
        login text primary key, user_token text not null, email text, name text,
        state text, seen_at text not null)""")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1, _migration_2, _migration_3, _migration_4, _migration_5, _migration_6,
    _migration_7, _migration_8, _migration_9]
