"""A banknote from the unit's STACKED answer to the books and to the screen.

The software validator on a pseudo-terminal, the CCNET driver on pyserial, the journal on
disk: for each bill, the time from the STACKED answer read off the line to the journal's
commit of the bill (durable, sealed) and to the listener a screen would use (the event hub's
delivery) — median and p99, beside the poll interval (the time the unit waits for the next
POLL anyway) and a bare durable sqlite3 INSERT (the floor of one commit).

Run: ``python -m benchmarks.bench_acceptor [--bills 200] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_payments import durable_connection, durable_insert, p99
from cashier_app.devices.cash_intake import CashChanged, CashIntake
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.journal import Journal

POLL = 0.15  # the program's default


class TimedAcceptor(CcnetAcceptor):
    """The driver, noting when each STACKED answer came off the line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: list[float] = []

    async def _stacked(self, data: bytes) -> None:
        self.answered.append(time.perf_counter())
        await super()._stacked(data)


async def measure_bills(folder: Path, bills: int, poll: float) -> dict[str, list[float]]:
    journal = Journal(folder / "journal.sqlite3")
    committed: list[float] = []
    original = journal.bill_resolved

    def timed_resolved(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        committed.append(time.perf_counter())
        return result

    journal.bill_resolved = timed_resolved  # type: ignore[method-assign]
    heard: list[float] = []
    with SoftwareValidator() as unit:
        acceptor = TimedAcceptor(unit.path, poll_interval=poll)
        intake = CashIntake(journal, acceptor)
        intake.events.subscribe(CashChanged, lambda _event: heard.append(time.perf_counter()))
        await intake.start()
        await intake.begin("test")
        for _ in range(bills):
            unit.insert(100)
            count = len(heard)
            while len(heard) == count:
                await asyncio.sleep(0.001)
        await intake.finish("test")
        await acceptor.close()
    journal.close()
    return {"commit": [c - a for a, c in zip(acceptor.answered, committed, strict=True)],
            "listener": [h - a for a, h in zip(acceptor.answered, heard, strict=True)]}


def measure(bills: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = asyncio.run(measure_bills(folder, bills, poll=0.02))
        conn = durable_connection(folder / "bare.sqlite3")
        bare = []
        for n in range(bills):
            started = time.perf_counter()
            durable_insert(conn, n, b"{}")
            bare.append(time.perf_counter() - started)
        conn.close()
    return {"bills": bills, "poll_ms": POLL * 1000,
            "commit_ms": statistics.median(times["commit"]) * 1000,
            "commit_p99_ms": p99(times["commit"]) * 1000,
            "listener_ms": statistics.median(times["listener"]) * 1000,
            "listener_p99_ms": p99(times["listener"]) * 1000,
            "bare_commit_ms": statistics.median(bare) * 1000,
            "bare_commit_p99_ms": p99(bare) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args()
    f = measure(args.bills)
    if args.json:
        print(json.dumps(f))
        return
    print(f"stacked → journal commit, ms  median {f['commit_ms']:6.2f}  p99 "
          f"{f['commit_p99_ms']:6.2f}  | bare durable insert {f['bare_commit_ms']:6.2f};"
          f" poll interval {f['poll_ms']:.0f}")
    print(f"stacked → screen's listener, ms  median {f['listener_ms']:6.2f}  p99 "
          f"{f['listener_p99_ms']:6.2f}  | poll interval {f['poll_ms']:.0f}")


if __name__ == "__main__":
    main()
