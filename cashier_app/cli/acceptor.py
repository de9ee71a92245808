"""The engineer's commands for the bill validator: ``acceptor test`` (what the unit is, its
bill table, its state) and ``acceptor accept --until SUM`` (take test cash, each event as one
JSON line); and the collector's ``encashment`` (the cassette's count, journaled, and a new
count begun). Test cash is journaled as test cash — never a payment — and stays in the
cassette's count for the collection."""

from __future__ import annotations

import argparse
import asyncio
import json
from decimal import Decimal
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import make_acceptor, open_journal
from cashier_app.core.money import format_amount
from cashier_app.core.text import moment, money
from cashier_app.devices.acceptor import (
    AcceptorError,
    Escrowed,
    LinkLost,
    LinkRestored,
    Rejected,
    Returned,
    StateChanged,
)
from cashier_app.devices.cash_intake import AcceptorStatus, CashChanged, CashIntake, CashRules
from cashier_app.journal.cash_in import PAID_OUT, TEST, VOUCHER, VoucherNotPayable
from cashier_app.util.printable import printable

from .common import EXIT_OK, CommandFailed, UsageError, written_amount
from .identity import add_cashier_option, authenticate, os_user, resolve


def add_commands(commands: Any) -> None:
    acceptor = commands.add_parser("acceptor", help="купюроприёмник: проверка, тестовый приём")
    action = acceptor.add_subparsers(dest="acceptor_command", metavar="ДЕЙСТВИЕ",
                                     required=True)
    test = action.add_parser("test", help="модель, серийный номер, таблица купюр, состояние")
    accept = action.add_parser("accept", help="принять тестовые купюры до суммы (не платёж)")
    accept.add_argument("--until", required=True, metavar="СУММА",
                        help="принимать, пока не наберётся эта сумма (не больше её)")
    accept.add_argument("--timeout", type=float, default=120.0, metavar="С",
                        help="наибольшее время приёма, секунд (120)")
    for parser in (test, accept):
        parser.add_argument("--port", help="порт (иначе acceptor.port): COM3, /dev/ttyUSB0")
        parser.add_argument("--json", action="store_true", help="вывод в JSON")
        parser.set_defaults(run=run)
    emulate = action.add_parser(
        "emulate", help="программный купюроприёмник на псевдотерминале с окном управления")
    emulate.set_defaults(run_alone=_emulate)
    voucher = commands.add_parser(
        "voucher", help="ваучер на наличные: показать по коду; --pay — выдать деньги")
    voucher.add_argument("code", metavar="КОД", help="код с ваучера (12 цифр)")
    voucher.add_argument("--pay", action="store_true",
                         help="выдать сумму наличными (старший кассир, с PIN)")
    add_cashier_option(voucher, "point.cashier")
    voucher.add_argument("--json", action="store_true", help="вывод в JSON")
    voucher.set_defaults(run=run_voucher)
    encashment = commands.add_parser(
        "encashment", help="инкассация: пересчёт кассеты купюроприёмника, новый счёт")
    encashment.add_argument("--json", action="store_true", help="вывод в JSON")
    encashment.set_defaults(run=run_encashment)


def _emulate(args: argparse.Namespace) -> int:
    """A software validator for trying the commands without hardware: its port is printed,
    its window inserts bills and makes faults; closing the window ends it."""
    from cashier_app.ui.widgets.validator_control import run_control_window

    return run_control_window()


