"""Speed of the payment path, each figure next to the bare minimum for the same work.

    ./scripts/bench            (or: .venv/bin/python -m benchmarks.bench_payments)

1. journal write latency per state change (median, p99) — vs a plain sqlite3 INSERT with the
   same durability (WAL, synchronous=FULL, one transaction each), and vs the floor: the same
   SQL statements the journal runs, on the journal's own file, with no Python between;
2. payments per second through the full check+pay flow against the emulator — vs bare httpx
   POSTs of the same pay bodies to the emulator, and vs the floor of the same work: per
   payment a bare check POST, a bare pay POST and the four durable commits a payment must
   make before its next request (checking, checked, paying, paid), one after another;
3. time to resume 1,000 pending payments at start-up — vs 1,000 bare httpx POSTs, both with
   at most 8 requests in flight, and vs the floor of the same work: those bare POSTs with the
   journal's own SQL statements around them on the journal's own file, no Python between — the
   take-over of the orphaned payments in one transaction (per payment: read the row and the
   chain's head, append the link, write the row), and per payment the read before it is sent
   and the one transaction after its answer (the attempt and its link, the row and its link);
   once on the loop's thread, as the program does, and once on a writer thread of its own.

The emulator runs as its own process (``cashier-app emulator``), as the real center is
another machine: in the benchmark's process it would take the interpreter's time from the
program being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from cashier_app import settings as cfg
from cashier_app.bootstrap import open_point, point_for
from cashier_app.core.states import State
from cashier_app.engine import PaymentInput
from cashier_app.journal import Journal
from cashier_app.processing.requests import check_body, pay_body

TOKEN = "bench"


class Emulator:
    """``cashier-app emulator`` in a process of its own, with a balance that never runs out."""

    def __init__(self, url: str) -> None:
        self.url = url


@contextmanager
def emulator_process(folder: Path) -> Iterator[Emulator]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "cashier_app", "emulator", "--port", str(port), "--token", TOKEN],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        env={**os.environ, "CASHIER_DATA_DIR": str(folder / "emulator")})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "слушает" not in line:
            raise SystemExit(f"the emulator did not start: {line}")
        url = f"http://127.0.0.1:{port}"
        request = urllib.request.Request(f"{url}/_emulator/balance", method="POST",
                                         data=json.dumps({"balance": "1000000000"}).encode())
        urllib.request.urlopen(request, timeout=10).read()
        yield Emulator(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_settings(data_dir: Path, url: str, timeout: float = 15.0) -> cfg.Settings:
    """The program's settings for a benchmark run against the emulator at ``url``."""
    return cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: url, cfg.PROCESSING_TOKEN: TOKEN,
        cfg.PROCESSING_TIMEOUT: timeout, cfg.DATA_DIR: str(data_dir)})


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def journal_latency(folder: Path, count: int) -> tuple[list[float], list[float]]:
    journal = Journal(folder / "j.sqlite3")
    ours = []
    for n in range(1, count + 1):
        journal.create(agent_transaction_id=n, service_id="P1011", service_name="Билайн",
                       scheme="simple", account="9051234567",
                       agent_transaction_date="2026-11-23T10:00:00", check_body=b"{}")
        started = time.perf_counter()
        journal.transition(n, State.CHECKING)
        ours.append(time.perf_counter() - started)
    journal.close()
    conn = durable_connection(folder / "bare.sqlite3")
    bare: list[float] = []
    for n in range(1, count + 1):
        started = time.perf_counter()
        durable_insert(conn, n, b"{}")
        bare.append(time.perf_counter() - started)
    conn.close()
    return ours, bare


