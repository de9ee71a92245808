"""Payment by QR СБП: the person pays a code on screen instead of handing over cash.

The same promises as a cash pay (:mod:`cashier_app.engine`), for a code:

* the request that creates the code (``create``, or ``activate`` of the desk's cash-register
  link) is journaled — state ``qr_waiting``, method ``sbp``, the exact bytes — *before* it is
  sent, and every repeat sends those bytes with the same agentTransactionId;
* only the center's word ends a code: PAID → ``paid``, EXPIRED or REJECTED → ``failed`` (no
  money moved), and after the cashier's cancel an unpaid end → ``cancelled``. A dynamic QR
  cannot be withdrawn (no such method), so a cancelled one is watched until it expires: if the
  person pays it after all, the payment is paid and the window says so. A link activation is
  deactivated at once;
* the status is asked every ``poll_interval`` seconds while the code can be paid, at growing
  intervals when there is no answer; at start-up every code left waiting is looked up first
  (one paid while the program was down is found and finished), and a create that was never
  answered is not repeated — nobody would see that code — but looked up by agentTransactionId.

No Qt here; the window follows the payment through the engine's events.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cashier_app.core.result_codes import Finality, classify
from cashier_app.core.schemes import Money, PaidLine, PaymentRefused
from cashier_app.core.states import State
from cashier_app.core.wire import decode_body, encode_body
from cashier_app.journal import SBP, Attempt, PaymentRecord
from cashier_app.processing.errors import AuthError, TransportError
from cashier_app.processing.requests import format_agent_date
from cashier_app.processing.sbp import QrAnswer, QrStatus, SbpClient, qr_request
from cashier_app.util.failpoints import failpoint

from ..attempts import send_timed
from .cash import journal_lines, wire_lines

if TYPE_CHECKING:
    from ..payments import PaymentEngine

log = logging.getLogger(__name__)
#: the journal's name for each adapter method in a payment's attempts
ATTEMPT_NAMES = {"create": "qr-create", "status": "qr-status", "register": "link-register",
                 "activate": "link-activate", "deactivate": "link-deactivate"}
INTERRUPTED = "Программа перезапускалась: QR-код больше не на экране"


class QrPay:
    """The QR СБП method, composed into :class:`~cashier_app.engine.PaymentEngine` beside the
    cash one: the same journal, attempt recording, retry policy and locks (the engine's)."""

    name = SBP
    #: the state it leaves a payment in until the center's word
    waiting: tuple[State, ...] = (State.QR_WAITING,)

    def __init__(self, engine: PaymentEngine, sbp: SbpClient) -> None:
        self.engine = engine
        self.sbp = sbp

    def _sbp(self) -> SbpClient:
        return self.sbp

    # --- starting a code ----------------------------------------------------------------
    async def start(self, agent_transaction_id: int, money: Money,
                       extras: dict[str, str] | None = None,
                       lines: tuple[PaidLine, ...] = ()) -> PaymentRecord:
        """Journal the code's request (state ``qr_waiting``), then ask the center for it. The
        answer's code is in ``qr_payload``; ``qr_status`` CREATED means it can be paid."""
        sbp = self._sbp()
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.CHECKED:
                if record.state in (State.QR_WAITING, State.PAYING, State.PAID, State.FAILED):
                    return record  # a second press: the first one already started
                raise PaymentRefused("Сначала проверьте платёж")
            link: tuple[str, str] | None = None
            if sbp.mode == "cash_link":
                busy = [r for r in self.engine.journal.in_state(State.QR_WAITING)
                        if r.qr_mode == "cash_link"]
                if busy:
                    raise PaymentRefused(
                        f"Кассовая ссылка занята платежом {busy[0].agent_transaction_id}: "
                        "дождитесь его оплаты или отмените его")
                link = await self._cash_link(sbp)
            body = sbp.encode(qr_request(
                service_id=record.service_id, account=record.account,
                agent_transaction_id=agent_transaction_id,
                agent_transaction_date=record.agent_transaction_date,
                amount_to=money.amount_to, amount_from=money.amount_from,
                lifetime=sbp.lifetime, extras=extras or None,
                extra_services=wire_lines(lines),
                identity_card=record.identity_card, full_name=record.full_name,
                qr_id=link[0] if link else None))
            record = self.engine.journal.transition(
                agent_transaction_id, State.QR_WAITING, expect=State.CHECKED,
                payment_method=SBP,
                qr_mode=sbp.mode, qr_body=body, qr_id=link[0] if link else None,
                amount_to=money.amount_to, commission=money.commission,
                amount_from=money.amount_from, cash_given=None, change=None,
                extras=extras or record.extras,
                extra_services=journal_lines(lines),
                result_message="Создаём QR-код",
                next_attempt_at=self.engine.clock().isoformat(timespec="milliseconds"))
            self.engine.emit(record)
            if record.state is not State.QR_WAITING:  # settled elsewhere meanwhile
                return record
            failpoint("before-qr-create")
            return await self._poll_qr_locked(record)

    async def _cash_link(self, sbp: SbpClient) -> tuple[str, str]:
        """The desk's reusable code, registered once and kept in the journal."""
        known = self.engine.journal.cash_link()
        if known is not None:
            return known
        try:
            answer = await sbp.send("register", sbp.encode({}))
        except (TransportError, AuthError) as error:
            raise PaymentRefused(f"Кассовая ссылка не получена: {error}") from error
        if not answer.ok or not answer.qr_id or not answer.payload:
            raise PaymentRefused(f"Кассовая ссылка не получена: {answer.cashier_message}")
        self.engine.journal.save_cash_link(answer.qr_id, answer.payload)
        return answer.qr_id, answer.payload

    async def renew(self, agent_transaction_id: int) -> PaymentRecord:
        """A new code for a payment whose code expired or was rejected: a new payment (new
        agentTransactionId — a repeat of the old id would return the old code) with the same
        data and amounts, checked again, then a new code."""
        old = self.engine.journal.get(agent_transaction_id)
        if not old.by_qr or old.state not in (State.FAILED, State.CANCELLED):
            raise PaymentRefused("Новый QR-код можно получить только вместо неоплаченного")
        assert old.check_body is not None and old.amount_to is not None
        check = decode_body(old.check_body)
        new_id = self.engine.ids.allocate()
        check["agentTransactionId"] = new_id
        check["agentTransactionDate"] = format_agent_date(self.engine.clock())
        self.engine.emit(self.engine.journal.create(
            agent_transaction_id=new_id, service_id=old.service_id,
            service_name=old.service_name, scheme=old.scheme, account=old.account,
            extras=check.get("extras") or {},
            identity_card=old.identity_card, full_name=old.full_name,
            agent_transaction_date=check["agentTransactionDate"],
            check_body=encode_body(check), cashier=old.cashier, shift_id=old.shift_id,
            field_titles=old.field_titles))
        record = await self.engine.recheck(new_id)
        if record.state is not State.CHECKED:
            return record
        money = Money(old.amount_to, old.commission or Decimal("0.00"),
                      old.amount_from or old.amount_to, old.amount_from or old.amount_to,
                      Decimal("0.00"))
        lines = tuple(PaidLine(str(item["subServiceId"]), Decimal(str(item["amount"])),
                               item.get("lastCount")) for item in old.extra_services or ())
        return await self.start(new_id, money, dict(old.extras), lines)

    # --- following a code ---------------------------------------------------------------
    async def advance(self, agent_transaction_id: int) -> PaymentRecord:
        """One step for a waiting code (no-op in any other state)."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.QR_WAITING:
                return record
            return await self._poll_qr_locked(record)

    async def cancel(self, agent_transaction_id: int,
                        reason: str = "Отменён кассиром") -> PaymentRecord:
        """The cashier gives up on the code. Ends ``cancelled`` once the center confirms it
        can no longer be paid (a link is deactivated now; a dynamic QR at its expiry), or
        ``paid`` if the person paid it after all."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.QR_WAITING or record.payment_method != SBP:
                return record  # not a code (a wallet refill's link cannot be withdrawn)
            if not record.cancel_requested_at:
                record = self.engine.emit(self.engine.journal.update(
                    agent_transaction_id, expect=State.QR_WAITING, result_message=reason,
                    cancel_requested_at=self.engine.clock().isoformat(timespec="seconds")))
            return await self._poll_qr_locked(record)

    def interrupt(self) -> list[PaymentRecord]:
        """At start-up: the codes on screen before the restart are no longer shown; each is
        looked up and ended (or watched to its end) as if the cashier had cancelled it. A code
        on the screen of another program that is still running is left alone."""
        now = self.engine.clock().isoformat(timespec="seconds")
        return [self.engine.emit(self.engine.journal.update(
                    record.agent_transaction_id, expect=State.QR_WAITING,
                    cancel_requested_at=now, result_message=INTERRUPTED,
                    next_attempt_at=None))
                for record in self.engine.journal.in_state(State.QR_WAITING)
                if record.payment_method == SBP and not record.cancel_requested_at
                and not self.engine.scheduler.alive(record.owner)]

    async def _poll_qr_locked(self, record: PaymentRecord) -> PaymentRecord:
        sbp = self._sbp()
        tx_id = record.agent_transaction_id
        if record.qr_status is None and not record.cancel_requested_at:
            assert record.qr_body is not None
            kind = "activate" if record.qr_mode == "cash_link" else "create"
            return await self._qr_call(record, kind, record.qr_body)
        if record.cancel_requested_at and record.qr_mode == "cash_link" and (
                record.qr_status in (None, QrStatus.CREATED)):
            record = await self._qr_call(record, "deactivate",
                                         sbp.status_body(record.qr_id, tx_id))
            if record.state is not State.QR_WAITING or record.qr_status != QrStatus.CREATED:
                return record
        qr_id = record.qr_id if record.qr_status is not None else None
        return await self._qr_call(record, "status", sbp.status_body(qr_id, tx_id))

    async def _qr_call(self, record: PaymentRecord, kind: str, body: bytes) -> PaymentRecord:
        sent = await send_timed(self._sbp().send(kind, body), self.engine.clock, body)
        if sent.answer is not None:
            problem = sent.answer.foreign_problem(
                record.agent_transaction_id, record.qr_id if kind != "create" else None)
            if problem:
                log.error("QR %s %s: %s: %r", kind, record.agent_transaction_id, problem,
                          dict(sent.answer.raw))
                sent = sent.disbelieved(problem)
        self.engine.observe(sent)
        answer, message = sent.answer, sent.message
        if answer is not None and answer.status_word:
            message = f"{answer.status_word} {message}".strip()
        changed = (kind != "status" or answer is None or not answer.ok
                   or answer.status is None or str(answer.status) != record.qr_status)
        # a code is polled every few seconds: the history keeps what changed
        attempt = (sent.attempt(record.agent_transaction_id, ATTEMPT_NAMES[kind], message)
                   if changed else None)
        if answer is None:
            log.warning("QR %s %s: %s", kind, record.agent_transaction_id, message)
        elif answer.problems:
            log.warning("QR %s %s: %s", kind, record.agent_transaction_id,
                        "; ".join(answer.problems))
        outcome = self._qr_outcome(record, kind, answer, message, attempt)
        if changed or record.qr_failures:
            # a poll that only says «still CREATED» again is nothing for the window to redraw
            # (it would reload «Сегодня» every few seconds)
            self.engine.emit(outcome)
        return outcome

    def _qr_outcome(self, record: PaymentRecord, kind: str, answer: QrAnswer | None,
                    problem: str, attempt: Attempt | None) -> PaymentRecord:
        """The journal write for one QR answer, together with its attempt; each write expects
        the code still waiting (another program may have ended it meanwhile)."""
        tx_id = record.agent_transaction_id
        now = self.engine.clock()
        settled = now.isoformat(timespec="seconds")
        write: dict[str, Any] = {"expect": State.QR_WAITING, "attempt": attempt}
        if answer is None or classify(answer.result) is Finality.NOT_FINAL:
            return self._qr_later(record, answer.cashier_message if answer else problem, write)
        if not answer.ok:
            if kind in ("create", "activate"):
                # the center refused to make the code: nothing can be paid
                return self.engine.journal.transition(
                    tx_id, State.FAILED, result=answer.result,
                    result_message=answer.cashier_message, settled_at=settled,
                    next_attempt_at=None, **write)
            # a refusal to *tell* the status says nothing of the payment: ask again, later
            log.warning("QR %s %s refused: %s", kind, tx_id, answer.cashier_message)
            return self._qr_later(record, answer.cashier_message, write)
        if kind in ("create", "activate"):
            return self._qr_created(record, answer, write)
        status = answer.status
        if status is QrStatus.PAID:
            return self.engine.journal.transition(
                tx_id, State.PAID, result=0, result_message="Оплачено по QR СБП",
                qr_status=str(status), transaction_id=answer.transaction_id
                or record.transaction_id,
                transaction_date=(answer.paid_at or now).isoformat(timespec="milliseconds"),
                next_attempt_at=None, qr_failures=0, settled_at=settled, **write)
        reason = str(answer.raw.get("reason") or "")
        if status is QrStatus.EXPIRED or (status is QrStatus.NOT_FOUND
                                          and record.qr_status is None):
            if record.cancel_requested_at:
                text = (record.result_message or "Отменён") + (
                    ": QR-код не был создан" if status is QrStatus.NOT_FOUND
                    else ": QR-код не оплачен")
                return self.engine.journal.transition(tx_id, State.CANCELLED, qr_status=str(status),
                                               result_message=text, next_attempt_at=None,
                                               settled_at=settled, **write)
            return self.engine.journal.transition(
                tx_id, State.FAILED, qr_status=str(status), next_attempt_at=None,
                result_message="Срок QR-кода истёк: оплата не поступила", settled_at=settled,
                **write)
        if status is QrStatus.REJECTED:
            return self.engine.journal.transition(
                tx_id, State.FAILED, qr_status=str(status), next_attempt_at=None,
                result_message="Оплата по QR отклонена" + (f": {reason}" if reason else ""),
                settled_at=settled, **write)
        if status is not QrStatus.CREATED:
            # no status, an unknown word, or a code that existed and now is "not found": keep
            # watching — calling it unpaid could lose a payment
            log.warning("QR status %s for %s: %r", kind, tx_id, answer.status_word)
            return self._qr_later(record, record.result_message or "", write)
        return self.engine.journal.update(
            tx_id, qr_status=str(status), qr_failures=0, qr_id=record.qr_id or answer.qr_id,
            next_attempt_at=(now + timedelta(seconds=self._qr_poll_delay(record, now)))
            .isoformat(timespec="milliseconds"), **write)

    def _qr_created(self, record: PaymentRecord, answer: QrAnswer,
                    write: dict[str, Any]) -> PaymentRecord:
        sbp = self._sbp()
        now = self.engine.clock()
        payload = answer.payload
        if record.qr_mode == "cash_link":
            link = self.engine.journal.cash_link()
            payload = payload or (link[1] if link else None)
        # the center's expiry, unless it is absurd against our clock (then our lifetime)
        expires = answer.expires_at
        if expires is None or not now <= expires <= now + timedelta(seconds=sbp.lifetime + 60):
            expires = now + timedelta(seconds=sbp.lifetime)
        values: dict[str, Any] = dict(
            qr_id=answer.qr_id or record.qr_id, qr_payload=payload,
            qr_expires_at=expires.isoformat(timespec="seconds"), qr_status=str(QrStatus.CREATED),
            qr_failures=0, transaction_id=answer.transaction_id or record.transaction_id,
            result_message="Ждём оплату по QR-коду",
            next_attempt_at=(now + timedelta(seconds=sbp.poll_interval))
            .isoformat(timespec="milliseconds"))
        if not payload:
            # a code the center made but did not send: it cannot be shown; watch it to its end
            log.error("QR create %s: the answer has no payload", record.agent_transaction_id)
            values.update(cancel_requested_at=now.isoformat(timespec="seconds"),
                          result_message="Процессинг не прислал QR-код")
        return self.engine.journal.update(record.agent_transaction_id, **values, **write)

    @staticmethod
    def _qr_live(record: PaymentRecord, now: datetime) -> bool:
        """Can the code still be paid (with a minute's grace, for the clocks' sake)?"""
        return not record.qr_expires_at or now <= datetime.fromisoformat(
            record.qr_expires_at) + timedelta(seconds=60)

    def _qr_poll_delay(self, record: PaymentRecord, now: datetime) -> float:
        """Every ``poll_interval`` while the code can be paid; then at the retry policy's
        longest interval."""
        interval = self._sbp().poll_interval
        return interval if self._qr_live(record, now) else max(interval, self.engine.policy.maximum)

    def _qr_later(self, record: PaymentRecord, message: str,
                  write: dict[str, Any]) -> PaymentRecord:
        """No usable answer: the same question again, at growing intervals (but never slower
        than every few seconds while the code can be paid)."""
        now = self.engine.clock()
        failures = record.qr_failures + 1
        delay = self.engine.policy.delay(failures)
        if self._qr_live(record, now):
            delay = min(delay, max(self._sbp().poll_interval, 5.0))
        return self.engine.journal.update(
            record.agent_transaction_id, qr_failures=failures, result_message=message,
            next_attempt_at=(now + timedelta(seconds=delay)).isoformat(timespec="milliseconds"),
            **write)
