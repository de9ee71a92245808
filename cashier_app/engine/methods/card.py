"""Payment by card through the gateway of seed 004: the person pays on the gateway's page
from their own phone (a link shown as a QR code), or with a card they saved before. The card
data never enter this program.

A card payment is checked with the processing center first (v20 check, as every payment),
and then paid **only** through the gateway, which credits the provider by serviceCode: no v20
pay is sent for it. What makes it safe:

* the gateway payment's creation request is journaled — state ``qr_waiting``, method
  ``card``, the exact bytes, ``orderBestBefore`` as its deadline — before it is sent;
* a **lost answer to the creation** of a payment by link is safe without asking anything:
  the link (``payUrl`` with its ``regPayNum``) exists only in that answer, nobody has seen
  it, so nobody can open the page and pay it; and the gateway ends it itself at the
  ``orderBestBefore`` we sent. The payment is not done (``failed``), nothing is repeated, and
  the cashier may take the money another way;
* a journaled ``regPayNum`` is followed through status to the gateway's final word —
  payed → ``paid``, declined or expired → ``failed`` (``cancelled`` after the cashier's
  cancel) — across restarts; only the gateway's word ends it;
* a payment with a **saved card** moves money at once, so its lost answer is not safe: it
  waits for a supervisor's decision (the gateway's number from its cabinet, then followed; or
  not done) and is never repeated;
* a refund (:meth:`CardPay.refund`) is journaled before it is sent with the sum the payment
  will have left after it; a lost answer is settled through status (``remainingAmount``),
  never re-sent blindly — and a repeat could not refund twice anyway: it names a remainder
  that is no longer true.

No Qt here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cashier_app.card_api.client import CardClient
from cashier_app.card_api.errors import CardError, CardNoAnswer, CardRefused, Need3ds
from cashier_app.card_api.models import Created, PaymentStatus
from cashier_app.card_api.requests import anonymous_body, recurrent_body, refund_body
from cashier_app.core.schemes import Money, PaidLine, PaymentRefused
from cashier_app.core.states import State
from cashier_app.core.text import money as money_text
from cashier_app.journal import CARD, Attempt, PaymentRecord
from cashier_app.journal.cards import DONE, REFUSED, SENDING, UNKNOWN, CardRefund
from cashier_app.util.failpoints import failpoint

from ..attempts import answer_text, service_attempt
from .cash import journal_lines

if TYPE_CHECKING:
    from ..payments import PaymentEngine

log = logging.getLogger(__name__)
CREATING = "Создаём ссылку на оплату картой"
WAITING = "Ждём оплаты картой по ссылке"
HELD = "Деньги на карте заблокированы, ждём подтверждения оплаты"
SECURE = "Клиенту нужно подтвердить оплату (3-D Secure): покажите ему код страницы банка"
LINK_LOST = ("Ответ шлюза со ссылкой не получен: ссылку никто не видел, оплатить её нельзя — "
             "деньги не списаны. Примите оплату другим способом")
EXPIRED = "Срок оплаты по ссылке истёк: деньги не списаны"
DECLINED = "Оплата картой отклонена"
PAID = "Оплачено картой"
SAVED_LOST = ("Ответ шлюза на оплату сохранённой картой потерян: деньги могли быть списаны. "
              "Старший кассир проверяет платёж в кабинете шлюза (в реквизитах — номер "
              "платежа {tx}) и указывает его номер, или признаёт платёж не проведённым")
INTERRUPTED = "Программа перезапускалась: ссылка больше не на экране, следим до конца"
#: the gateway's states that end a payment (and what each means here)
FINAL_STATES = ("payed", "declined", "expired")
#: a payment waiting for a decision still looks again this often
DECISION_RECHECK = timedelta(hours=1)
#: A refund still «sending» is younger than this: the program that sent it may still be
#: waiting for the gateway's answer (no exchange with the gateway lasts as long), so an
#: unchanged remainder does not yet mean "not refunded".
REFUND_IN_FLIGHT = timedelta(minutes=2)
MAYBE_IN_FLIGHT = ("Возврат, возможно, ещё отправляется (остаток в шлюзе пока прежний): "
                   "проверьте через пару минут")


@dataclass(frozen=True)
class CardSettings:
    """What the card method needs of the settings: the gateway's serviceCode of each of our
    services (``*`` for every other), how long a link may be paid, how often status is
    asked while it may be."""

    service_map: Mapping[str, str] = field(default_factory=dict)
    lifetime: int = 900
    poll_seconds: float = 2.0

    def service_code(self, service_id: str) -> str:
        code = self.service_map.get(service_id) or self.service_map.get("*")
        if not code:
            raise PaymentRefused(f"Услуга {service_id} не подключена к оплате картой "
                                 "(card.service_map)")
        return code


def properties(record: PaymentRecord) -> list[tuple[str, str]]:
    """The service's requisites as the gateway's ``properties``: each field under the title
    the catalog gave it, and our payment number (how a supervisor finds it in the gateway's
    cabinet)."""
    titles = (record.field_titles or {}).get("inputs", {})
    values = {"account": record.account, **record.extras}
    shown = [(titles.get(name) or name, str(value)) for name, value in values.items()
             if value and name != "contractId"]
    return [*shown, ("Номер платежа", str(record.agent_transaction_id))]


class CardPay:
    """The card method beside cash, QR СБП and the wallet: the engine's journal, locks and
    events; it leaves a payment in ``qr_waiting`` until the gateway's final word."""

    name = CARD
    waiting: tuple[State, ...] = (State.QR_WAITING,)

    def __init__(self, engine: PaymentEngine, client: CardClient,
                 settings: CardSettings | None = None) -> None:
        self.engine = engine
        self.client = client
        self.settings = settings or CardSettings()

    # --- starting ------------------------------------------------------------------------
    async def start(self, agent_transaction_id: int, money: Money,
                    extras: dict[str, str] | None = None, lines: tuple[PaidLine, ...] = (),
                    *, phone: str | None = None, email: str | None = None,
                    user_token: str | None = None, card_token: str | None = None
                    ) -> PaymentRecord:
        """Journal the gateway payment's request (``qr_waiting``), then create it: by link
        (its ``payUrl`` in ``qr_payload``), or with a saved card (``card_token``)."""
        engine = self.engine
        async with engine.lock(agent_transaction_id):
            record = engine.journal.get(agent_transaction_id)
            if record.state is not State.CHECKED:
                if record.state in (State.QR_WAITING, State.PAYING, State.PAID, State.FAILED):
                    return record  # a second press: the first one already started
                raise PaymentRefused("Сначала проверьте платёж")
            code = self.settings.service_code(record.service_id)
            deadline = int(time.time()) + self.settings.lifetime
            requisites = properties(record)
            if card_token:
                if not user_token:
                    raise PaymentRefused("Для оплаты сохранённой картой нужен пользователь")
                body = recurrent_body(code, user_token, card_token, money.amount_to,
                                      money.commission, order_best_before=deadline,
                                      properties=requisites)
            else:
                body = anonymous_body(code, money.amount_to, money.commission,
                                      order_best_before=deadline, properties=requisites,
                                      user_phone=phone, user_email=email,
                                      order_note=record.service_name)
            record = engine.journal.transition(
                agent_transaction_id, State.QR_WAITING, expect=State.CHECKED,
                payment_method=CARD, card_body=body, card_token=card_token,
                card_user_token=user_token, amount_to=money.amount_to,
                commission=money.commission, amount_from=money.amount_from,
                cash_given=None, change=None, extras=extras or record.extras,
                extra_services=journal_lines(lines), result_message=CREATING,
                qr_expires_at=datetime.fromtimestamp(deadline).isoformat(timespec="seconds"),
                next_attempt_at=_iso(engine.clock()))
            engine.emit(record)
            if record.state is not State.QR_WAITING:
                return record
            failpoint("before-card-create")
            return await self._create(record)

    async def _create(self, record: PaymentRecord) -> PaymentRecord:
        tx_id, body = record.agent_transaction_id, record.card_body
        assert body is not None
        started, began = self.engine.clock(), time.monotonic()
        saved = record.card_token is not None
        try:
            created: Created = await (self.client.recurrent(body) if saved
                                      else self.client.create(body))
        except Need3ds as step:  # a saved card that asks the person for 3-D Secure
            failpoint("after-card-answer")
            attempt = _attempt(tx_id, "card-create", started, began, body, None,
                               {"regPayNum": step.reg_pay_num, "errorCode": "2365"})
            return self._write(record, attempt, card_reg_pay_num=step.reg_pay_num,
                               card_secure_url=step.secure_page_url, qr_payload=None,
                               card_state="created", qr_status="3ds", result_message=SECURE)
        except CardRefused as error:
            failpoint("after-card-answer")
            attempt = _attempt(tx_id, "card-create", started, began, body, error)
            return self._end(record, State.FAILED, str(error), attempt)
        except CardError as error:
            failpoint("after-card-answer")
            attempt = _attempt(tx_id, "card-create", started, began, body, error)
            if saved:  # money may have moved: nobody but a person can say
                log.error("card payment %s by a saved card: lost answer (%s)", tx_id, error)
                text = SAVED_LOST.format(tx=tx_id)
                return self._write(record, attempt, needs_decision=text, result_message=text,
                                   next_attempt_at=_iso(self.engine.clock()
                                                        + DECISION_RECHECK))
            return self._end(record, State.FAILED, LINK_LOST, attempt)
        failpoint("after-card-answer")
        attempt = _attempt(tx_id, "card-create", started, began, body, None, created.raw)
        return self._write(record, attempt, card_reg_pay_num=created.reg_pay_num,
                           qr_payload=None if saved else created.pay_url, card_state="created",
                           qr_status="created", result_message=WAITING,
                           transaction_id=_number(created.reg_pay_num))

    # --- following -----------------------------------------------------------------------
    async def advance(self, agent_transaction_id: int) -> PaymentRecord:
        """One status request for a payment waiting at the gateway."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.QR_WAITING:
                return record
            if record.needs_decision:
                return self._write(record, None, next_attempt_at=_iso(
                    self.engine.clock() + DECISION_RECHECK))
            if record.card_reg_pay_num is None:
                if record.card_token:  # a saved card's creation: never sent again
                    text = SAVED_LOST.format(tx=agent_transaction_id)
                    return self._write(record, None, needs_decision=text, result_message=text)
                # journaled, then no answer seen (a crash): the link nobody saw
                return self._end(record, State.FAILED, LINK_LOST)
            return await self._status(record)

    async def _status(self, record: PaymentRecord) -> PaymentRecord:
        assert record.card_reg_pay_num is not None
        started, began = self.engine.clock(), time.monotonic()
        try:
            status = await self.client.status(record.card_reg_pay_num)
        except CardError as error:
            return self._later(record, f"Статус оплаты картой не получен: {error}",
                               failed=True, attempt=_attempt(
                                   record.agent_transaction_id, "card-status", started, began,
                                   None, error))
        changed = status.state != record.card_state or (
            status.needs_3ds and status.secure_page_url != record.card_secure_url)
        attempt = (_attempt(record.agent_transaction_id, "card-status", started, began, None,
                            None, status.raw) if changed else None)
        return self._outcome(record, status, attempt)

    def _outcome(self, record: PaymentRecord, status: PaymentStatus,
                 attempt: Attempt | None) -> PaymentRecord:
        cancelled = bool(record.cancel_requested_at)
        if status.paid:
            total = status.total_amount or record.amount_from
            return self._end(record, State.PAID, PAID, attempt, card_state=status.state,
                             qr_status=status.state, card_remaining=total,
                             card_secure_url=None)
        if status.state == "declined":
            why = " — ".join(part for part in (status.message or status.error, (
                f"код {status.error_code}" if status.error_code else "")) if part)
            return self._end(record, State.CANCELLED if cancelled else State.FAILED,
                             f"{DECLINED}{': ' + why if why else ''}. Деньги не списаны",
                             attempt, card_state=status.state, qr_status=status.state)
        if status.state == "expired":
            return self._end(record, State.CANCELLED if cancelled else State.FAILED, EXPIRED,
                             attempt, card_state=status.state, qr_status=status.state)
        values: dict[str, Any] = {"card_state": status.state, "qr_status": status.state}
        if status.needs_3ds:
            values.update(card_secure_url=status.secure_page_url, qr_status="3ds",
                          result_message=SECURE)
        elif status.state == "holded":
            values.update(result_message=HELD, card_secure_url=None)
        elif not cancelled:
            values.update(result_message=WAITING)
        return self._later(record, None, attempt=attempt, **values)

    def _later(self, record: PaymentRecord, message: str | None, *, failed: bool = False,
               attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        """The next status request: every ``poll_seconds`` while the link may be paid, then
        at growing intervals (the gateway's word on an expired link is still awaited)."""
        now = self.engine.clock()
        failures = record.qr_failures + 1 if failed else 0
        delay = self.settings.poll_seconds
        deadline = (datetime.fromisoformat(record.qr_expires_at)
                    if record.qr_expires_at else None)
        if failed or (deadline is not None and now > deadline):
            delay = max(delay, self.engine.policy.delay(max(failures, 1)))
        if message is not None:
            values["result_message"] = message
        return self._write(record, attempt, qr_failures=failures,
                           next_attempt_at=_iso(now + timedelta(seconds=delay)), **values)

    def _write(self, record: PaymentRecord, attempt: Attempt | None, **values: Any
               ) -> PaymentRecord:
        updated = self.engine.journal.update(record.agent_transaction_id,
                                             expect=State.QR_WAITING, attempt=attempt,
                                             **values)
        if attempt is not None or updated.result_message != record.result_message:
            self.engine.emit(updated)
        return updated

    def _end(self, record: PaymentRecord, target: State, message: str,
             attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        return self.engine.emit(self.engine.journal.transition(
            record.agent_transaction_id, target, expect=State.QR_WAITING, attempt=attempt,
            result_message=message, next_attempt_at=None, needs_decision=None,
            settled_at=_iso(self.engine.clock(), "seconds"), **values))

    # --- the cashier, a restart, the supervisor -----------------------------------------
    async def cancel(self, agent_transaction_id: int, reason: str = "Отменён кассиром"
                     ) -> PaymentRecord:
        """The cashier gives up on the link. There is no method to withdraw it, so it is
        followed to its end: ``cancelled`` when the gateway says it was not paid, ``paid``
        if the person paid it after all."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.QR_WAITING or record.payment_method != CARD:
                return record
            if record.needs_decision or (record.card_token and not record.card_reg_pay_num):
                return record  # a saved card's charge may have happened: the supervisor's
            if not record.cancel_requested_at:
                record = self._write(record, None, result_message=reason,
                                     cancel_requested_at=_iso(self.engine.clock(), "seconds"))
            if record.card_reg_pay_num is None:
                return self._end(record, State.CANCELLED, LINK_LOST)
            return await self._status(record)

    def interrupt(self) -> list[PaymentRecord]:
        """At start-up: the links on screen before are no longer shown; each is followed to
        its end as if the cashier had cancelled it (a program still running keeps its own)."""
        now = _iso(self.engine.clock(), "seconds")
        return [self.engine.emit(self.engine.journal.update(
                    record.agent_transaction_id, expect=State.QR_WAITING,
                    cancel_requested_at=now, result_message=INTERRUPTED, next_attempt_at=None))
                for record in self.engine.journal.in_state(State.QR_WAITING)
                if record.payment_method == CARD and not record.cancel_requested_at
                and not record.needs_decision
                and not self.engine.scheduler.alive(record.owner)]

    async def decide(self, agent_transaction_id: int, *, reg_pay_num: str | None,
                     actor: str, reason: str) -> PaymentRecord:
        """A saved card's payment whose answer was lost: the gateway's number as the
        supervisor found it in the cabinet (then followed by status), or None — not done."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.QR_WAITING or not record.needs_decision:
                raise PaymentRefused("Этот платёж не ждёт решения")
            if reg_pay_num is None:
                return self._end(record, State.FAILED,
                                 f"Признан не проведённым: {actor}, {reason}")
            record = self._write(record, None, card_reg_pay_num=reg_pay_num.strip(),
                                 needs_decision=None, transaction_id=_number(reg_pay_num),
                                 result_message=f"Номер платежа шлюза указал {actor}")
            return await self._status(record)

    # --- refunds -------------------------------------------------------------------------
    async def refund(self, agent_transaction_id: int, amount: Decimal, note: str, *,
                     actor: str) -> CardRefund:
        """Give back ``amount`` of a paid card payment to the card (the supervisor's action:
        the caller checked who). Journaled before it is sent; a lost answer is settled by
        the gateway's status."""
        journal = self.engine.journal
        async with self.engine.lock(agent_transaction_id):
            record = journal.get(agent_transaction_id)
            if not record.by_card or record.state is not State.PAID:
                raise PaymentRefused("Вернуть на карту можно только оплаченный картой платёж")
            if any(r.state in ("sending", UNKNOWN)
                   for r in journal.card_refunds(agent_transaction_id)):
                raise PaymentRefused("Прошлый возврат по этому платежу ещё не подтверждён: "
                                     "сначала проверьте его")
            before = record.card_remaining if record.card_remaining is not None else (
                record.amount_from or Decimal("0.00"))
            if not Decimal("0.00") < amount <= before:
                raise PaymentRefused(f"Вернуть можно от 0,01 ₽ до {money_text(before)}")
            assert record.card_reg_pay_num is not None
            after = before - amount
            body = refund_body(record.card_reg_pay_num, amount, after, note)
            refund = journal.add_refund(agent_transaction_id, actor=actor, note=note,
                                        amount=amount, remaining_before=before,
                                        remaining_after=after, body=body)
            failpoint("before-card-refund")
            try:
                answer = await self.client.refund(body)
            except CardRefused as error:
                return journal.settle_refund(refund.id, REFUSED, message=str(error),
                                             answer=error.answer_text)
            except CardError as error:
                log.warning("card refund %s: no answer (%s)", refund.id, error)
                journal.settle_refund(refund.id, UNKNOWN, message=str(error))
                return await self._settle_refund(record, refund.id)
            failpoint("after-card-refund")
            self.engine.emit(journal.get(agent_transaction_id))
            return journal.settle_refund(refund.id, DONE, message="Возвращено на карту",
                                         answer=answer_text(answer.raw))

    async def recheck_refund(self, refund_id: int) -> CardRefund:
        """A refund whose answer was lost, or whose program stopped while sending it,
        settled through status now. One still «sending» and young may be in flight in
        another program: its remainder unchanged says nothing yet (:data:`REFUND_IN_FLIGHT`)."""
        refund = self.engine.journal.card_refund(refund_id)
        record = self.engine.journal.get(refund.agent_transaction_id)
        in_flight = refund.state == SENDING and (
            self.engine.clock() - datetime.fromisoformat(refund.at) < REFUND_IN_FLIGHT)
        async with self.engine.lock(record.agent_transaction_id):
            return await self._settle_refund(record, refund_id, maybe_in_flight=in_flight)

    async def _settle_refund(self, record: PaymentRecord, refund_id: int, *,
                             maybe_in_flight: bool = False) -> CardRefund:
        """What the gateway's remainder says of a refund: lowered by it — done; as it was
        before — not done (refused: a new refund may be asked for), unless it may still be
        on its way (``maybe_in_flight``: it stays «sending»); anything else, or no status —
        still unknown (nothing is sent again)."""
        journal = self.engine.journal
        refund = journal.card_refund(refund_id)
        assert record.card_reg_pay_num is not None
        try:
            status = await self.client.status(record.card_reg_pay_num)
        except CardError as error:
            return journal.settle_refund(refund_id, SENDING if maybe_in_flight else UNKNOWN,
                                         message=f"Возврат не подтверждён: {error}")
        remaining = status.remaining_amount
        if remaining == refund.remaining_after:
            settled = journal.settle_refund(refund_id, DONE,
                                            message="Возвращено на карту (по статусу шлюза)",
                                            answer=answer_text(status.raw))
            self.engine.emit(journal.get(record.agent_transaction_id))
            return settled
        if remaining == refund.remaining_before and maybe_in_flight:
            return journal.settle_refund(refund_id, SENDING, message=MAYBE_IN_FLIGHT)
        if remaining == refund.remaining_before:
            return journal.settle_refund(refund_id, REFUSED, answer=answer_text(status.raw),
                                         message="Шлюз возврата не сделал (остаток прежний)")
        return journal.settle_refund(refund_id, UNKNOWN, answer=answer_text(status.raw),
                                     message=f"Остаток по шлюзу {remaining}: возврат не ясен")


def _number(reg_pay_num: str) -> int | None:
    """The gateway's number as the payment's transaction number (receipts show it)."""
    return int(reg_pay_num) if reg_pay_num.isdigit() and len(reg_pay_num) <= 18 else None


def _iso(moment: datetime, timespec: str = "milliseconds") -> str:
    return moment.isoformat(timespec=timespec)


def _attempt(tx_id: int, method: str, started: datetime, began: float, body: bytes | None,
             error: CardError | None, raw: Any = None) -> Attempt:
    """One request to the gateway as the journal keeps it."""
    return service_attempt(tx_id, method, started, began, body=body, error=error,
                           refused=not isinstance(error, CardNoAnswer), raw=raw)


__all__: Sequence[str] = ("CardPay", "CardSettings", "properties")