def journal_floor(folder: Path, count: int) -> list[float]:
    """The same state change as raw SQL on the journal's own file (its indexes, its day-totals
    trigger): read the row and the chain's head, write the row with its chain hash, append
    the link, commit — no Python work between (the hashes are fixed strings)."""
    path = folder / "floor-journal.sqlite3"
    journal = Journal(path)
    for n in range(1, count + 1):
        journal.create(agent_transaction_id=n, service_id="P1011", service_name="Билайн",
                       scheme="simple", account="9051234567",
                       agent_transaction_date="2026-11-23T10:00:00", check_body=b"{}")
    journal.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    seq = conn.execute("select max(seq) from ledger").fetchone()[0]
    took = []
    for n in range(1, count + 1):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("select * from payments where agent_transaction_id = ?", [n]).fetchone()
        conn.execute("select seq, hash from ledger order by seq desc limit 1").fetchone()
        conn.execute("update payments set state = 'checking', updated_at = ?, chain_hash = ? "
                     "where agent_transaction_id = ?", ["2026-11-23T10:00:01.000", "f" * 64, n])
        seq += 1
        conn.execute("insert into ledger (seq, at, tbl, key, digest, prev, hash) values "
                     "(?, ?, ?, ?, ?, ?, ?)", [seq, "2026-11-23T10:00:01.000", "payments",
                                               str(n), "d" * 64, "e" * 64, "f" * 64])
        conn.execute("COMMIT")
        took.append(time.perf_counter() - started)
    conn.close()
    return took


async def flow_rate(folder: Path, server: Emulator, count: int
                    ) -> tuple[float, float, float]:
    """(ours, bare, floor): payments/s through check+pay, bare pay POSTs/s, and payments/s
    of the floor (two bare POSTs and four bare durable commits per payment)."""
    async with open_point(bench_settings(folder / "flow", server.url)) as point:
        engine = point.engine
        catalog = await engine.client.services()
        service = next(s for s in catalog.services if s.service_id == "P1011")
        started = time.perf_counter()
        for _ in range(count):
            record = await engine.check(PaymentInput(service, {"account": "9051234567"}))
            await engine.pay(record.agent_transaction_id,
                             engine.plan(record, amount=Decimal("10")))
        ours = count / (time.perf_counter() - started)
    base = time.time_ns() // 1000
    pays = [pay_body(service_id="P1011", account="9051234567", agent_transaction_id=base + n,
                     agent_transaction_date="2026-11-23T10:00:00", amount_to=Decimal("10"))
            for n in range(count)]
    checks = [check_body(service_id="P1011", account="9051234567",
                         agent_transaction_id=base + count + n,
                         agent_transaction_date="2026-11-23T10:00:00") for n in range(count)]
    floor_pays = [pay_body(service_id="P1011", account="9051234567",
                           agent_transaction_id=base + count + n,
                           agent_transaction_date="2026-11-23T10:00:00",
                           amount_to=Decimal("10")) for n in range(count)]
    conn = durable_connection(folder / "floor.sqlite3")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as bare:
        started = time.perf_counter()
        for body in pays:
            (await bare.post(f"{server.url}/api/v20/pay", content=body)).raise_for_status()
        bare_rate = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for n, (check, pay) in enumerate(zip(checks, floor_pays, strict=True)):
            durable_insert(conn, 4 * n, check)
            (await bare.post(f"{server.url}/api/v20/check", content=check)).raise_for_status()
            durable_insert(conn, 4 * n + 1, check)
            durable_insert(conn, 4 * n + 2, pay)
            (await bare.post(f"{server.url}/api/v20/pay", content=pay)).raise_for_status()
            durable_insert(conn, 4 * n + 3, pay)
        floor_rate = count / (time.perf_counter() - started)
    conn.close()
    return ours, bare_rate, floor_rate


