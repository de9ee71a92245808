"""``pay``, ``recover``, ``journal``: payments from the command line (issue 3's contract).

Exit codes of ``pay``: 0 paid, 1 failed or refused locally, 2 usage, 3 still pending when the
wait ran out (the payment stays in the journal; the next start or ``recover`` finishes it).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import open_journal, open_point
from cashier_app.core.money import format_amount
from cashier_app.core.schemes import LineChoice, Money, PaymentRefused, check_amount
from cashier_app.core.services import ACCOUNT, Scheme, ServiceDefinition
from cashier_app.core.states import State, public_status
from cashier_app.core.wire import encode_body
from cashier_app.engine import PaymentEngine, PaymentInput
from cashier_app.engine.catalog import CatalogError, CatalogStore
from cashier_app.journal import Journal, JournalError, PaymentRecord
from cashier_app.journal.leases import describe
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ProcessingError

from . import acceptor_pay, identity
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PENDING,
    UsageError,
    echo,
    written_amount,
)

EXIT_PAID = EXIT_OK
log = logging.getLogger(__name__)
#: a meter reading as a person writes it
METER = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,6})?")


def add_commands(commands: Any) -> None:
    pay = commands.add_parser("pay", help="провести платёж: check, затем pay")
    pay.set_defaults(run=lambda settings, args: asyncio.run(run_pay(settings, args)))
    pay.add_argument("--service", required=True, help="код услуги (serviceId)")
    pay.add_argument("--account", required=True, help="лицевой счёт, номер телефона…")
    pay.add_argument("--extra", action="append", default=[], metavar="NAME=VALUE",
                     help="дополнительное поле услуги")
    pay.add_argument("--amount", help="сумма к зачислению, например 200.00")
    pay.add_argument("--contract", help="договор для схемы «с выбором» (contractId)")
    pay.add_argument("--sub", action="append", default=[], metavar="ID=AMOUNT[@METER]",
                     help="строка квитанции ЖКХ: услуга, сумма и показания счётчика")
    pay.add_argument("--cash", help="сколько денег внёс плательщик (для сдачи)")
    pay.add_argument("--wait", type=float, default=120.0,
                     help="сколько секунд ждать финального ответа (по умолчанию 120)")
    pay.add_argument("--json", action="store_true", help="вывод одним объектом JSON")
    identity.add_cashier_option(pay, "point.cashier, иначе кассир открытой смены")
    acceptor_pay.add_options(pay)

    recover = commands.add_parser("recover", help="довести до конца все платежи «в обработке»")
    recover.set_defaults(run=lambda settings, args: asyncio.run(run_recover(settings, args)))
    recover.add_argument("--wait", type=float, default=120.0)
    recover.add_argument("--json", action="store_true")

    pending = commands.add_parser("pending", help="платежи «в обработке» и их попытки (ничего "
                                                  "не отправляет)")
    pending.set_defaults(run=run_pending)
    pending.add_argument("--json", action="store_true")



def _amount(text: str | None, what: str) -> Decimal | None:
    return None if text is None else written_amount(text, what)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    result = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{what}: ожидается ИМЯ=ЗНАЧЕНИЕ, получено «{item}»")
        if name in result:  # never keep one of two values silently
            raise UsageError(f"{what}: {name} указано дважды")
        result[name] = value
    return result


def _lines(items: list[str]) -> list[LineChoice]:
    lines = []
    for sub_id, text in _pairs(items, "--sub").items():
        amount_text, _, meter = text.partition("@")
        amount = _amount(amount_text, f"--sub {sub_id}")
        assert amount is not None
        if meter and not METER.fullmatch(meter):
            raise UsageError(f"--sub {sub_id}: показания «{meter}» — не число")
        reading = Decimal(meter.replace(",", ".")) if meter else None
        lines.append(LineChoice(sub_id, amount, reading))
    return lines


def record_json(record: PaymentRecord) -> dict[str, Any]:
    return {
        "agentTransactionId": record.agent_transaction_id,
        "transactionId": record.transaction_id,
        "status": public_status(record.state),
        "state": str(record.state),
        "result": record.result,
        "message": record.result_message or "",
        "serviceId": record.service_id,
        "serviceName": record.service_name,
        "account": record.account,
        "amountTo": record.amount_to,
        "commission": record.commission,
        "amountFrom": record.amount_from,
        "cashGiven": record.cash_given,
        "change": record.change,
        "attempts": record.attempts,
        "paymentMethod": record.payment_method,
        "createdAt": record.created_at,
    }


def print_json(data: Any) -> None:
    echo(encode_body(data).decode("utf-8"))


def _describe(record: PaymentRecord) -> str:
    status = {"paid": "проведён", "failed": "не проведён", "pending": "в обработке",
              "check_failed": "не прошёл проверку", "cancelled": "отменён",
              "qr_waiting": "ждёт оплаты по QR СБП"}.get(
        public_status(record.state), str(record.state))
    if record.by_card and record.state is State.QR_WAITING:
        status = "ждёт оплаты картой"
    line = f"Платёж {record.agent_transaction_id}: {status}"
    if record.amount_to is not None:
        line += f", {format_amount(record.amount_to)} на {record.account} ({record.service_name})"
    if record.by_qr:
        line += ", по QR СБП"
    elif record.by_card:
        line += ", картой"
    if record.transaction_id and record.state is State.PAID:
        line += f", транзакция процессинга {record.transaction_id}"
    if record.state is not State.PAID and record.result_message:
        line += f". {record.result_message}"
    if record.change:
        line += f". Сдача: {format_amount(record.change)}"
    return line


async def _service(store: CatalogStore, client: ProcessingClient, service_id: str
                   ) -> ServiceDefinition:
    catalog = store.load()
    if catalog is None or catalog.by_id(service_id) is None:
        try:
            catalog = await store.refresh(client)
        except (ProcessingError, CatalogError) as error:
            raise PaymentRefused(f"Каталог услуг недоступен: {error}") from None
    service = catalog.by_id(service_id)
    if service is None:
        raise PaymentRefused(f"Услуги {service_id} нет в каталоге")
    return service


async def run_pay(settings: cfg.Settings, args: argparse.Namespace) -> int:
    amount = _amount(args.amount, "--amount")
    cash = _amount(args.cash, "--cash")
    extras = _pairs(args.extra, "--extra")
    lines = _lines(args.sub)
    if args.from_acceptor and cash is not None:
        raise UsageError("--cash не нужен с --from-acceptor: внесённое считает купюроприёмник")
    async with open_point(settings) as point:
        journal, engine, client = point.journal, point.engine, point.client
        # the open shift's cashier, PIN checked, before anything is journaled or sent
        cashier = identity.payer(settings, journal, args.cashier).name
        # every payment left in paying is resumed before new work starts (one that fails
        # unexpectedly is logged and left for later: it must not block this payment)
        await engine.scheduler.recover(wait=0)
        record = None
        unit = acceptor_pay.AcceptorPay(point, args) if args.from_acceptor else None
        try:
            if unit is not None:
                await unit.start()
            shift = journal.open_shift_now()
            if shift is None:
                raise PaymentRefused("Смена не открыта: платежи не принимаются (откройте "
                                     "смену в окне кассы или: cashier-app shift open)")
            if shift.cashier != cashier:  # closed and reopened since the PIN was checked
                raise PaymentRefused(f"Открыта смена кассира {shift.cashier}: платёж "
                                     "принимает кассир смены")
            service = await _service(point.catalog, client, args.service)
            values = {**extras, ACCOUNT: args.account}
            refuse_before_sending(service, extras, amount=amount, cash=cash,
                                  contract=args.contract, lines=lines, quote=engine.quote)
            record = engine.begin(PaymentInput(
                service, values, cashier=cashier, shift_id=shift.id))
            record = await engine.recheck(record.agent_transaction_id)
            if record.state is State.CHECKED and unit is not None:
                record = await unit.pay(record, service, amount, args.contract, lines)
                record = await engine.scheduler.settle(record.agent_transaction_id,
                                                       wait=args.wait)
            elif record.state is State.CHECKED and getattr(args, "by_card", False):
                from . import card  # the card command's way of paying

                record = await card.pay_by_card(point, record, service, args, amount, lines)
            elif record.state is State.CHECKED:
                plan = engine.plan(record, amount=amount, contract_id=args.contract,
                                   lines=lines, cash_given=cash,
                                   fixed_payment=service.fixed_payment)
                record = await engine.pay(record.agent_transaction_id, plan)
                record = await engine.scheduler.settle(record.agent_transaction_id,
                                                       wait=args.wait)
        except PaymentRefused as error:
            if record is not None and record.state is State.CHECKED:
                record = engine.cancel(record.agent_transaction_id, str(error))
            if args.json:
                print_json({**(record_json(record) if record else {}),
                             "status": "refused", "message": str(error)})
            echo(f"cashier-app: {error}", err=True)
            return EXIT_FAILED
        except (Exception, asyncio.CancelledError) as error:
            return _unfinished(journal, engine, record, error, as_json=args.json)
        finally:
            if unit is not None:
                await unit.close()
    return _report(record, as_json=args.json)


def refuse_before_sending(service: ServiceDefinition, extras: dict[str, str], *,
                          amount: Decimal | None, cash: Decimal | None,
                          contract: str | None, lines: list[LineChoice],
                          quote: Callable[[str, Decimal, Decimal | None], Money]) -> None:
    """Everything that can be refused without the center's answer is refused here, before
    a payment is journaled or a check sent: fields the service does not have, options of
    another scheme, a missing or zero amount, cash that cannot cover it."""
    known = {spec.name for spec in service.inputs if spec.name != ACCOUNT}
    unknown = sorted(set(extras) - known)
    if unknown:
        fields = ", ".join(sorted(known)) or "нет"
        raise PaymentRefused(f"У услуги {service.service_id} нет полей {', '.join(unknown)} "
                             f"(дополнительные поля услуги: {fields})")
    scheme = service.scheme
    if contract is not None and scheme is not Scheme.CHOICE:
        raise PaymentRefused("--contract — только для услуг с выбором договора")
    if lines and scheme is not Scheme.COMPLEX:
        raise PaymentRefused("--sub — только для услуг с квитанцией ЖКХ")
    if scheme is Scheme.CHOICE and not contract:
        raise PaymentRefused("Укажите договор: --contract ID (список договоров даёт проверка "
                             "платежа в окне кассы)")
    if scheme is Scheme.COMPLEX and not lines:
        raise PaymentRefused("Укажите строки квитанции: --sub УСЛУГА=СУММА[@ПОКАЗАНИЯ]")
    for line in lines:
        check_amount(line.amount, f"Сумма строки {line.sub_service_id}")
    if scheme is Scheme.SIMPLE and not service.fixed_payment and amount is None:
        raise PaymentRefused("Укажите сумму: --amount СУММА")
    if amount is not None:
        check_amount(amount)
        limit = service.limits.problem(amount)
        if limit:  # the provider would refuse it (241/242) after the cash was taken
            raise PaymentRefused(f"{limit} (пределы услуги: {service.limits.describe()})")
    known_total = amount if amount is not None else (
        sum((line.amount for line in lines), Decimal("0.00")) if lines else None)
    if cash is not None and known_total is not None:
        quote(service.service_id, known_total, cash)  # PaymentRefused: the cash is short


def _unfinished(journal: Journal, engine: PaymentEngine, record: PaymentRecord | None,
                error: BaseException, *, as_json: bool) -> int:
    """Something unexpected stopped ``pay`` (a full disk, a bug, Ctrl+C). What the person is
    told depends only on what the journal says of the payment — never «не проведён» for one
    whose pay may have gone out."""
    if isinstance(error, JournalError):
        log.error("pay stopped: %s", error)
    else:
        log.error("pay stopped unexpectedly", exc_info=error)
    reason = str(error) if isinstance(error, JournalError) else (
        "прервано" if isinstance(error, asyncio.CancelledError) else
        "внутренняя ошибка программы (подробности — в логе)")
    if record is None:
        echo(f"cashier-app: платёж не начат: {reason}", err=True)
        return EXIT_FAILED
    tx_id = record.agent_transaction_id
    try:
        record = journal.get(tx_id)
    except JournalError:
        echo(f"cashier-app: платёж {tx_id}: {reason}. Состояние платежа прочитать не удалось: "
             "он остаётся в журнале и будет доведён при следующем запуске или командой "
             "cashier-app recover", err=True)
        return EXIT_PENDING
    if record.state in (State.NEW, State.CHECKING, State.CHECKED):
        try:  # nothing was paid: close it now rather than at the next start
            record = engine.cancel(tx_id, f"Не проведён: {reason}")
        except JournalError:
            pass
    echo(f"cashier-app: платёж {tx_id}: {reason}", err=True)
    return _report(record, as_json=as_json)


def _report(record: PaymentRecord, *, as_json: bool) -> int:
    """Print the payment's outcome; the exit code says it: 0 paid, 3 still «в обработке»
    (or waiting for a QR payment), 1 only for a payment that is final and not paid."""
    if as_json:
        print_json(record_json(record))
    else:
        echo(_describe(record))
    if record.state is State.PAID:
        return EXIT_PAID
    if record.state in (State.PAYING, State.QR_WAITING):
        return EXIT_PENDING
    return EXIT_FAILED


async def run_recover(settings: cfg.Settings, args: argparse.Namespace) -> int:
    async with open_point(settings) as point:
        records = await point.engine.scheduler.recover(wait=args.wait)
    if args.json:
        print_json([record_json(r) for r in records])
    else:
        for record in records:
            echo(_describe(record))
        if not records:
            echo("Платежей в обработке нет")
    unsettled = (State.PAYING, State.QR_WAITING)
    return EXIT_PENDING if any(r.state in unsettled for r in records) else EXIT_PAID


def run_pending(settings: cfg.Settings, args: argparse.Namespace) -> int:
    with open_journal(settings) as journal:
        rows = []
        lease = journal.lease
        for record in journal.unsettled():
            attempts = journal.attempts(record.agent_transaction_id)
            # who works it: another program that is still running, or nobody (the next start)
            working = (describe(record.owner) if lease is not None
                       and record.owner != journal.owner and lease.alive(record.owner)
                       else None)
            rows.append({**record_json(record), "nextAttemptAt": record.next_attempt_at,
                         "workedBy": working,
                         "attemptLog": [{"method": a.method, "at": a.started_at,
                                         "ms": a.duration_ms, "outcome": a.outcome,
                                         "result": a.result, "message": a.message}
                                        for a in attempts]})
    if args.json:
        print_json(rows)
        return EXIT_PAID
    if not rows:
        echo("Платежей в обработке нет")
    for row in rows:
        echo(f"{row['agentTransactionId']}  {row['serviceId']} {row['account']}  "
              f"{format_amount(row['amountTo'])}  попыток: {row['attempts']}, следующая: "
              f"{(row['nextAttemptAt'] or '—')[11:19]}  {row['message']}"
             + (f"  (ведёт {row['workedBy']})" if row["workedBy"] else ""))
        for attempt in row["attemptLog"]:
            code = "—" if attempt["result"] is None else attempt["result"]
            echo(f"    {attempt['at'][11:23]}  {attempt['method']:<5} {attempt['ms']:>5} мс  "
                  f"{attempt['outcome']:<9} {code}  {attempt['message']}")
    return EXIT_PAID
