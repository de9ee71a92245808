"""``cashier-app wallet …``: the e-wallet from the command line, the same work as the window's
«Кошелёк» page (:class:`~cashier_app.workplace.wallet_desk.WalletDesk`).

Who may do what: reading (``info``, ``find``, ``report``, ``banks``, ``limits`` without
``--set``) needs nobody; what changes a wallet (``register``, ``identify``, ``close``,
``limits --set``) is done as a cashier with their PIN (audited); what moves money
(``refill``, ``pay``, ``withdraw``) as the open shift's cashier, like ``pay``; ``decide`` as a
supervisor. Exit codes as ``pay``'s: 0 done, 1 refused, 2 usage, 3 the outcome is not known
yet (the operation stays in the journal and is followed at the next start or ``recover``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point, open_point
from cashier_app.core.money import format_amount
from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord, WalletEntry
from cashier_app.wallet_api.errors import WalletError, WalletInputError, WalletRefused
from cashier_app.wallet_api.models import ReportFilter
from cashier_app.workplace.wallet_desk import WalletCard, WalletDesk, identification_title

from . import identity
from .common import EXIT_FAILED, EXIT_OK, EXIT_PENDING, UsageError, echo, written_amount
from .payments import print_json, record_json

TYPES = ("PAYMENT", "CREDIT", "DEBIT", "REFUND")


def add_commands(commands: Any) -> None:
    wallet = commands.add_parser("wallet", help="электронные кошельки «ВсеПлатежи»")
    sub = wallet.add_subparsers(dest="wallet_command", metavar="ДЕЙСТВИЕ", required=True)

    def command(name: str, help_text: str, run: Callable[..., Awaitable[int]]
                ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        parser.add_argument("--json", action="store_true", help="вывод в JSON")
        parser.set_defaults(run=lambda settings, args: asyncio.run(_run(settings, args, run)))
        return parser

    register = command("register", "открыть кошелёк по телефону", _register)
    register.add_argument("--phone", required=True, help="телефон, 10 цифр: 9XXXXXXXXX")
    register.add_argument("--identification", type=int, choices=(0, 1, 2),
                          help="0 — без идентификации, 1 — УПРИД, 2 — полная")
    identity.add_cashier_option(register, "point.cashier")
    info = command("info", "баланс, статус и лимиты кошелька", _info)
    info.add_argument("wallet_id", metavar="WALLET_ID")
    find = command("find", "кошельки из справочника кассы по телефону", _find)
    find.add_argument("phone", metavar="PHONE")
    ident = command("identify", "изменить уровень идентификации (паспорт проверен)", _identify)
    ident.add_argument("wallet_id", metavar="WALLET_ID")
    ident.add_argument("--level", type=int, choices=(0, 1, 2), required=True)
    identity.add_cashier_option(ident, "point.cashier")
    refill = command("refill", "пополнить по ссылке СБП (клиент подтверждает в своём банке)",
                     _refill)
    refill.add_argument("wallet_id", metavar="WALLET_ID")
    refill.add_argument("--amount", required=True)
    refill.add_argument("--wait", type=float, default=300.0,
                        help="сколько секунд ждать зачисления (по умолчанию 300)")
    identity.add_cashier_option(refill, "кассир открытой смены")
    pay = command("pay", "оплатить с кошелька получателю (ТСП)", _pay)
    pay.add_argument("wallet_id", metavar="WALLET_ID")
    pay.add_argument("--amount", required=True)
    pay.add_argument("--tsp", required=True, help="идентификатор получателя")
    pay.add_argument("--wait", type=float, default=120.0)
    identity.add_cashier_option(pay, "кассир открытой смены")
    command("banks", "банки для вывода средств", _banks)
    withdraw = command("withdraw", "вывести с кошелька в банк", _withdraw)
    withdraw.add_argument("wallet_id", metavar="WALLET_ID")
    withdraw.add_argument("--bank", required=True, help="bankIdentifier из wallet banks")
    withdraw.add_argument("--amount", required=True)
    withdraw.add_argument("--wait", type=float, default=120.0)
    identity.add_cashier_option(withdraw, "кассир открытой смены")
    report = command("report", "отчёт операций кошелька", _report)
    report.add_argument("wallet_id", metavar="WALLET_ID")
    report.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD")
    report.add_argument("--type", choices=TYPES)
    report.add_argument("--page", type=int, default=0, help="номер страницы, с 0")
    report.add_argument("--size", type=int, default=20, help="строк на странице, до 100")
    limits = command("limits", "лимиты кошелька; --set меняет", _limits)
    limits.add_argument("wallet_id", metavar="WALLET_ID")
    limits.add_argument("--set", action="append", default=[], metavar="TYPE.FIELD=VALUE",
                        help="например PAYMENT.oneTimeLimit=5000.00 или DEBIT.enabled=false")
    identity.add_cashier_option(limits, "point.cashier")
    close = command("close", "закрыть кошелёк (баланс должен быть нулевым)", _close)
    close.add_argument("wallet_id", metavar="WALLET_ID")
    identity.add_cashier_option(close, "point.cashier")
    decide = command("decide", "решение старшего кассира по операции, ждущей решения "
                               "(без ID — список таких операций)", _decide)
    decide.add_argument("operation", nargs="?", type=int, metavar="ID")
    choice = decide.add_mutually_exclusive_group()
    choice.add_argument("--resend", action="store_true", help="отправить тот же запрос снова")
    choice.add_argument("--not-done", action="store_true", help="признать не проведённой")
    decide.add_argument("--reason", default="", help="причина (обязательна для решения)")
    decide.add_argument("--wait", type=float, default=60.0,
                        help="после «отправить снова» — сколько секунд ждать ответа")
    identity.add_cashier_option(decide, "point.cashier")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"дата ГГГГ-ММ-ДД, получено «{text}»") from None


async def _run(settings: cfg.Settings, args: argparse.Namespace,
               run: Callable[[Point, argparse.Namespace], Awaitable[int]]) -> int:
    async with open_point(settings) as point:
        if point.engine.wallet is None:
            raise UsageError("электронные кошельки не настроены: задайте wallet.url, "
                             "wallet.client_id, wallet.client_secret, wallet.partner_id")
        try:
            return await run(point, args)
        except WalletInputError as error:
            raise UsageError(str(error)) from None
        except WalletRefused as error:
            if args.json:
                print_json({"status": "refused", "message": str(error),
                            "code": error.code, "fieldErrors": error.field_errors})
            echo(f"cashier-app: {error}", err=True)
            return EXIT_FAILED
        except WalletError as error:  # no answer: nothing that moves money ends here
            if args.json:
                print_json({"status": "unknown", "message": str(error)})
            echo(f"cashier-app: {error}", err=True)
            return EXIT_PENDING


def _desk(point: Point, args: argparse.Namespace, *, who: str) -> WalletDesk:
    """The desk acting as nobody (reading), a cashier (``change``), the open shift's cashier
    (``money``) or a supervisor (``decide``) — PIN checked before anything is sent."""
    settings, journal = point.settings, point.journal
    if who == "read":
        return WalletDesk(point.engine)
    if who == "money":
        person = identity.payer(settings, journal, args.cashier)
        shift = journal.open_shift_now()
        if shift is None:
            raise UsageError("смена не открыта: операции с деньгами не принимаются")
        return WalletDesk(point.engine, actor=person.name, role=str(person.role),
                          shift_id=shift.id)
    person = identity.authenticate(journal, identity.resolve(settings, args.cashier),
                                   f"wallet {args.wallet_command}")
    if who == "supervisor" and not person.role.supervises:
        raise UsageError(f"решение по операции принимает старший кассир, а "
                         f"{person.name} — {person.role}")
    return WalletDesk(point.engine, actor=person.name, role=str(person.role))


def _entry_json(entry: WalletEntry) -> dict[str, Any]:
    return {"walletId": entry.wallet_id, "phone": entry.phone, "number": entry.number,
            "identification": entry.identification, "status": entry.status,
            "balance": entry.balance, "openedAt": entry.opened_at}


def _entry_line(entry: WalletEntry) -> str:
    balance = f", баланс {format_amount(entry.balance)}" if entry.balance is not None else ""
    return (f"Кошелёк {entry.wallet_id}: телефон {entry.phone or '—'}, номер "
            f"{entry.number or '—'}, {identification_title(entry.identification)}, "
            f"{'закрыт' if (entry.status or '').upper() == 'CLOSED' else 'действует'}"
            f"{balance}")


async def _register(point: Point, args: argparse.Namespace) -> int:
    desk = _desk(point, args, who="change")
    # a level given on the command line is the cashier's word that the passport was checked
    entry = await desk.register(args.phone, args.identification,
                                document_checked=args.identification is not None)
    print_json(_entry_json(entry)) if args.json else echo(_entry_line(entry))
    return EXIT_OK


async def _find(point: Point, args: argparse.Namespace) -> int:
    entries = _desk(point, args, who="read").find(args.phone)
    if args.json:
        print_json([_entry_json(entry) for entry in entries])
    for entry in entries if not args.json else ():
        echo(_entry_line(entry))
    if not entries and not args.json:
        echo("В справочнике кассы кошельков с этим телефоном нет")
    return EXIT_OK


async def _info(point: Point, args: argparse.Namespace) -> int:
    card = await _desk(point, args, who="read").card(args.wallet_id)
    if card.problem and card.info is None:
        raise _no_info(card)
    if args.json:
        print_json({**_entry_json(card.entry), **_limits_json(card)})
    else:
        echo(_entry_line(card.entry))
        for line in _limit_lines(card):
            echo(line)
    return EXIT_OK


def _no_info(card: WalletCard) -> WalletError:
    from cashier_app.wallet_api.errors import WalletNoAnswer

    return WalletNoAnswer("card", card.problem)


def _limits_json(card: WalletCard) -> dict[str, Any]:
    if card.limits is None:
        return {}
    return {"balanceLimit": card.limits.balance_limit, "limits": {
        kind: {"oneTimeLimit": limit.one_time, "monthLimit": limit.month,
               "enabled": limit.enabled} for kind, limit in card.limits.operations.items()}}


def _limit_lines(card: WalletCard) -> list[str]:
    if card.limits is None:
        return []
    def text(value: Decimal | None) -> str:
        return format_amount(value) if value is not None else "без ограничения"
    lines = [f"Лимит остатка: {text(card.limits.balance_limit)}"]
    for kind, limit in card.limits.operations.items():
        lines.append(f"{kind}: разовая {text(limit.one_time)}, в месяц {text(limit.month)}"
                     f"{'' if limit.enabled else ', запрещено'}")
    return lines


async def _identify(point: Point, args: argparse.Namespace) -> int:
    desk = _desk(point, args, who="change")
    # the command's use is the cashier's word that the passport was checked (audited)
    entry = await desk.identify(args.wallet_id, args.level, document_checked=True)
    print_json(_entry_json(entry)) if args.json else echo(_entry_line(entry))
    return EXIT_OK


async def _close(point: Point, args: argparse.Namespace) -> int:
    entry = await _desk(point, args, who="change").close(args.wallet_id)
    print_json(_entry_json(entry)) if args.json else echo(_entry_line(entry))
    return EXIT_OK


async def _banks(point: Point, args: argparse.Namespace) -> int:
    banks = await _desk(point, args, who="read").banks()
    if args.json:
        print_json([{"bankIdentifier": b.bank_identifier, "name": b.name,
                     "originalName": b.original_name, "bic": b.bic} for b in banks])
    for bank in banks if not args.json else ():
        echo(f"{bank.bank_identifier}\t{bank.name}\tБИК {bank.bic}")
    return EXIT_OK


async def _limits(point: Point, args: argparse.Namespace) -> int:
    changes: dict[str, dict[str, Any]] = {}
    for item in args.set:
        target, sep, value = item.partition("=")
        kind, dot, field = target.partition(".")
        if not sep or not dot or kind not in ("CREDIT", "PAYMENT", "DEBIT") or field not in (
                "oneTimeLimit", "monthLimit", "enabled"):
            raise UsageError(f"--set: ожидается CREDIT|PAYMENT|DEBIT.oneTimeLimit|monthLimit|"
                             f"enabled=ЗНАЧЕНИЕ, получено «{item}»")
        if field == "enabled":
            if value not in ("true", "false"):
                raise UsageError("--set …enabled=true или false")
            changes.setdefault(kind, {})[field] = value == "true"
        else:
            changes.setdefault(kind, {})[field] = written_amount(value, "--set")
    if changes:
        await _desk(point, args, who="change").set_limits(args.wallet_id, changes)
    card = await _desk(point, args, who="read").card(args.wallet_id)
    if args.json:
        print_json(_limits_json(card))
    else:
        for line in _limit_lines(card) or [card.problem]:
            echo(line)
    return EXIT_OK


async def _report(point: Point, args: argparse.Namespace) -> int:
    if not 1 <= args.size <= 100:
        raise UsageError("--size: от 1 до 100 (больше сервис не отдаёт)")
    if args.page < 0:
        raise UsageError("--page: с 0")
    flt = ReportFilter(
        date_from=datetime.combine(args.date_from, time.min) if args.date_from else None,
        date_to=datetime.combine(args.date_to, time(23, 59, 59)) if args.date_to else None,
        operation_type=args.type, page=args.page, size=args.size)
    page = await _desk(point, args, who="read").report(args.wallet_id, flt)
    if args.json:
        print_json({"page": page.page, "size": page.size, "total": page.total, "content": [
            {"operationType": o.operation_type, "description": o.description,
             "operationDate": o.operation_date.isoformat(sep=" "), "amount": o.amount,
             "tsp": o.tsp} for o in page.content]})
        return EXIT_OK
    for o in page.content:
        echo(f"{o.operation_date:%d.%m.%Y %H:%M:%S}\t{o.operation_type}\t"
             f"{format_amount(o.amount)}\t{o.description}")
    total = f" из {page.total}" if page.total is not None else ""
    echo(f"Страница {page.page}, операций {len(page.content)}{total}")
    return EXIT_OK


# --- money -------------------------------------------------------------------------------
async def _refill(point: Point, args: argparse.Namespace) -> int:
    amount = written_amount(args.amount, "--amount")  # a typo is refused before the PIN
    desk = _desk(point, args, who="money")
    await point.engine.scheduler.recover(wait=0)
    record = await desk.refill(args.wallet_id, amount)
    if record.qr_payload:  # at once: the person opens it in their bank app
        if args.json:
            print_json({"event": "link", "agentTransactionId": record.agent_transaction_id,
                        "payload": record.qr_payload, "expiresAt": record.qr_expires_at})
        else:
            echo(f"Ссылка СБП для банка клиента: {record.qr_payload}")
    return await _finish(desk, record, args)


async def _pay(point: Point, args: argparse.Namespace) -> int:
    amount = written_amount(args.amount, "--amount")  # a typo is refused before the PIN
    desk = _desk(point, args, who="money")
    await point.engine.scheduler.recover(wait=0)
    return await _finish(desk, await desk.pay(args.wallet_id, amount, args.tsp), args)


async def _withdraw(point: Point, args: argparse.Namespace) -> int:
    amount = written_amount(args.amount, "--amount")  # a typo is refused before the PIN
    desk = _desk(point, args, who="money")
    await point.engine.scheduler.recover(wait=0)
    return await _finish(desk, await desk.withdraw(args.wallet_id, args.bank, amount), args)


async def _finish(desk: WalletDesk, record: PaymentRecord, args: argparse.Namespace) -> int:
    record = await desk.follow(record.agent_transaction_id, wait=args.wait)
    if args.json:
        print_json({**record_json(record), "walletId": record.wallet_id,
                    "operation": record.wallet_operation,
                    "needsDecision": record.needs_decision})
    else:
        echo(operation_line(record))
    if record.state is State.PAID:
        return EXIT_OK
    if record.state in (State.PAYING, State.QR_WAITING):
        return EXIT_PENDING
    return EXIT_FAILED


def operation_line(record: PaymentRecord) -> str:
    words = {State.PAID: "проведена", State.FAILED: "не проведена",
             State.CANCELLED: "не проведена", State.PAYING: "в обработке",
             State.QR_WAITING: "ждёт подтверждения в банке"}
    line = (f"Операция {record.agent_transaction_id} ({record.service_name}, "
            f"{format_amount(record.amount_to or Decimal(0))}): "
            f"{words.get(record.state, str(record.state))}")
    return f"{line}. {record.result_message}" if record.result_message else line


async def _decide(point: Point, args: argparse.Namespace) -> int:
    reader = WalletDesk(point.engine)
    if args.operation is None:
        waiting = reader.needing_decision()
        if args.json:
            print_json([{**record_json(r), "needsDecision": r.needs_decision}
                        for r in waiting])
        for record in waiting if not args.json else ():
            echo(operation_line(record))
        if not waiting and not args.json:
            echo("Операций, ждущих решения, нет")
        return EXIT_OK
    if not (args.resend or args.not_done):
        raise UsageError("укажите решение: --resend или --not-done, и --reason")
    if not args.reason.strip():
        raise UsageError("--reason: причина решения обязательна")
    desk = _desk(point, args, who="supervisor")
    record = await desk.decide(args.operation, resend=args.resend, reason=args.reason)
    return await _finish(desk, record, args)
