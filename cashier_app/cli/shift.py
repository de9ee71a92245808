"""``cashier-app journal verify`` (the hash chain) and ``cashier-app shift`` (open, close with
a cash count, status) for the engineer at a point and for scripts.

``shift open`` and ``shift close`` act as a configured cashier who types their PIN
(:mod:`cashier_app.cli.identity`): the audit names that cashier and their role, and the PIN
check's row the OS user. ``shift status`` and ``journal verify`` only read, so they ask no PIN;
the check is audited as «командная строка (пользователь ОС)» without a role."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import open_journal
from cashier_app.core.money import AmountError, format_amount, parse_user_amount
from cashier_app.journal import Shift, ShiftError
from cashier_app.workplace import shifts

from . import identity
from .common import EXIT_OK, CommandFailed, UsageError


def add_commands(commands: Any) -> None:
    shift = commands.add_parser("shift", help="смена: открыть, закрыть с пересчётом, состояние")
    shift.add_argument("action", choices=("status", "open", "close"),
                       help="status — открытая смена и её наличные; open; close")
    identity.add_cashier_option(
        shift, "point.cashier; при закрытии — иначе кассир открытой смены")
    shift.add_argument("--opening-cash", default="0", metavar="СУММА",
                       help="размен в кассе при открытии (по умолчанию 0)")
    shift.add_argument("--counted", metavar="СУММА",
                       help="при закрытии: пересчитанные наличные в кассе (обязательно)")
    shift.add_argument("--json", action="store_true")
    shift.set_defaults(run=run_shift)


def actor() -> str:
    """Who ran a command that asks no PIN."""
    return f"командная строка ({identity.os_user()})"


def _amount(text: str, option: str) -> Decimal:
    try:
        return parse_user_amount(text)
    except AmountError as error:
        raise UsageError(f"{option}: {error}") from None


def shift_json(shift: Shift) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return format(value, "f") if value is not None else None

    return {"id": shift.id, "cashier": shift.cashier, "openedAt": shift.opened_at,
            "closedAt": shift.closed_at, "closedBy": shift.closed_by,
            "openingCash": text(shift.opening_cash), "expectedCash": text(shift.expected_cash),
            "countedCash": text(shift.counted_cash),
            "difference": text(shift.cash_difference)}


def run_shift(settings: cfg.Settings, args: argparse.Namespace) -> int:
    with open_journal(settings) as journal:
        current = journal.open_shift_now()
        if args.action == "status":
            if current is None:
                print(json.dumps(None) if args.json else "Смена не открыта")
                return EXIT_OK
            expected = shifts.expected_cash(journal, current)
            if args.json:
                print(json.dumps({**shift_json(current), "expectedCash": format(expected, "f")},
                                 ensure_ascii=False))
            else:
                print(f"Открыта смена №{current.id} кассира {current.cashier} с "
                      f"{current.opened_at[:16].replace('T', ' ')}; наличных в кассе по "
                      f"журналу {format_amount(expected)} ₽")
            return EXIT_OK
        if args.action == "open":
            opening = _amount(args.opening_cash, "--opening-cash")
            who = identity.shift_cashier(settings, journal, args.cashier, "shift open")
            try:
                shift = shifts.open_shift(journal, who.name, opening)
            except ShiftError as error:
                raise CommandFailed(str(error)) from None
            print(json.dumps(shift_json(shift), ensure_ascii=False) if args.json
                  else f"Открыта смена №{shift.id} кассира {shift.cashier}")
            return EXIT_OK
        if current is None:
            raise CommandFailed("Смена не открыта")
        if args.counted is None:
            raise UsageError("закрытие — с пересчётом: --counted СУММА (наличные в кассе)")
        counted = _amount(args.counted, "--counted")
        person = identity.resolve(settings, args.cashier, current.cashier)
        if person.name != current.cashier and not person.role.supervises:
            raise CommandFailed(f"Смена №{current.id} — кассира {current.cashier}: закрыть её "
                                "может он сам, старший кассир или администратор")
        who = identity.authenticate(journal, person, "shift close")
        try:
            closed = shifts.close_shift(journal, current.id, actor=who.name, role=who.role,
                                        counted=counted)
        except ShiftError as error:
            raise CommandFailed(str(error)) from None
    assert closed.cash_difference is not None and closed.expected_cash is not None
    if args.json:
        print(json.dumps(shift_json(closed), ensure_ascii=False))
    else:
        print(f"Смена №{closed.id} закрыта: ожидалось {format_amount(closed.expected_cash)} ₽, "
              f"пересчитано {format_amount(closed.counted_cash or Decimal(0))} ₽. "
              f"{shifts.difference_text(closed.cash_difference)}")
    return EXIT_OK