def durable_connection(path: Path) -> sqlite3.Connection:
    """A bare sqlite3 file with the journal's durability (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("create table t (id integer primary key, state text, body blob)")
    return conn


def durable_insert(conn: sqlite3.Connection, key: int, body: bytes) -> None:
    conn.execute("BEGIN")
    conn.execute("insert into t values (?, ?, ?)", (key, "checking", body))
    conn.execute("COMMIT")


async def resume_time(folder: Path, server: Emulator, count: int, round_: int = 0
                      ) -> tuple[float, float]:
    settings = bench_settings(folder / f"resume-{round_}", server.url, timeout=60)
    point = point_for(settings, "cli")
    insert_pending(point.journal, count, 2 * 10**15 + round_ * 10**12)
    started = time.perf_counter()
    settled = await point.engine.scheduler.recover(wait=120)
    ours = time.perf_counter() - started
    await point.aclose()
    assert all(r.state is State.PAID for r in settled) and len(settled) == count
    bodies = [pay_body(service_id="P1011", account="9051234567",
                       agent_transaction_id=3 * 10**15 + round_ * 10**12 + n,
                       agent_transaction_date="2026-11-23T10:00:00", amount_to=Decimal("10"))
              for n in range(count)]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"},
                                 timeout=60) as bare:
        gate = asyncio.Semaphore(8)  # the same concurrency recover uses

        async def post(body: bytes) -> None:
            async with gate:
                (await bare.post(f"{server.url}/api/v20/pay", content=body)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(body) for body in bodies))
        bare_time = time.perf_counter() - started
    return ours, bare_time


def insert_pending(journal: Journal, count: int, base: int) -> None:
    """``count`` payments left ``paying`` by a program that is gone (no owner), as a crash
    leaves them."""
    with journal.transaction():
        for n in range(count):
            tx = base + n
            journal.db.table("payments").insert({
                "agent_transaction_id": tx, "service_id": "P1011", "service_name": "Билайн",
                "scheme": "simple", "account": "9051234567", "extras": "{}",
                "state": str(State.PAYING), "agent_transaction_date": "2026-11-23T10:00:00",
                "amount_to": "10.00", "amount_from": "10.00",
                "pay_body": pay_body(service_id="P1011", account="9051234567",
                                     agent_transaction_id=tx,
                                     agent_transaction_date="2026-11-23T10:00:00",
                                     amount_to=Decimal("10"), amount_from=Decimal("10")),
                "created_at": "2026-11-23T10:00:00", "updated_at": "2026-11-23T10:00:00"})


async def resume_floor(folder: Path, server: Emulator, count: int, *,
                       writer_thread: bool = False, round_: int = 0) -> float:
    """The resume's floor: what :meth:`Scheduler.recover` must do for ``count`` orphaned
    payments, as raw SQL on a journal file of the same shape and bare POSTs at the same
    concurrency — the hashes are fixed strings, the rows are not turned into records.
    ``writer_thread``: the SQL runs on one thread of its own while the loop goes on with the
    other requests (what a journal writer thread would buy)."""
    path = folder / f"floor-resume-{int(writer_thread)}-{round_}.sqlite3"
    base = (6 + writer_thread) * 10**15 + round_ * 10**12
    journal = Journal(path)
    insert_pending(journal, count, base)
    journal.close()
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA synchronous=FULL")
    writer = ThreadPoolExecutor(1) if writer_thread else None
    seq = [conn.execute("select coalesce(max(seq), 0) from ledger").fetchone()[0]]
    at, link = "2026-11-23T10:00:01.000", "f" * 64

    def append_link(table: str, key: object) -> None:
        conn.execute("select seq, hash from ledger order by seq desc limit 1").fetchone()
        seq[0] += 1
        conn.execute("insert into ledger (seq, at, tbl, key, digest, prev, hash) values "
                     "(?, ?, ?, ?, ?, ?, ?)", [seq[0], at, table, str(key), "d" * 64,
                                               "e" * 64, link])

    read_row = "select * from payments where agent_transaction_id = ?"
    body_at = [d[0] for d in conn.execute(f"{read_row} limit 0", [0]).description
               ].index("pay_body")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"},
                                 timeout=60) as bare:
        gate = asyncio.Semaphore(8)  # the same concurrency recover uses

        def read_body(tx: int) -> bytes:
            body: bytes = conn.execute(read_row, [tx]).fetchone()[body_at]
            return body

        def record(tx: int, body: bytes, answer: bytes) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("select max(id) from attempts").fetchone()
            append_link("attempts", tx)
            conn.execute("insert into attempts (agent_transaction_id, method, started_at, "
                         "duration_ms, outcome, result, message, request, answer, "
                         "chain_hash) values (?, 'pay', ?, 1, 'answer', 0, '', ?, ?, ?)",
                         [tx, at, body, answer, link])
            conn.execute(read_row, [tx]).fetchone()
            append_link("payments", tx)
            conn.execute("update payments set state = 'paid', result = 0, "
                         "pay_answer = ?, attempts = 1, updated_at = ?, settled_at = ?, "
                         "chain_hash = ? where agent_transaction_id = ?",
                         [answer, at, at, link, tx])
            conn.execute("COMMIT")

        async def resume(tx: int) -> None:
            loop = asyncio.get_running_loop()
            async with gate:
                body = (await loop.run_in_executor(writer, read_body, tx) if writer
                        else read_body(tx))
                answer = await bare.post(f"{server.url}/api/v20/pay", content=body)
                answer.raise_for_status()
                if writer:
                    await loop.run_in_executor(writer, record, tx, body, answer.content)
                else:
                    record(tx, body, answer.content)

        started = time.perf_counter()
        pending = [row[0] for row in conn.execute(
            "select * from payments where state = 'paying' "
            "order by coalesce(next_attempt_at, created_at), agent_transaction_id")]
        conn.execute("BEGIN IMMEDIATE")  # the take-over, one transaction for all
        for tx in pending:
            conn.execute(read_row, [tx]).fetchone()
            append_link("payments", tx)
            conn.execute("update payments set owner = 'bench', updated_at = ?, "
                         "chain_hash = ? where agent_transaction_id = ?", [at, link, tx])
        conn.execute("COMMIT")
        await asyncio.gather(*(resume(tx) for tx in pending))
        took = time.perf_counter() - started
    if writer:
        writer.shutdown()
    conn.close()
    return took


def measure(writes: int, payments: int, pending: int, rounds: int) -> dict[str, Any]:
    """Every figure once; the resume's four (ours, bare, two floors) ``rounds`` times, one
    after another in each round, each its median: on a shared machine a figure taken alone
    drifts with the machine, and the ratios with it."""
    resumes: list[tuple[float, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with emulator_process(folder) as server:
            ours, bare = journal_latency(folder, writes)
            floor = journal_floor(folder, writes)
            rate, bare_rate, floor_rate = asyncio.run(flow_rate(folder, server, payments))
            for round_ in range(rounds):
                took, bare_took = asyncio.run(resume_time(folder, server, pending, round_))
                on_loop = asyncio.run(resume_floor(folder, server, pending, round_=round_))
                on_writer = asyncio.run(resume_floor(folder, server, pending, round_=round_,
                                                     writer_thread=True))
                resumes.append((took, bare_took, on_loop, on_writer))
    took, bare_took, on_loop, on_writer = (statistics.median(column)
                                           for column in zip(*resumes, strict=True))
    return {"journal_ms": statistics.median(ours) * 1000, "journal_p99_ms": p99(ours) * 1000,
            "bare_journal_ms": statistics.median(bare) * 1000,
            "bare_journal_p99_ms": p99(bare) * 1000,
            "floor_journal_ms": statistics.median(floor) * 1000,
            "flow_per_s": rate, "bare_post_per_s": bare_rate, "floor_flow_per_s": floor_rate,
            "resume_s": took, "bare_resume_s": bare_took, "floor_resume_s": on_loop,
            "floor_resume_thread_s": on_writer, "pending": pending, "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="resume measured this often")
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args()
    f = measure(args.writes, args.payments, args.pending, args.rounds)
    if args.json:
        print(json.dumps(f))
        return
    print(f"journal state change, ms        median {f['journal_ms']:7.2f}  "
          f"p99 {f['journal_p99_ms']:7.2f}   | bare sqlite3 insert: median "
          f"{f['bare_journal_ms']:7.2f}  p99 {f['bare_journal_p99_ms']:7.2f};"
          f" floor (the same SQL on the journal's file): median {f['floor_journal_ms']:7.2f}")
    print(f"check+pay flow, payments/s      {f['flow_per_s']:7.1f}"
          f"                  | bare httpx pay POSTs/s: {f['bare_post_per_s']:7.1f};"
          f" floor (2 bare POSTs + 4 bare commits) payments/s: {f['floor_flow_per_s']:7.1f}")
    print(f"resume {f['pending']} pending, s        {f['resume_s']:7.2f}"
          f"                  | {f['pending']} bare httpx POSTs, s: {f['bare_resume_s']:7.2f};"
          f" floor (the same POSTs + the journal's SQL), s: {f['floor_resume_s']:7.2f},"
          f" its SQL on a writer thread: {f['floor_resume_thread_s']:7.2f}")


if __name__ == "__main__":
    main()
