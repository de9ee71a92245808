"""The writer's side of the hash chain: every write the program makes to a chained table
appends a link to ``ledger`` with the row's digest, chained to the link before it (the
checker's side is :mod:`cashier_app.journal.chain`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

import sqlite_utils

#: Tables whose every row is sealed in the hash chain (``ledger``), with their keys.
CHAINED = {"payments": "agent_transaction_id", "shifts": "id", "receipts": "number",
           "attempts": "id", "audit": "id", "balance_log": "id", "cash_sessions": "id",
           "cash_in": "id", "collections": "id", "card_refunds": "id"}
GENESIS = "0" * 64


def now_text() -> str:
    """A stored time: local ISO text with milliseconds (``2026-11-23T14:05:07.123``)."""
    return datetime.now().isoformat(timespec="milliseconds")


def row_digest(row: Mapping[str, Any]) -> str:
    """SHA-256 of a row's content as stored (bytes as hex, NULLs left out, keys sorted);
    its own ``chain_hash`` is not part of it."""
    clean = {name: value.hex() if isinstance(value, bytes) else value
             for name, value in row.items() if name != "chain_hash" and value is not None}
    text = json.dumps(clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RowDigest:
    """:func:`row_digest` for rows of one shape, many times over: the same text hashed, byte
    for byte (a test holds them equal), without building a dict and sorting its keys per row.
    The column order is sorted once; values are written the way ``json.dumps`` writes the
    types SQLite returns (text, integer, bytes as hex; anything else goes through it)."""

    def __init__(self, names: Sequence[str]) -> None:
        ordered = sorted((name, index) for index, name in enumerate(names)
                         if name != "chain_hash")
        self._fields = [(index, encode_basestring(name) + ":") for name, index in ordered]

    def __call__(self, values: Sequence[Any]) -> str:
        parts = []
        for index, prefix in self._fields:
            value = values[index]
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                parts.append(prefix + encode_basestring(value))
            elif kind is int:
                parts.append(prefix + int.__repr__(value))
            elif kind is bytes:
                parts.append(prefix + encode_basestring(value.hex()))
            else:
                parts.append(prefix + json.dumps(value, ensure_ascii=False))
        text = "{" + ",".join(parts) + "}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(prev: str, seq: int, at: str, table: str, key: str, digest: str) -> str:
    return hashlib.sha256(f"{prev}|{seq}|{at}|{table}|{key}|{digest}".encode()).hexdigest()


def seal(db: sqlite_utils.Database, table: str, key: Any) -> dict[str, Any]:
    """Append the row's present content to the chain and mark the row with the link's hash.
    Call inside the (immediate) transaction that wrote the row: it holds the write lock, so
    the head read here is the head. Returns the row as it now is (no need to read it again)."""
    key_column = CHAINED[table]
    row = next(iter(db.query(f"select * from {table} where {key_column} = ?", [key])))
    digest = row_digest(row)
    head = db.execute("select seq, hash from ledger order by seq desc limit 1").fetchone()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = now_text()
    link = link_hash(prev, seq, at, table, str(key), digest)
    db.execute("insert into ledger (seq, at, tbl, key, digest, prev, hash) "
               "values (?, ?, ?, ?, ?, ?, ?)", [seq, at, table, str(key), digest, prev, link])
    db.execute(f"update {table} set chain_hash = ? where {key_column} = ?", [link, key])
    return {**row, "chain_hash": link}


class Sealer:
    """Sealed writes of the hot tables (payments, attempts) in as few statements as SQLite
    allows: the row's digest is computed from the values being written — not read back — and
    the row is written together with its ``chain_hash``; the link goes in the same
    transaction. Four statements for a state change (read the row, read the chain's head,
    write the row, append the link) instead of a dozen through sqlite-utils' introspection.

    The digest must be of the row *as SQLite stores it*, which is what :mod:`.chain` checks:
    values are brought to their column's storage form first (a bool is an integer, an
    integer in a TEXT column is text), and an inserted row gets its columns' defaults."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._columns: dict[str, dict[str, tuple[str, Any]]] = {}
        self._digests: dict[tuple[str, ...], RowDigest] = {}
        self._names: dict[str, tuple[str, ...]] = {}  # a table's column names, as read

    def columns(self, table: str) -> dict[str, tuple[str, Any]]:
        """name → (declared type, default value) of ``table``, read once."""
        known = self._columns.get(table)
        if known is None:
            known = {name: (kind.upper(), _literal(default))
                     for _, name, kind, _, default, _ in
                     self.conn.execute(f"PRAGMA table_info({table})")}
            self._columns[table] = known
        return known

    def row(self, table: str, key: Any) -> dict[str, Any] | None:
        cursor = self.conn.execute(f"select * from {table} where {CHAINED[table]} = ?", [key])
        values = cursor.fetchone()
        if values is None:
            return None
        names = self._names.get(table)
        if names is None or len(names) != len(values):
            names = self._names[table] = tuple(column[0] for column in cursor.description)
        return dict(zip(names, values, strict=True))

    def insert(self, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Insert a new row (its key given, or the next integer key), sealed."""
        columns = self.columns(table)
        key_column = CHAINED[table]
        row = {name: default for name, (_, default) in columns.items()}  # every column
        row.update(self._stored(table, values))
        if row.get(key_column) is None:
            last = self.conn.execute(f"select max({key_column}) from {table}").fetchone()[0]
            row[key_column] = int(last or 0) + 1
        row["chain_hash"] = self._link(table, row[key_column], row)
        names = [name for name in row if name in columns]
        self.conn.execute(f"insert into {table} ({', '.join(names)}) values "
                          f"({', '.join('?' for _ in names)})", [row[name] for name in names])
        return row

    def update(self, table: str, current: Mapping[str, Any], changes: Mapping[str, Any]
               ) -> dict[str, Any]:
        """Write ``changes`` over ``current`` (the row as read in this transaction), sealed.
        Only the columns that change are set (a trigger on a column fires only for it)."""
        changed = {name: value for name, value in self._stored(table, changes).items()
                   if current.get(name) != value or name not in current}
        key = current[CHAINED[table]]
        row = {**current, **changed}
        row["chain_hash"] = self._link(table, key, row)
        changed["chain_hash"] = row["chain_hash"]
        self.conn.execute(
            f"update {table} set {', '.join(f'{name} = ?' for name in changed)} "
            f"where {CHAINED[table]} = ?", [*changed.values(), key])
        return row

    def _stored(self, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
        columns = self.columns(table)
        stored = {}
        for name, value in values.items():
            kind = columns[name][0] if name in columns else ""
            if isinstance(value, bool):
                value = int(value)
            if kind == "TEXT" and isinstance(value, int):
                value = str(value)
            elif kind == "INTEGER" and isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            stored[name] = value
        return stored

    def _link(self, table: str, key: Any, row: Mapping[str, Any]) -> str:
        names = tuple(row)
        digester = self._digests.get(names)
        if digester is None:
            digester = self._digests[names] = RowDigest(names)
        digest = digester(list(row.values()))
        head = self.conn.execute("select seq, hash from ledger order by seq desc limit 1"
                                 ).fetchone()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        at = now_text()
        link = link_hash(prev, seq, at, table, str(key), digest)
        self.conn.execute("insert into ledger (seq, at, tbl, key, digest, prev, hash) "
                          "values (?, ?, ?, ?, ?, ?, ?)",
                          [seq, at, table, str(key), digest, prev, link])
        return link


def _literal(default: str | None) -> Any:
    """A column default as PRAGMA table_info gives it (SQL text) → the stored value."""
    if default is None:
        return None
    if default.startswith("'") and default.endswith("'"):
        return default[1:-1].replace("''", "'")
    try:
        return int(default)
    except ValueError:
        return default
