"""Tamper evidence: check the journal's hash chain and every sealed row against it.

Every write the program makes to a chained table (payments, shifts, receipts, attempts,
audit) appends a link to ``ledger``: the SHA-256 of the row as written, chained to the link
before it (see :func:`cashier_app.journal.db.seal`). So:

* a link edited, or deleted from the middle, breaks the chain;
* a row edited outside the program no longer matches its last link;
* a row deleted outside the program leaves links with no row; a row inserted has none.

Two more checks go with it: SQLite's own ``PRAGMA integrity_check`` (a page of garbage in
the file), and the per-day totals the supervisor's view reads (``day_totals``, kept by
triggers, outside the chain) recomputed from the payments and compared — an edited total
shows as a difference even though no sealed row changed.

What this cannot see: somebody who rewrites the whole chain from the edit on with this code
(there is no secret in the file), or deletes rows *and* their links at the very end. It is
evidence against an edit with the sqlite3 shell, not a cryptographic seal. No Qt here.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .db import CHAINED, GENESIS, Journal, link_hash, row_digest

log = logging.getLogger(__name__)

#: What a row of each chained table is, for the supervisor.
TABLE_TITLES = {"payments": "Платёж", "shifts": "Смена", "receipts": "Чек",
                "attempts": "Попытка", "audit": "Запись аудита",
                "balance_log": "Баланс агента"}


@dataclass(frozen=True)
class Problem:
    table: str  # a chained table, or "ledger" for the chain itself
    key: str
    kind: str  # edited | deleted | added | chain
    message: str  # Russian, for the supervisor


@dataclass
class Verification:
    links: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (f"Журнал цел: проверено записей {self.rows}, звеньев цепочки "
                    f"{self.links}; правок и удалений вне программы не найдено")
        return (f"НАРУШЕНА ЦЕЛОСТНОСТЬ ЖУРНАЛА: найдено нарушений {len(self.problems)} "
                f"(проверено записей {self.rows}, звеньев {self.links})")


def verify(journal: Journal, progress: Callable[[int], None] | None = None) -> Verification:
    """SQLite's integrity check, then the chain, every chained table against its last links,
    and the per-day totals; ``progress(n)`` is told how many links and rows have been
    checked, now and then. A file too damaged to read is a problem found, not an error."""
    result = Verification()
    try:
        if not _check_file(journal, result):
            return result
        _check_chain(journal, result, progress)
        for table in CHAINED:
            _check_rows(journal, table, result, progress)
        _check_day_totals(journal, result)
    except sqlite3.DatabaseError as error:
        log.error("verify: journal %s unreadable: %s", journal.path, error)
        result.problems.append(Problem("journal", "", "damaged",
                                       f"Файл журнала не читается дальше: {error}"))
    return result


def _check_file(journal: Journal, result: Verification) -> bool:
    """``PRAGMA integrity_check``: False when the file is too damaged to walk further."""
    lines = [row[0] for row in journal.db.execute("PRAGMA integrity_check(50)")]
    if lines == ["ok"]:
        return True
    log.error("verify: integrity_check of %s: %s", journal.path, "; ".join(map(str, lines)))
    result.problems.append(Problem(
        "journal", "", "damaged",
        f"Файл журнала повреждён (проверка SQLite нашла нарушений: {len(lines)}; первое: "
        f"{lines[0]})"))
    return True  # the chain may still be readable: say what else is wrong


def _check_day_totals(journal: Journal, result: Verification) -> None:
    """The stored per-day totals against the same totals computed from the payments."""
    computed = {tuple(row[:3]): tuple(row[3:]) for row in journal.db.execute(
        "select substr(created_at, 1, 10), state, service_id, count(*), "
        "sum(coalesce(amount_to_kop, 0)), sum(coalesce(amount_from_kop, 0)), "
        "sum(coalesce(commission_kop, 0)) from payments group by 1, 2, 3")}
    stored = {tuple(row[:3]): tuple(row[3:]) for row in journal.db.execute(
        "select day, state, service_id, count, amount_to_kop, amount_from_kop, "
        "commission_kop from day_totals where count != 0 or amount_to_kop != 0 "
        "or amount_from_kop != 0 or commission_kop != 0")}
    for key in sorted(set(computed) | set(stored)):
        if computed.get(key) != stored.get(key):
            day, state, service = key
            result.problems.append(Problem(
                "day_totals", "|".join(key), "edited",
                f"Итоги дня {day} ({service}, {state}) не сходятся с платежами: в итогах "
                f"{_totals_text(stored.get(key))}, по платежам {_totals_text(computed.get(key))}"
                " — итоги изменены вне программы"))


def _totals_text(values: tuple[Any, ...] | None) -> str:
    if values is None:
        return "нет записи"
    count, amount_to = values[0], values[1]
    return f"{count} шт. на {amount_to // 100}.{amount_to % 100:02d}"


def _check_chain(journal: Journal, result: Verification,
                 progress: Callable[[int], None] | None) -> None:
    prev, expected = GENESIS, 1
    rows = journal.db.execute("select seq, at, tbl, key, digest, prev, hash from ledger "
                              "order by seq")
    for seq, at, table, key, digest, stored_prev, stored_hash in rows:
        if seq != expected:
            result.problems.append(Problem(
                "ledger", str(seq), "chain",
                f"Цепочка: удалены звенья №{expected}–{seq - 1} (записи журнала стёрты "
                "вне программы)"))
        elif stored_prev != prev or link_hash(stored_prev, seq, at, table, key,
                                              digest) != stored_hash:
            result.problems.append(Problem(
                "ledger", str(seq), "chain",
                f"Цепочка: звено №{seq} ({TABLE_TITLES.get(table, table)} {key}) изменено "
                "вне программы"))
        prev, expected = stored_hash, seq + 1
        result.links += 1
        if progress is not None and result.links % 20000 == 0:
            progress(result.links + result.rows)


def _latest_links(journal: Journal, table: str) -> Iterator[tuple[int, str, str]]:
    rows = journal.db.execute(
        "select cast(l.key as integer), l.digest, l.hash from (select key, max(seq) as seq "
        "from ledger where tbl = ? group by key) as last join ledger as l on l.seq = last.seq "
        "order by cast(l.key as integer)", [table])
    yield from rows


def _rows(journal: Journal, table: str) -> Iterator[dict[str, Any]]:
    key = CHAINED[table]
    cursor = journal.db.execute(f"select * from {table} order by {key}")
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _check_rows(journal: Journal, table: str, result: Verification,
                progress: Callable[[int], None] | None) -> None:
    """A merge of the table (by key) with its last links (by key)."""
    key_column = CHAINED[table]
    title = TABLE_TITLES[table]
    links = _latest_links(journal, table)
    link = next(links, None)
    for row in _rows(journal, table):
        key = int(row[key_column])
        while link is not None and link[0] < key:
            result.problems.append(Problem(table, str(link[0]), "deleted",
                                           f"{title} {link[0]}: запись удалена вне программы"))
            link = next(links, None)
        if link is None or link[0] != key:
            result.problems.append(Problem(table, str(key), "added",
                                           f"{title} {key}: запись добавлена вне программы"))
        else:
            if row_digest(row) != link[1] or row.get("chain_hash") != link[2]:
                result.problems.append(Problem(
                    table, str(key), "edited",
                    f"{title} {key}: запись изменена вне программы{_what(table, row)}"))
            link = next(links, None)
        result.rows += 1
        if progress is not None and result.rows % 20000 == 0:
            progress(result.links + result.rows)
    while link is not None:
        result.problems.append(Problem(table, str(link[0]), "deleted",
                                       f"{title} {link[0]}: запись удалена вне программы"))
        link = next(links, None)


def _what(table: str, row: dict[str, Any]) -> str:
    """A hint of which row it is now (the supervisor compares it with the receipt)."""
    if table == "payments":
        return (f" (сейчас: счёт {row.get('account')}, к зачислению {row.get('amount_to')}, "
                f"состояние {row.get('state')})")
    return ""