def run_voucher(settings: cfg.Settings, args: argparse.Namespace) -> int:
    """A voucher by its code; with ``--pay`` the supervisor (PIN checked, before anything is
    written) gives its sum back in cash — once, audited."""
    with open_journal(settings) as journal:
        session = journal.voucher(args.code)
        if session is None or session.voucher is None:
            raise CommandFailed(f"Ваучера с кодом {printable(args.code)[:40]} нет в журнале")
        if args.pay:
            person = authenticate(journal, resolve(settings, args.cashier), "voucher --pay")
            if not person.role.supervises:
                raise CommandFailed("Выдать деньги по ваучеру может только старший кассир")
            try:
                session = journal.pay_out_voucher(session.id, person.name)
            except VoucherNotPayable as error:
                raise CommandFailed(str(error)) from None
            journal.audit(person.name, person.role.value, "voucher_paid_out",
                          f"ваучер {session.voucher}", {"total": format(session.total, "f"),
                                                        "session": session.id})
    if args.json:
        print(json.dumps({"code": session.voucher, "session": session.id,
                          "total": format(session.total, "f"), "state": session.state,
                          "issued_at": session.closed_at, "paid_out_at": session.paid_out_at,
                          "paid_out_by": session.paid_out_by}, ensure_ascii=False))
        return EXIT_OK
    print(f"Ваучер {session.voucher}: {money(session.total)}, выдан {moment(session.closed_at)}")
    if session.state == PAID_OUT:
        print(f"Деньги выданы: {moment(session.paid_out_at)}, {session.paid_out_by}")
    elif session.state == VOUCHER:
        print("Деньги ещё не выданы")
    return EXIT_OK


def run_encashment(settings: cfg.Settings, args: argparse.Namespace) -> int:
    """The cassette taken out: its bills counted into a collection in the journal (the
    collector is the OS user who ran the command), and the count starts again at zero."""
    with open_journal(settings) as journal:
        actor = f"командная строка ({os_user()})"
        earlier = journal.collections(limit=1)
        collection = journal.collect(actor)
        journal.audit(actor, "", "encashment", f"инкассация {collection.id}", {
            "bills": collection.bills, "total": format(collection.total, "f")})
        # vouchers are paid from the point's till, not the cassette: listed beside it
        paid_out = journal.vouchers_paid_out(earlier[0].at if earlier else None)
        unpaid = journal.unpaid_vouchers()
    counts = {format(k, "f"): v for k, v in sorted(collection.by_denomination.items())}
    paid_sum = sum((v.total for v in paid_out), Decimal("0.00"))
    unpaid_sum = sum((v.total for v in unpaid), Decimal("0.00"))
    if args.json:
        print(json.dumps({"collection": collection.id, "at": collection.at,
                          "bills": collection.bills, "total": format(collection.total, "f"),
                          "by_denomination": counts, "unconfirmed": collection.unconfirmed,
                          "vouchers_paid_out": {"count": len(paid_out),
                                                "total": format(paid_sum, "f")},
                          "vouchers_unpaid": {"count": len(unpaid),
                                              "total": format(unpaid_sum, "f")}},
                         ensure_ascii=False))
        return EXIT_OK
    print(f"Инкассация № {collection.id}, {moment(collection.at)}")
    for amount, count in sorted(collection.by_denomination.items()):
        print(f"  {format_amount(amount):>10} ₽ × {count:<4} = {format_amount(amount * count)} ₽")
    print(f"Купюр: {collection.bills}, сумма: {format_amount(collection.total)} ₽")
    print(f"Выдано по ваучерам с прошлой инкассации: {len(paid_out)} на {money(paid_sum)}")
    if unpaid:
        print(f"Ваучеры не выданы и не использованы: {len(unpaid)} на {money(unpaid_sum)}")
    if collection.unconfirmed:
        print(f"Не подтверждены купюроприёмником: {collection.unconfirmed} — сверьте с "
              "кассетой (старший кассир)")
    return EXIT_OK


def run(settings: cfg.Settings, args: argparse.Namespace) -> int:
    if args.acceptor_command == "test":
        return asyncio.run(_test(settings, args))
    until = written_amount(args.until, "--until")  # as every amount on the command line
    if until <= 0:
        raise UsageError("--until: сумма должна быть больше нуля")
    return asyncio.run(_accept(settings, args, until))


