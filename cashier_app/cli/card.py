"""``cashier-app card …``: payments by card through the gateway (seed 004) from the command
line — the same work as the window's «Картой по ссылке» and the supervisor's refund.

``card pay`` is ``pay`` with the card as the way of paying: the same cashier with a PIN, the
same open shift, the same check with the processing center; then the gateway payment is
created, its ``regPayNum`` and ``payUrl`` printed at once (the person opens the link on their
phone), and the command waits up to ``--wait`` for the gateway's final word. Exit codes as
``pay``'s: 0 paid, 1 not paid (declined, expired, refused), 2 usage, 3 not known yet (the
payment stays in the journal and is followed by the next start or ``recover``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import Point, open_point
from cashier_app.card_api.errors import CardError, CardInputError, CardRefused
from cashier_app.core.schemes import LineChoice
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cards import SENDING, UNKNOWN, CardRefund
from cashier_app.workplace.card_desk import CardDesk

from . import identity
from .common import EXIT_FAILED, EXIT_OK, EXIT_PENDING, UsageError, echo, written_amount
from .payments import print_json, record_json, run_pay


def add_commands(commands: Any) -> None:
    card = commands.add_parser("card", help="оплата банковской картой через платёжный шлюз")
    sub = card.add_subparsers(dest="card_command", metavar="ДЕЙСТВИЕ", required=True)

    pay = sub.add_parser("pay", help="платёж картой по ссылке (или сохранённой картой)")
    pay.add_argument("--service", required=True, help="код услуги (serviceId)")
    pay.add_argument("--account", required=True, help="лицевой счёт, номер телефона…")
    pay.add_argument("--extra", action="append", default=[], metavar="NAME=VALUE")
    pay.add_argument("--amount", help="сумма к зачислению, например 450.00")
    pay.add_argument("--contract", help="договор для схемы «с выбором»")
    pay.add_argument("--sub", action="append", default=[], metavar="ID=AMOUNT[@METER]")
    pay.add_argument("--phone", help="телефон плательщика для шлюза (userPhone)")
    pay.add_argument("--email", help="e-mail плательщика для чека шлюза (userEmail)")
    pay.add_argument("--saved-card", metavar="CARD_TOKEN",
                     help="оплатить сохранённой картой клиента с телефоном --phone")
    pay.add_argument("--wait", type=float, default=300.0,
                     help="сколько секунд ждать оплаты (по умолчанию 300)")
    pay.add_argument("--json", action="store_true")
    identity.add_cashier_option(pay, "кассир открытой смены")
    pay.set_defaults(run=lambda settings, args: asyncio.run(run_pay(settings, args)),
                     by_card=True, from_acceptor=False, cash=None)

    def command(name: str, help_text: str, run: Callable[..., Awaitable[int]]
                ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(run=lambda settings, args: asyncio.run(_run(settings, args, run)))
        return parser

    status = command("status", "статус платежа в шлюзе и в журнале", _status)
    status.add_argument("reg_pay_num", metavar="REGPAYNUM")
    refund = command("refund", "вернуть на карту (старший кассир)", _refund)
    refund.add_argument("reg_pay_num", metavar="REGPAYNUM")
    refund.add_argument("--amount", required=True)
    refund.add_argument("--note", required=True, help="причина возврата")
    identity.add_cashier_option(refund, "point.cashier")
    check = command("refund-check", "проверить по статусу шлюза возвраты платежа без "
                                    "подтверждения (старший кассир)", _refund_check)
    check.add_argument("reg_pay_num", metavar="REGPAYNUM")
    identity.add_cashier_option(check, "point.cashier")
    user = command("user", "клиент для сохранённых карт: register или status", _user)
    user.add_argument("action", choices=("register", "status"))
    user.add_argument("--phone", required=True)
    user.add_argument("--email")
    identity.add_cashier_option(user, "point.cashier (для register)")
    cards = command("cards", "сохранённые карты клиента", _cards)
    cards.add_argument("--phone", required=True)
    add = command("add", "привязать новую карту: ссылка на страницу шлюза", _add)
    add.add_argument("--phone", required=True)
    identity.add_cashier_option(add, "point.cashier")
    remove = command("remove", "удалить сохранённую карту", _remove)
    remove.add_argument("--phone", required=True)
    remove.add_argument("--card", required=True, metavar="CARD_TOKEN")
    identity.add_cashier_option(remove, "point.cashier")
    decide = command("decide", "решение старшего кассира по платежу сохранённой картой, "
                               "ответ на который потерян (без ID — список)", _decide)
    decide.add_argument("operation", nargs="?", type=int, metavar="ID")
    choice = decide.add_mutually_exclusive_group()
    choice.add_argument("--reg-pay-num", metavar="N", help="номер платежа из кабинета шлюза")
    choice.add_argument("--not-done", action="store_true", help="признать не проведённым")
    decide.add_argument("--reason", default="")
    decide.add_argument("--wait", type=float, default=30.0)
    identity.add_cashier_option(decide, "point.cashier")


# --- card pay: the card branch of ``pay`` ---------------------------------------------------
async def pay_by_card(point: Point, record: PaymentRecord, service: ServiceDefinition,
                      args: argparse.Namespace, amount: Decimal | None,
                      lines: list[LineChoice]) -> PaymentRecord:
    """After the check: the gateway payment created, its link said at once, then followed."""
    engine = point.engine
    plan = engine.plan(record, amount=amount, contract_id=args.contract, lines=lines,
                       fixed_payment=service.fixed_payment)
    how: dict[str, Any] = {"phone": args.phone, "email": args.email}
    if args.saved_card:
        if not args.phone:
            raise UsageError("--saved-card: укажите и --phone клиента")
        how = {"card_token": args.saved_card,
               "user_token": await CardDesk(engine).saved_card_user(args.phone)}
    record = await engine.start_card(record.agent_transaction_id, plan.money, plan.extras,
                                     plan.lines, **how)
    _say_link(record, as_json=args.json)
    return await engine.scheduler.settle(record.agent_transaction_id, wait=args.wait)


def _say_link(record: PaymentRecord, *, as_json: bool) -> None:
    if record.card_reg_pay_num is None:
        return
    link = record.qr_payload or record.card_secure_url
    if as_json:
        print(json.dumps({"event": "link", "agentTransactionId": record.agent_transaction_id,
                          "regPayNum": record.card_reg_pay_num, "payUrl": link,
                          "expiresAt": record.qr_expires_at}, ensure_ascii=False), flush=True)
    else:
        echo(f"Платёж шлюза {record.card_reg_pay_num}: {link or 'оплата сохранённой картой'}")


# --- the others -------------------------------------------------------------------------------
async def _run(settings: cfg.Settings, args: argparse.Namespace,
               run: Callable[[Point, argparse.Namespace], Awaitable[int]]) -> int:
    async with open_point(settings) as point:
        if point.engine.card is None:
            raise UsageError("оплата картой не настроена: задайте card.url и card.token")
        try:
            return await run(point, args)
        except CardInputError as error:
            raise UsageError(str(error)) from None
        except CardRefused as error:
            if args.json:
                print_json({"status": "refused", "message": str(error),
                            "errorCode": error.error_code})
            echo(f"cashier-app: {error}", err=True)
            return EXIT_FAILED
        except CardError as error:
            if args.json:
                print_json({"status": "unknown", "message": str(error)})
            echo(f"cashier-app: {error}", err=True)
            return EXIT_PENDING


def _desk(point: Point, args: argparse.Namespace, *, supervisor: bool = False) -> CardDesk:
    person = identity.authenticate(point.journal, identity.resolve(point.settings,
                                                                   args.cashier),
                                   f"card {args.card_command}")
    if supervisor and not person.role.supervises:
        raise UsageError(f"это делает старший кассир, а {person.name} — {person.role}")
    return CardDesk(point.engine, actor=person.name, role=str(person.role))


def _by_reg_pay_num(point: Point, reg_pay_num: str) -> PaymentRecord | None:
    row = point.journal.db.execute("select agent_transaction_id from payments where "
                                   "card_reg_pay_num = ?", [reg_pay_num]).fetchone()
    return point.journal.get(row[0]) if row else None


async def _status(point: Point, args: argparse.Namespace) -> int:
    client = CardDesk(point.engine).client
    status = await client.status(args.reg_pay_num)
    record = _by_reg_pay_num(point, args.reg_pay_num)
    if args.json:
        print_json({"regPayNum": args.reg_pay_num, "state": status.state,
                    "totalAmount": status.total_amount, "remainingAmount":
                    status.remaining_amount, "errorCode": status.error_code,
                    "securePageURL": status.secure_page_url,
                    "payment": record_json(record) if record else None})
    else:
        echo(f"Платёж шлюза {args.reg_pay_num}: {status.state}"
             + (f", остаток {status.remaining_amount}" if status.remaining_amount is not None
                else "")
             + (f"; в журнале — платёж {record.agent_transaction_id}" if record else
                "; в журнале этой кассы его нет"))
    return EXIT_OK


def _refund_json(refund: CardRefund) -> dict[str, Any]:
    return {"id": refund.id, "agentTransactionId": refund.agent_transaction_id,
            "amount": refund.amount, "remainingAfter": refund.remaining_after,
            "state": refund.state, "message": refund.message or ""}


async def _refund(point: Point, args: argparse.Namespace) -> int:
    amount = written_amount(args.amount, "--amount")
    record = _by_reg_pay_num(point, args.reg_pay_num)
    if record is None:
        raise UsageError(f"платежа шлюза {args.reg_pay_num} в журнале этой кассы нет")
    refund = await _desk(point, args, supervisor=True).refund(
        record.agent_transaction_id, amount, args.note)
    if args.json:
        print_json(_refund_json(refund))
    else:
        echo(f"Возврат {refund.amount} ₽ по платежу {args.reg_pay_num}: {refund.state}. "
             f"{refund.message or ''}".strip())
    return {"done": EXIT_OK, "refused": EXIT_FAILED}.get(refund.state, EXIT_PENDING)


async def _refund_check(point: Point, args: argparse.Namespace) -> int:
    """Every refund of the payment still «sending» or «unknown» (its answer lost, or the
    program that sent it stopped) settled by the gateway's remainder, as the supervisor's
    «Проверить возврат» does. Nothing is sent again."""
    record = _by_reg_pay_num(point, args.reg_pay_num)
    if record is None:
        raise UsageError(f"платежа шлюза {args.reg_pay_num} в журнале этой кассы нет")
    open_ones = [r for r in point.journal.card_refunds(record.agent_transaction_id)
                 if r.state in (SENDING, UNKNOWN)]
    desk = _desk(point, args, supervisor=True)
    checked = [await desk.recheck_refund(refund.id) for refund in open_ones]
    if args.json:
        print_json([_refund_json(refund) for refund in checked])
    elif not checked:
        echo(f"По платежу {args.reg_pay_num} неподтверждённых возвратов нет")
    else:
        for refund in checked:
            echo(f"Возврат {refund.id} на {refund.amount} ₽: {refund.state}. "
                 f"{refund.message or ''}".strip())
    return EXIT_PENDING if any(r.state in (SENDING, UNKNOWN) for r in checked) else EXIT_OK


async def _user(point: Point, args: argparse.Namespace) -> int:
    if args.action == "register":
        entry = await _desk(point, args).register_user(args.phone, email=args.email)
    else:
        found = await CardDesk(point.engine).user(args.phone)
        if found is None:
            if args.json:
                print_json({"login": args.phone, "state": "not_registered"})
            else:
                echo("Клиент с этим телефоном для сохранённых карт не зарегистрирован")
            return EXIT_FAILED
        entry = found
    if args.json:
        print_json({"login": entry.login, "state": entry.state, "email": entry.email})
    else:
        echo(f"Клиент {entry.login}: {entry.state or 'зарегистрирован'}")
    return EXIT_OK


async def _cards(point: Point, args: argparse.Namespace) -> int:
    listed = await CardDesk(point.engine).cards(args.phone)
    if args.json:
        print_json([{"cardMask": c.card_mask, "cardToken": c.card_token,
                     "cardType": c.card_type, "state": c.state} for c in listed.cards])
    for card in listed.cards if not args.json else ():
        echo(f"{card.card_mask}\t{card.card_type}\t{card.state}\t{card.card_token}")
    if not listed.cards and not args.json:
        echo("Сохранённых карт нет")
    return EXIT_OK


async def _add(point: Point, args: argparse.Namespace) -> int:
    registration = await _desk(point, args).add_card(args.phone)
    if args.json:
        print_json({"regPayNum": registration.reg_pay_num, "payUrl": registration.pay_url})
    else:
        echo(f"Страница привязки карты для клиента: {registration.pay_url}")
    return EXIT_OK


async def _remove(point: Point, args: argparse.Namespace) -> int:
    answer = await _desk(point, args).remove_card(args.phone, args.card)
    if args.json:
        print_json({"resultState": answer.result_state, "desc": answer.desc})
    else:
        echo(f"Карта удалена: {answer.desc or answer.result_state}")
    return EXIT_OK


async def _decide(point: Point, args: argparse.Namespace) -> int:
    if args.operation is None:
        waiting = [r for r in point.journal.in_state(State.QR_WAITING)
                   if r.by_card and r.needs_decision]
        if args.json:
            print_json([{**record_json(r), "needsDecision": r.needs_decision}
                        for r in waiting])
        for record in waiting if not args.json else ():
            echo(f"Платёж {record.agent_transaction_id}: {record.needs_decision}")
        if not waiting and not args.json:
            echo("Платежей картой, ждущих решения, нет")
        return EXIT_OK
    if not (args.reg_pay_num or args.not_done) or not args.reason.strip():
        raise UsageError("укажите --reg-pay-num N или --not-done, и --reason")
    desk = _desk(point, args, supervisor=True)
    record = await desk.decide(args.operation, reg_pay_num=args.reg_pay_num,
                               reason=args.reason)
    record = await point.engine.scheduler.settle(record.agent_transaction_id, wait=args.wait)
    if args.json:
        print_json(record_json(record))
    else:
        echo(f"Платёж {record.agent_transaction_id}: {record.state}. "
             f"{record.result_message or ''}".strip())
    if record.state is State.PAID:
        return EXIT_OK
    return EXIT_PENDING if record.state is State.QR_WAITING else EXIT_FAILED
