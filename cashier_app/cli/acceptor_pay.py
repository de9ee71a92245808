"""``pay --from-acceptor``: a payment paid with banknotes from the bill validator — the
kiosk's money path without a screen, for the engineer on site and for the crash tests.

The sum to credit is ``--amount`` (a fixed-amount service: the center's); the unit takes
bills up to exactly what is owed with the commission; each bill is printed as one line as
it is journaled. The pay is journaled with the cash spent in one commit (see
:mod:`cashier_app.workplace.cash_payment`); when ``--timeout`` runs out first the cash becomes a
voucher, printed with its code. An interrupted session left by a killed run becomes a
voucher at the start of the next.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from decimal import Decimal
from typing import Any

from cashier_app.bootstrap import Point, make_acceptor
from cashier_app.core.schemes import LineChoice, PaymentRefused
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.text import money
from cashier_app.devices.acceptor import AcceptorError
from cashier_app.devices.cash_intake import CashChanged, CashIntake
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cash_in import CashSession, VoucherNotPayable
from cashier_app.workplace.cash_payment import CashPayment

from .common import CommandFailed, echo


def add_options(pay: argparse.ArgumentParser) -> None:
    pay.add_argument("--from-acceptor", action="store_true",
                     help="оплата купюрами через купюроприёмник (сумма — --amount)")
    pay.add_argument("--port", help="порт купюроприёмника (иначе acceptor.port)")
    pay.add_argument("--voucher", metavar="КОД", help="зачесть неизрасходованный ваучер")
    pay.add_argument("--timeout", type=float, default=120.0, metavar="С",
                     help="сколько секунд ждать купюр; потом — ваучер на внесённое (120)")


class AcceptorPay:
    """The unit started for one command: its leftovers settled first, then one payment."""

    def __init__(self, point: Point, args: argparse.Namespace) -> None:
        self.args = args
        self.point = point
        self.cash = CashPayment(point.engine, CashIntake(point.journal,
                                                          make_acceptor(point.settings,
                                                                        args.port)))
        self.voucher: CashSession | None = None

    def say(self, event: str, **fields: Any) -> None:
        if self.args.json:
            print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)
        else:
            echo(" ".join([event, *(f"{key}={value}" for key, value in fields.items())]))

    async def start(self) -> None:
        """Before the check: the unit answers, an interrupted session becomes a voucher, and
        a voucher typed is one that can be spent (nothing journaled or sent otherwise)."""
        if self.args.voucher:
            try:
                self.voucher = self.point.journal.spendable_voucher(self.args.voucher)
            except VoucherNotPayable as error:
                raise CommandFailed(str(error)) from None
        try:
            for left in await self.cash.recover():
                self.say("voucher", session=left.id, code=left.voucher,
                         total=format(left.total, "f"), reason="interrupted")
        except AcceptorError as error:
            raise CommandFailed(f"Купюроприёмник: {error}") from None

    async def pay(self, record: PaymentRecord, service: ServiceDefinition,
                  amount: Decimal | None, contract: str | None,
                  lines: list[LineChoice]) -> PaymentRecord:
        """Take bills until the sum owed is in, then pay; the time out: a voucher."""
        ready = asyncio.Event()
        cash = self.cash

        def stacked(event: CashChanged) -> None:
            self.say("stacked", amount=format(event.bill.amount, "f"),
                     currency=event.bill.currency, total=format(event.total, "f"))
            if cash.record is not None and cash.due().ready is None:
                ready.set()

        cash.intake.events.subscribe(CashChanged, stacked)
        due = await cash.begin(record, service, amount=amount, lines=tuple(lines),
                               contract_id=contract)
        if self.voucher is not None and self.voucher.voucher is not None:
            due = await cash.use_voucher(self.voucher.voucher)
        self.say("waiting", owed=format(due.owed, "f") if due.owed is not None else None,
                 bills=[format(b.amount, "f") for b in cash.intake.allowed()])
        if due.ready is None:
            ready.set()  # a voucher covers it all
        try:
            await asyncio.wait_for(ready.wait(), self.args.timeout)
        except TimeoutError:
            voucher = await cash.give_back("Время ожидания купюр вышло")
            if voucher is not None:
                self.say("voucher", session=voucher.id, code=voucher.voucher,
                         total=format(voucher.total, "f"), reason="timeout")
                raise PaymentRefused(f"Купюры не внесены полностью: на внесённые "
                                     f"{money(voucher.total)} выдан ваучер {voucher.voucher}"
                                     ) from None
            raise PaymentRefused("Купюры не внесены") from None
        paid = await cash.pay()
        if cash.change is not None:
            self.say("voucher", session=cash.change.id, code=cash.change.voucher,
                     total=format(cash.change.total, "f"), reason="change")
        return paid

    async def close(self) -> None:
        await self.cash.intake.acceptor.close()
