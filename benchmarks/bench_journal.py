"""The supervisor's journal view over a year of history: 300,000 payments.

Run: ``./scripts/bench`` (all benchmarks) or ``python -m benchmarks.bench_journal
--payments 300000``. Target: opening, filtering and the totals of the view within a
frame or two (16–33 ms), with resident memory reported.

The journal is generated straight into SQLite (one transaction, sealed in the hash chain the
way the program seals rows), then:

* open — the view built on it (service and cashier lists, today's rows and count);
* a filter — the period set to the whole year, or a state, a service, a search, an amount
  range: the count and the first screen of rows painted;
* totals — by state and by service over what the filter shows (run in a worker thread by
  the window; timed here as the query itself);
* the last page — scrolling to the end of the year;
* verify — the integrity check over every row and link (``cashier-app journal verify``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SERVICES = [(f"P{1000 + n}", name) for n, name in enumerate(
    ["Билайн", "МТС", "МегаФон", "Tele2", "Ростелеком", "Мосэнергосбыт", "Мосводоканал",
     "ЕРЦ «Городские системы»", "Интернет «Сеть-Дом»", "Банк «Пример»", "Газпром межрегионгаз",
     "Детский сад №5", "Школа №1", "Охрана «Щит»", "Домофон", "Штрафы ГИБДД", "Налоги ФНС",
     "Кредит «Деньги»", "Тепло", "Каталог «Товары»"])]
CASHIERS = ["Иванова Анна", "Петров Олег", "Сидорова Мария", "Кузнецов Иван", "Смирнова Ольга",
            "Попов Сергей"]
STATES = ["paid"] * 93 + ["failed"] * 3 + ["check_failed"] * 2 + ["cancelled", "paying"]


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def generate(path: Path, count: int, today: date) -> None:
    """``count`` payments over the year up to ``today``, sealed in the chain."""
    from cashier_app.journal import Journal
    from cashier_app.journal.db import GENESIS, link_hash, row_digest

    Journal(path).close()  # the schema
    conn = sqlite3.connect(path)
    columns = ["agent_transaction_id", "service_id", "service_name", "scheme", "account",
               "extras", "state", "result", "result_message", "transaction_id",
               "agent_transaction_date", "amount_to", "commission", "amount_from",
               "amount_to_kop", "commission_kop", "amount_from_kop", "cashier", "shift_id",
               "created_at", "updated_at", "payment_method", "attempts", "seen_non_final",
               "qr_failures"]
    start = datetime.combine(today - timedelta(days=364), datetime.min.time())
    step = 365 * 86400 / count
    prev, seq = GENESIS, 0
    payments, ledger = [], []
    for n in range(count):
        at = (start + timedelta(seconds=n * step)).isoformat(timespec="milliseconds")
        service_id, name = SERVICES[(n * 7) % len(SERVICES)]
        state = STATES[(n * 13) % len(STATES)]
        amount = Decimal(100 + (n * 37) % 9900) + Decimal((n * 11) % 100) / 100
        commission = max(Decimal("10.00"), (amount / 100).quantize(Decimal("0.01")))
        total = amount + commission
        row = dict(zip(columns, [
            10**15 + n, service_id, name, "simple", f"9{(n * 7919) % 10**9:09d}", "{}", state,
            0 if state == "paid" else 5, "Успешно" if state == "paid" else "Отказ",
            (2 * 10**14 + n) if state == "paid" else None, at[:19],
            format(amount, "f"), format(commission, "f"), format(total, "f"),
            int(amount * 100), int(commission * 100), int(total * 100),
            CASHIERS[(n // 50) % len(CASHIERS)], 1 + n // 400, at, at,
            "sbp" if n % 9 == 0 else "cash", 1, 0, 0], strict=True))
        seq += 1
        digest = row_digest(row)
        link = link_hash(prev, seq, at, "payments", str(row["agent_transaction_id"]), digest)
        row["chain_hash"] = link
        ledger.append((seq, at, "payments", str(row["agent_transaction_id"]), digest, prev,
                       link))
        prev = link
        payments.append(tuple(row.values()))
    names = ", ".join([*columns, "chain_hash"])
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    with conn:
        conn.executemany(f"insert into payments ({names}) values ({marks})", payments)
        conn.executemany("insert into ledger (seq, at, tbl, key, digest, prev, hash) values "
                         "(?, ?, ?, ?, ?, ?, ?)", ledger)
    conn.execute("analyze")
    conn.close()


def bare_verify(path: Path) -> None:
    """The least the same check can do: SQLite's integrity check in a thread beside one
    read of every link and every sealed row with a SHA-256 of each (of its repr — no
    canonical text, no comparisons)."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    from cashier_app.journal.db import CHAINED

    def integrity() -> None:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA integrity_check(50)").fetchall()
        conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(integrity)
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        for table in ["ledger", *CHAINED]:
            for row in conn.execute(f"select * from {table}"):
                hashlib.sha256(repr(row).encode()).hexdigest()
        conn.close()
        checked.result()