async def _test(settings: cfg.Settings, args: argparse.Namespace) -> int:
    """Started through the cash intake, like the kiosk: a bill that an interrupted session
    left on its way to the cassette is resolved in the journal, not lost to this test."""
    acceptor = make_acceptor(settings, args.port)
    states: list[str] = []
    with open_journal(settings) as journal:
        intake = CashIntake(journal, acceptor)
        intake.events.subscribe(AcceptorStatus, lambda status: states.append(status.text))
        try:
            await intake.start()
            await asyncio.sleep(acceptor.poll_interval * 3)
        except AcceptorError as error:
            raise CommandFailed(f"Купюроприёмник: {error}") from None
        finally:
            await acceptor.close()
    identity = acceptor.identity
    assert identity is not None
    bills = [{"type": b.bill_type, "amount": format(b.amount, "f"), "currency": b.currency}
             for b in acceptor.bill_table]
    state = states[-1] if states else "нет ответа на опрос"
    if args.json:
        print(json.dumps({"part_number": identity.part_number,
                          "serial_number": identity.serial_number, "bills": bills,
                          "state": state}, ensure_ascii=False))
        return EXIT_OK
    print(f"Модель: {identity.part_number}\nСерийный номер: {identity.serial_number}")
    print("Купюры: " + ", ".join(
        money(b.amount) if b.currency == "RUB" else f"{format_amount(b.amount)} {b.currency}"
        for b in sorted(acceptor.bill_table, key=lambda b: (b.currency, b.amount))))
    print(f"Состояние: {state}")
    return EXIT_OK


async def _accept(settings: cfg.Settings, args: argparse.Namespace, until: Decimal) -> int:
    with open_journal(settings) as journal:
        intake = CashIntake(journal, make_acceptor(settings, args.port))
        done = asyncio.Event()

        def say(event: str, **fields: Any) -> None:
            line = {"event": event, **fields}
            if args.json:
                print(json.dumps(line, ensure_ascii=False), flush=True)
            else:
                print(" ".join([event, *(f"{k}={v}" for k, v in fields.items())]), flush=True)

        def changed(event: CashChanged) -> None:
            say("stacked", amount=format(event.bill.amount, "f"), currency=event.bill.currency,
                total=format(event.total, "f"))
            if event.total >= until:
                done.set()

        def fault(event: StateChanged) -> None:
            if event.fault:
                say(event.code, text=event.text)

        # the engineer sees everything the unit says, as it says it (the intake publishes it)
        hub = intake.events
        hub.subscribe(CashChanged, changed)
        hub.subscribe(Escrowed, lambda e: say("escrow", amount=format(e.bill.amount, "f"),
                                              currency=e.bill.currency))
        hub.subscribe(Returned, lambda _e: say("returned"))
        hub.subscribe(Rejected, lambda e: say("rejected", reason=e.reason))
        hub.subscribe(StateChanged, fault)
        hub.subscribe(LinkLost, lambda e: say("link_lost", text=e.text))
        hub.subscribe(LinkRestored, lambda _e: say("link_restored"))
        try:
            for left in await intake.start():
                # an earlier test interrupted (killed, a power cut): its cash, resolved by
                # the start, is test cash — closed as such, never a payment
                if left.purpose == "test":
                    closed = journal.close_cash_session(left.id, TEST)
                    say("recovered", session=left.id, total=format(closed.total, "f"))
            session = await intake.begin("test", CashRules(owed=until))
            try:
                await asyncio.wait_for(done.wait(), args.timeout)
                reached = True
            except TimeoutError:
                reached = False
            closed = await intake.finish(TEST)
        except AcceptorError as error:
            raise CommandFailed(f"Купюроприёмник: {error}") from None
        finally:
            await intake.acceptor.close()
        say("summary", session=session.id, total=format(closed.total, "f"),
            bills=sum(1 for b in closed.bills if b.state == "stacked"), reached=reached)
    return EXIT_OK if reached else 3
