"""Speed of the payment path, each figure next to the bare minimum for the same work.

    ./scripts/bench            (or: .venv/bin/python -m benchmarks.bench_payments)

1. journal write latency per state change (median, p99) — vs a plain sqlite3 INSERT with the
   same durability (WAL, synchronous=FULL, one transaction each);
2. payments per second through the full check+pay flow against the emulator — vs bare httpx
   POSTs of the same pay bodies to the emulator;
3. time to resume 1,000 pending payments at start-up — vs 1,000 bare httpx POSTs, both with
   at most 8 requests in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx

from cashier_app import settings as cfg
from cashier_app.bootstrap import open_point, point_for
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentInput
from cashier_app.journal import Journal
from cashier_app.processing.requests import pay_body

TOKEN = "bench"


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
    conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("create table t (id integer primary key, state text, body blob)")
    bare = []
    for n in range(1, count + 1):
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("insert into t values (?, ?, ?)", (n, "checking", b"{}"))
        conn.execute("COMMIT")
        bare.append(time.perf_counter() - started)
    conn.close()
    return ours, bare


async def flow_rate(folder: Path, server: EmulatorServer, count: int) -> tuple[float, float]:
    service = ServiceDefinition.from_wire(
        next(s for s in server.center.catalog["services"] if s["serviceId"] == "P1011"))
    async with open_point(bench_settings(folder / "flow", server.url)) as point:
        engine = point.engine
        started = time.perf_counter()
        for _ in range(count):
            record = await engine.check(PaymentInput(service, {"account": "9051234567"}))
            await engine.pay(record.agent_transaction_id,
                             engine.plan(record, amount=Decimal("10")))
        ours = count / (time.perf_counter() - started)
        bodies = [pay_body(service_id="P1011", account="9051234567",
                           agent_transaction_id=10**15 + n,
                           agent_transaction_date="2026-11-23T10:00:00",
                           amount_to=Decimal("10")) for n in range(count)]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as bare:
        started = time.perf_counter()
        for body in bodies:
            (await bare.post(f"{server.url}/api/v20/pay", content=body)).raise_for_status()
        bare_rate = count / (time.perf_counter() - started)
    return ours, bare_rate


async def resume_time(folder: Path, server: EmulatorServer, count: int) -> tuple[float, float]:
    settings = bench_settings(folder / "resume", server.url, timeout=60)
    point = point_for(settings, "cli")
    journal = point.journal
    base = 2 * 10**15
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
    started = time.perf_counter()
    settled = await point.engine.scheduler.recover(wait=120)
    ours = time.perf_counter() - started
    await point.aclose()
    assert all(r.state is State.PAID for r in settled) and len(settled) == count
    bodies = [pay_body(service_id="P1011", account="9051234567", agent_transaction_id=3 * 10**15
                       + n, agent_transaction_date="2026-11-23T10:00:00",
                       amount_to=Decimal("10")) for n in range(count)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--pending", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer(token=TOKEN) as server:
        server.center.set_balance(Decimal("100000000"))
        folder = Path(tmp)
        ours, bare = journal_latency(folder, args.writes)
        print(f"journal state change, ms        median {statistics.median(ours) * 1000:7.2f}  "
              f"p99 {p99(ours) * 1000:7.2f}   | bare sqlite3 insert: median "
              f"{statistics.median(bare) * 1000:7.2f}  p99 {p99(bare) * 1000:7.2f}")
        rate, bare_rate = asyncio.run(flow_rate(folder, server, args.payments))
        print(f"check+pay flow, payments/s      {rate:7.1f}"
              f"                  | bare httpx pay POSTs/s: {bare_rate:7.1f}")
        took, bare_took = asyncio.run(resume_time(folder, server, args.pending))
        print(f"resume {args.pending} pending, s        {took:7.2f}"
              f"                  | {args.pending} bare httpx POSTs, s: {bare_took:7.2f}")


if __name__ == "__main__":
    main()
