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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .db import CHAINED, GENESIS, Journal, link_hash
from .seal import RowDigest

log = logging.getLogger(__name__)

#: What a row of each chained table is, for the supervisor.
TABLE_TITLES = {"payments": "Платёж", "shifts": "Смена", "receipts": "Чек",
                "attempts": "Попытка", "audit": "Запись аудита",
                "balance_log": "Баланс агента", "cash_sessions": "Внесение наличных",
                "cash_in": "Купюра", "collections": "Инкассация",
                "card_refunds": "Возврат на карту"}


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


#: ``progress(checked, expected)``: links and rows checked so far, of about how many.
Progress = Callable[[int, int], None]

#: How often (in links and rows) ``progress`` is told.
PROGRESS_STEP = 10_000


def verify(journal: Journal, progress: Progress | None = None) -> Verification:
    """SQLite's integrity check, the chain, every chained table against its last links, and
    the per-day totals. A file too damaged to read is a problem found, not an error.

    The integrity check is SQLite's own C code on a connection of its own: it runs in a
    thread beside the walk over the chain and the rows (which is Python, hashing), so the
    two take the time of the longer one instead of their sum."""
    result = Verification()
    counter = _Counter(journal, progress)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="integrity") as pool:
        file_lines = pool.submit(_integrity_lines, journal.path)
        try:
            _check_chain(journal, result, counter)
            for table in CHAINED:
                _check_rows(journal, table, result, counter)
            _check_day_totals(journal, result)
            counter.finish()
        except sqlite3.DatabaseError as error:
            log.error("verify: journal %s unreadable: %s", journal.path, error)
            result.problems.append(Problem("journal", "", "damaged",
                                           f"Файл журнала не читается дальше: {error}"))
        try:
            lines = file_lines.result()
        except sqlite3.DatabaseError as error:
            lines = [str(error)]
    if lines != ["ok"]:
        log.error("verify: integrity_check of %s: %s", journal.path, "; ".join(lines))
        result.problems.insert(0, Problem(
            "journal", "", "damaged",
            f"Файл журнала повреждён (проверка SQLite нашла нарушений: {len(lines)}; первое: "
            f"{lines[0]})"))
    return result


def _integrity_lines(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` on a read-only connection of its own (this runs in a
    worker thread; SQLite connections are not shared between threads)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                 check_same_thread=False)
    try:
        return [str(row[0]) for row in connection.execute("PRAGMA integrity_check(50)")]
    finally:
        connection.close()


class _Counter:
    """Counts what has been checked and tells ``progress`` every so often."""

    def __init__(self, journal: Journal, progress: Progress | None) -> None:
        self.progress = progress
        self.done = 0
        self.expected = 0
        if progress is not None:
            db = journal.db
            self.expected = int(db.execute("select count(*) from ledger").fetchone()[0])
            for table, key in CHAINED.items():
                self.expected += int(db.execute(f"select count({key}) from {table}"
                                                ).fetchone()[0])
            progress(0, self.expected)

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_STEP == 0:
            self.progress(self.done, max(self.expected, self.done))

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(max(self.expected, self.done), max(self.expected, self.done))


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


def _check_chain(journal: Journal, result: Verification, counter: _Counter) -> None:
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
        counter.tick()


def _latest_links(journal: Journal, table: str) -> Iterator[tuple[int, str, str]]:
    rows = journal.db.execute(
        "select cast(l.key as integer), l.digest, l.hash from (select key, max(seq) as seq "
        "from ledger where tbl = ? group by key) as last join ledger as l on l.seq = last.seq "
        "order by cast(l.key as integer)", [table])
    yield from rows


def _check_rows(journal: Journal, table: str, result: Verification,
                 counter: _Counter) -> None:
    """A merge of the table (by key) with its last links (by key)."""
    title = TABLE_TITLES[table]
    links = _latest_links(journal, table)
    link = next(links, None)
    cursor = journal.db.execute(f"select * from {table} order by {CHAINED[table]}")
    names = [column[0] for column in cursor.description]
    key_at, hash_at = names.index(CHAINED[table]), names.index("chain_hash")
    digest = RowDigest(names)
    for values in cursor:
        key = int(values[key_at])
        while link is not None and link[0] < key:
            result.problems.append(Problem(table, str(link[0]), "deleted",
                                           f"{title} {link[0]}: запись удалена вне программы"))
            link = next(links, None)
        if link is None or link[0] != key:
            result.problems.append(Problem(table, str(key), "added",
                                           f"{title} {key}: запись добавлена вне программы"))
        else:
            if values[hash_at] != link[2] or digest(values) != link[1]:
                result.problems.append(Problem(
                    table, str(key), "edited",
                    f"{title} {key}: запись изменена вне программы"
                    f"{_what(table, names, values)}"))
            link = next(links, None)
        result.rows += 1
        counter.tick()
    while link is not None:
        result.problems.append(Problem(table, str(link[0]), "deleted",
                                       f"{title} {link[0]}: запись удалена вне программы"))
        link = next(links, None)


def _what(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """A hint of which row it is now (the supervisor compares it with the receipt)."""
    if table == "payments":
        row = dict(zip(names, values, strict=True))
        return (f" (сейчас: счёт {row.get('account')}, к зачислению {row.get('amount_to')}, "
                f"состояние {row.get('state')})")
    return ""
