"""Bringing payments to their end over time: at start-up (abandoned checks cancelled, codes left
on a screen looked up, every pending payment attempted before new work), while a command waits
(``settle``), and in the running program (``run``, the background loop).

Several programs may share one journal: each works the payments it owns, and takes over or
cancels another's only when that program is provably gone (:mod:`cashier_app.journal.leases`);
a take-over is a compare-and-set write, so of two programs that both find a payment orphaned
only one gets it. One payment that fails unexpectedly is logged and left as it is; the others
go on, and the loop never dies of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING

from cashier_app.core.states import BEFORE_PAY, UNSETTLED, State
from cashier_app.journal import PaymentRecord

if TYPE_CHECKING:
    from .payments import PaymentEngine

log = logging.getLogger(__name__)
INTERRUPTED_BEFORE_PAY = "Прерван до оплаты: деньги не списаны, проведите платёж заново"


class Scheduler:
    def __init__(self, engine: PaymentEngine) -> None:
        self.engine = engine

    # --- who works what ------------------------------------------------------------------
    def alive(self, owner: str | None) -> bool:
        """Is the program that owns a payment running (this one included)? Without a lease
        (unit tests) the owner of every payment found counts as gone."""
        lease = self.engine.journal.lease
        return lease.alive(owner) if lease is not None else False

    def unsettled(self) -> list[PaymentRecord]:
        """Payments this program works that still wait for the center's final word, in the
        states the desk's methods leave them in (``paying``; ``qr_waiting`` where QR is on):
        its own, and those whose program is gone — taken over first, all in one write."""
        journal = self.engine.journal
        states = tuple({state for method in self.engine.methods.values()
                        for state in method.waiting})
        # a method switched off since (wallets, QR) cannot advance its payments here: left to
        # a program that has it, they are not attempted in a loop that would only spin
        records = [record for record in journal.in_state(*states)
                   if record.payment_method in self.engine.methods]
        orphans = [(record.agent_transaction_id, record.owner) for record in records
                   if record.owner != journal.owner and not self.alive(record.owner)]
        taken = {}
        if orphans:
            taken = {record.agent_transaction_id: record
                     for record in journal.claim_many(orphans)}
            if taken:
                log.info("%d payment(s) taken over from programs that are gone: %s",
                         len(taken), ", ".join(map(str, list(taken)[:20])))
        return [record if record.owner == journal.owner else taken[record.agent_transaction_id]
                for record in records
                if record.owner == journal.owner or record.agent_transaction_id in taken]

    # --- start-up ------------------------------------------------------------------------
    def abandon_unpaid(self) -> list[PaymentRecord]:
        """Payments interrupted before pay moved no money; cancel them — but only those whose
        program is gone (another window or command may be checking one right now). A payment
        whose check failed keeps its state and the reason (code 5, say)."""
        engine = self.engine
        interrupted = BEFORE_PAY
        cancelled = []
        for record in engine.journal.in_state(*interrupted):
            if self.alive(record.owner):
                continue
            record = engine.journal.transition(
                record.agent_transaction_id, State.CANCELLED, expect=interrupted,
                result_message=INTERRUPTED_BEFORE_PAY,
                settled_at=engine.clock().isoformat(timespec="seconds"))
            cancelled.append(engine.emit(record))
        return cancelled

    async def recover(self, *, wait: float, concurrency: int = 8) -> list[PaymentRecord]:
        """Cancel abandoned unpaid payments, let each method handle what it left (a code is no
        longer on screen), then settle every unsettled payment for up to ``wait`` seconds: a
        first attempt for each right away (oldest first, at most ``concurrency`` requests in
        flight), then repeats at their scheduled times."""
        self.abandon_unpaid()
        for method in self.engine.methods.values():
            method.interrupt()
        pending = self.unsettled()
        if not pending:
            return []
        deadline = time.monotonic() + wait
        gate = asyncio.Semaphore(concurrency)

        async def resume(record: PaymentRecord) -> PaymentRecord:
            tx_id = record.agent_transaction_id
            try:
                # the first attempt goes out now, not at the payment's old schedule
                async with gate:
                    record = await self.engine.advance(tx_id, method=record.payment_method)
                if record.state not in UNSETTLED:
                    return record
                return await self.settle(tx_id, gate=gate, record=record,
                                         wait=max(0.0, deadline - time.monotonic()))
            except Exception:
                log.exception("recovery of payment %s failed; it stays as it is", tx_id)
                return record

        return list(await asyncio.gather(*(resume(r) for r in pending)))

    # --- waiting for one ------------------------------------------------------------------
    async def settle(self, agent_transaction_id: int, *, wait: float,
                     gate: asyncio.Semaphore | None = None,
                     record: PaymentRecord | None = None) -> PaymentRecord:
        """Attempt at the scheduled times until final or ``wait`` seconds have passed
        (each attempt inside ``gate`` when one is given); ``record``: the payment as just
        written, if the caller has it (not read again)."""
        deadline = time.monotonic() + wait
        if record is None:
            record = self.engine.journal.get(agent_transaction_id)
        while record.state in UNSETTLED:
            delay = self.seconds_until(record)
            if time.monotonic() + delay > deadline:
                break
            await asyncio.sleep(delay)
            async with gate or contextlib.nullcontext():
                record = await self.engine.advance(agent_transaction_id)
        return record

    def seconds_until(self, record: PaymentRecord) -> float:
        if not record.next_attempt_at:
            return 0.0
        due = datetime.fromisoformat(record.next_attempt_at)
        return max(0.0, (due - self.engine.clock()).total_seconds())

    # --- the running program ----------------------------------------------------------------
    async def run(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Attempt each unsettled payment when it is due, until ``stop`` is set. An unexpected
        error in one attempt (or in reading the journal) is logged; the loop goes on."""
        while not stop.is_set():
            soonest = idle
            try:
                due = self.unsettled()
            except Exception:
                log.exception("payment scheduler: the journal could not be read")
                due = []
            for record in due:
                if stop.is_set():
                    break
                try:
                    if self.seconds_until(record) <= 0:
                        record = await self.engine.advance(record.agent_transaction_id)
                    if record.state in UNSETTLED:
                        soonest = min(soonest, self.seconds_until(record))
                except Exception:
                    log.exception("payment scheduler: payment %s failed unexpectedly",
                                  record.agent_transaction_id)
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(soonest, 0.01))
            except TimeoutError:
                pass

