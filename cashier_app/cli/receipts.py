"""Receipt and printer commands: ``printer test|profiles``, ``receipt ID``, ``report x|z``."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlite_utils.db import NotFoundError

from cashier_app import settings as cfg
from cashier_app.bootstrap import make_receipts, open_journal
from cashier_app.journal import StoredReceipt
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.layout import as_text
from cashier_app.receipts.printers import PrinterError
from cashier_app.receipts.service import ReceiptService

from .common import EXIT_OK, CommandFailed


def add_commands(commands: Any) -> None:
    printer = commands.add_parser("printer", help="принтер чеков: пробная страница, профили")
    action = printer.add_subparsers(dest="printer_command", metavar="ДЕЙСТВИЕ", required=True)
    action.add_parser("test", help="напечатать пробную страницу (ширина, таблица CP866, QR)")
    action.add_parser("profiles", help="профили python-escpos: ячейка CP866, символов в строке")

    receipt = commands.add_parser("receipt", help="чек платежа: показать или напечатать")
    receipt.add_argument("id", type=int, help="agentTransactionId")
    receipt.add_argument("--print", action="store_true", help="напечатать (повторно — копия)")

    report = commands.add_parser("report", help="X-отчёт открытой смены или Z-отчёт закрытой")
    report.add_argument("kind", choices=["x", "z"])
    report.add_argument("--shift", type=int, help="номер смены (по умолчанию открытая)")
    report.add_argument("--print", action="store_true", help="напечатать")
    for parser in (printer, receipt, report):
        parser.set_defaults(run=run)


def run(settings: cfg.Settings, args: argparse.Namespace) -> int:
    if args.command == "printer" and args.printer_command == "profiles":
        return _profiles()
    with open_journal(settings) as journal:
        service = make_receipts(settings, journal)
        try:
            if args.command == "printer":
                print(asyncio.run(service.print_test_page()))
                return EXIT_OK
            if args.command == "receipt":
                try:
                    stored = service.payment_document(args.id)
                except NotFoundError:
                    raise CommandFailed(f"Платежа {args.id} нет в журнале") from None
                return _show(service, stored, printing=args.print)
            return _report(service, args)
        except (PrinterError, ReceiptError) as error:
            raise CommandFailed(str(error)) from None
        finally:
            service.close()


def _show(service: ReceiptService, stored: StoredReceipt, *, printing: bool) -> int:
    print(as_text(service.lines(stored)), end="")
    if not printing:
        return EXIT_OK
    outcome = asyncio.run(service.print_receipt(stored))
    if not outcome.printed:
        raise CommandFailed(outcome.message)
    print(outcome.message)
    return EXIT_OK


def _report(service: ReceiptService, args: argparse.Namespace) -> int:
    journal = service.journal
    if args.shift is None:
        shift = journal.open_shift_now()
        if shift is None:
            raise CommandFailed("Открытой смены нет: укажите --shift N")
        shift_id = shift.id
    else:
        shift_id = args.shift
    try:
        shift = journal.shift(shift_id)
    except NotFoundError:
        raise CommandFailed(f"Смены {shift_id} нет в журнале") from None
    if args.kind == "z":
        if shift.closed_at is None:
            raise CommandFailed(f"Смена {shift_id} не закрыта: Z-отчёт печатается при закрытии")
        stored = service.z_report(shift_id)
    else:
        stored = service.x_report(shift_id)
    return _show(service, stored, printing=args.print)


def _profiles() -> int:
    from cashier_app.receipts.escpos_render import profile_facts, profile_names

    print(f"{'профиль':24} {'CP866':>6} {'символов':>9}  QR  отрез")
    for name in profile_names():
        facts = profile_facts(name)
        slot = str(facts.codepage) if facts.codepage is not None else "нет"
        print(f"{name:24} {slot:>6} {facts.columns:>9}  {'да' if facts.native_qr else 'нет':3} "
              f"{'да' if facts.cut else 'нет'}")
    return EXIT_OK
