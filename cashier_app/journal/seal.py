"""The writer's side of the hash chain: every write the program makes to a chained table
appends a link to ``ledger`` with the row's digest, chained to the link before it (the
checker's side is :mod:`cashier_app.journal.chain`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlite_utils

#: Tables whose every row is sealed in the hash chain (``ledger``), with their keys.
CHAINED = {"payments": "agent_transaction_id", "shifts": "id", "receipts": "number",
           "attempts": "id", "audit": "id", "balance_log": "id"}
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
