"""Two programs on one journal (a window and a command, a watchdog restart): each works what it
owns, takes over or cancels another's payment only when that program is gone, and never
overwrites a payment the other one settled meanwhile. Real journal file, real emulator."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer, FaultRule
from cashier_app.engine import PaymentEngine, PaymentInput
from cashier_app.journal import IdAllocator, Journal, PaymentRecord
from cashier_app.journal.leases import InstanceLease
from cashier_app.processing.client import ProcessingClient
from tests.conftest import TOKEN
from tests.integration.engine.test_engine import FAST


class Program:
    """One running program: its own lease, connection, client and engine on the shared
    folder."""

    def __init__(self, emulator: EmulatorServer, folder: Path, loop: asyncio.AbstractEventLoop
                 ) -> None:
        self.loop = loop
        self.lease = InstanceLease(folder, "test")
        self.journal = Journal(folder / "journal.sqlite3", lease=self.lease)
        self.client = ProcessingClient(emulator.url, TOKEN, timeout=3)
        ids = IdAllocator(folder / "hwm", 1, floor=self.journal.max_id())
        self.engine = PaymentEngine(self.journal, self.client, FAST, ids)
        self.services = {s["serviceId"]: ServiceDefinition.from_wire(s)
                         for s in emulator.center.catalog["services"]}

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def check(self, account: str) -> PaymentRecord:
        return self.run(self.engine.check(PaymentInput(self.services["P1011"],
                                                       {"account": account})))

    def start_paying(self, record: PaymentRecord) -> PaymentRecord:
        plan = self.engine.plan(record, amount=Decimal("100.00"))
        return self.run(self.engine.pay(record.agent_transaction_id, plan))

    def end(self) -> None:
        """The program is gone: its OS lock is dropped (as on exit, crash or kill -9)."""
        self.run(self.client.aclose())
        self.journal.close()
        self.lease.release()


def test_a_live_programs_work_is_left_alone_and_a_gone_ones_is_taken_over(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    window = Program(emulator, tmp_path, loop)
    checked = window.check("9051110001")
    assert checked.state is State.CHECKED and checked.owner == window.lease.owner
    emulator.add_faults([FaultRule.from_dict({"method": "pay", "action": "code", "result": 1,
                                              "times": 1})])
    paying = window.start_paying(window.check("9051110002"))
    assert paying.state is State.PAYING

    # a command starts on the same data directory while the window is alive
    command = Program(emulator, tmp_path, loop)
    assert command.run(command.engine.scheduler.recover(wait=0)) == []
    assert command.journal.get(checked.agent_transaction_id).state is State.CHECKED
    assert command.journal.get(paying.agent_transaction_id).owner == window.lease.owner

    # the window goes away (killed): now its payments are the command's to finish
    window.end()
    command.lease._seen.clear()  # its "alive" answer of a moment ago is not reused
    recovered = command.run(command.engine.scheduler.recover(wait=5))
    assert [r.agent_transaction_id for r in recovered] == [paying.agent_transaction_id]
    assert recovered[0].state is State.PAID
    assert recovered[0].owner == command.lease.owner
    left = command.journal.get(checked.agent_transaction_id)
    assert left.state is State.CANCELLED and "Прерван до оплаты" in (left.result_message or "")
    assert emulator.center.transaction(paying.agent_transaction_id).debits == 1
    command.end()
    loop.close()


def test_a_payment_settled_by_another_program_is_not_overwritten(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    first = Program(emulator, tmp_path, loop)
    emulator.add_faults([FaultRule.from_dict({"method": "pay", "action": "code", "result": 1,
                                              "times": 2})])
    stale = first.start_paying(first.check("9051110003"))
    assert stale.state is State.PAYING
    tx_id = stale.agent_transaction_id
    # meanwhile another program settles it (its own attempt got the final answer)
    other = Program(emulator, tmp_path, loop)
    other.journal.transition(tx_id, State.PAID, result=0, result_message="Успешно",
                             transaction_id=777)
    attempts_before = len(first.journal.attempts(tx_id))
    # the first program's next attempt still gets a non-final answer (code 1): it records the
    # attempt, and leaves the paid payment as it is
    after = first.run(first.engine.cash._attempt(stale))
    assert after.state is State.PAID and after.result == 0 and after.transaction_id == 777
    assert len(first.journal.attempts(tx_id)) == attempts_before + 1
    first.end()
    other.end()
    loop.close()


def test_a_killed_owner_is_seen_gone_by_another_process(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path;"
         "from cashier_app.journal.leases import InstanceLease;"
         f"lease = InstanceLease(Path({str(tmp_path)!r}), 'cli');"
         "print(lease.owner, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    owner = holder.stdout.readline().strip()
    watcher = InstanceLease(tmp_path, "test")
    try:
        assert watcher.alive(owner)
        holder.kill()
        holder.wait(timeout=10)
        watcher._seen.clear()  # no cached "alive" answer
        assert not watcher.alive(owner)
        assert not (tmp_path / "instances" / f"{owner}.lock").exists()
        assert not watcher.alive(None) and not watcher.alive("../../etc/passwd")
    finally:
        holder.kill()
        watcher.release()