def timed(work: Any, repeat: int = 5) -> float:
    """Median milliseconds of ``work()``."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=300_000)
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from cashier_app.core.states import State
    from cashier_app.journal import Journal, query
    from cashier_app.journal.chain import verify
    from cashier_app.journal.query import JournalFilter
    from cashier_app.ui.supervisor.journal_view import JournalView

    today = date.today()
    figures: dict[str, Any] = {"payments": args.payments}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.sqlite3"
        began = time.perf_counter()
        generate(path, args.payments, today)
        figures["generate_s"] = round(time.perf_counter() - began, 1)
        figures["file_mb"] = round(path.stat().st_size / 2**20, 1)

        app = QApplication.instance() or QApplication(sys.argv)
        rss_before = rss_mb()
        journal = Journal(path)
        began = time.perf_counter()
        view = JournalView(journal)
        view.resize(1280, 760)
        view.show()
        app.processEvents()
        figures["open_ms"] = round((time.perf_counter() - began) * 1000, 1)

        def set_amounts(low: str, high: str) -> None:
            view.amount_min.setText(low)
            view.amount_max.setText(high)

        def shown(change: Any, typed: bool = False) -> Any:
            """A change of the filter (a typed one is applied at once, not after the pause)
            until the first screen of rows is read and painted."""
            def work() -> None:
                view.model.pages.clear()
                change()
                if typed:
                    view.apply()
                view.table.viewport().repaint()
            return work

        year = today - timedelta(days=364)
        figures["filter_year_ms"] = round(timed(shown(lambda: view.set_period(year, today))), 1)
        figures["year_rows"] = view.model.total
        figures["filter_state_failed_ms"] = round(timed(shown(
            lambda: view.state.setCurrentIndex(view.state.findData(str(State.FAILED))))), 1)
        view.state.setCurrentIndex(0)
        figures["filter_service_ms"] = round(timed(shown(
            lambda: view.service.setCurrentIndex(2))), 1)
        view.service.setCurrentIndex(0)
        figures["filter_cashier_ms"] = round(timed(shown(
            lambda: view.cashier.setCurrentIndex(2))), 1)
        figures["totals_year_cashier_ms"] = round(timed(lambda: query.totals(
            journal, view.current_filter())), 1)
        view.cashier.setCurrentIndex(0)
        figures["search_account_ms"] = round(timed(shown(
            lambda: view.search.setText("9123"), typed=True)), 1)
        figures["search_transaction_id_ms"] = round(timed(shown(
            lambda: view.search.setText(str(2 * 10**14 + 123456)), typed=True)), 1)
        view.search.clear()
        figures["filter_amount_ms"] = round(timed(shown(
            lambda: set_amounts("5000", "5100"), typed=True)), 1)
        view.amount_min.clear()
        view.amount_max.clear()
        view.apply()
        everything = view.current_filter()
        figures["totals_year_ms"] = round(timed(lambda: query.totals(journal, everything)), 1)
        one_day = JournalFilter(today, today)
        figures["totals_day_ms"] = round(timed(lambda: query.totals(journal, one_day)), 1)
        figures["totals_year_failed_ms"] = round(timed(lambda: query.totals(
            journal, JournalFilter(year, today, state=State.FAILED))), 1)

        def last_page() -> None:
            view.model.pages.clear()
            view.table.scrollToBottom()
            view.table.viewport().repaint()
        figures["scroll_to_end_ms"] = round(timed(last_page), 1)
        figures["pages_read"] = view.model.page_reads
        figures["rss_mb"] = round(rss_mb(), 1)
        figures["rss_view_mb"] = round(rss_mb() - rss_before, 1)
        began = time.perf_counter()
        outcome = verify(journal)
        figures["verify_s"] = round(time.perf_counter() - began, 1)
        figures["verify_ok"] = outcome.ok
        began = time.perf_counter()
        bare_verify(path)
        figures["bare_verify_s"] = round(time.perf_counter() - began, 1)
        view.close()
        journal.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        width = max(len(key) for key in figures)
        print(f"journal view, {args.payments} payments over a year:")
        for key, value in figures.items():
            print(f"  {key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
