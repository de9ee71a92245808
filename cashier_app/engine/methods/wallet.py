"""E-wallet operations that move money (seed 002): a refill by an СБП link, a payment from the
wallet to a ТСП, a withdrawal to a bank — each a payment with method ``wallet`` in the journal,
brought to a known outcome exactly once.

What the seed gives and what it does not decides how each is made safe:

* every operation is journaled with its exact request (``wallet_body``) before it is sent;
  its state then says what is in flight: ``checked`` — nothing sent that moves money (a
  start-up cancels it when its program is gone); ``paying`` / ``qr_waiting`` — the money
  request may have reached the wallet service;
* **payment** goes in two steps. The initialization (a GET) moves no money; its token is
  journaled in the same write as ``paying`` and the body, and a lost answer is repeated with
  *that* token — the same token is the same operation, never a second debit. A lost answer to
  the initialization ends the operation (nothing can have been debited without the token)
  and is never repeated for it: the cashier starts a new one;
* **withdrawal** has no operation key on the wire: a lost answer is never re-sent. The
  wallet's report is searched for the debit (type DEBIT, the amount, not before the request
  went out, an entry no other operation has taken); found — done; not found for
  ``reconcile_minutes`` — it needs a supervisor's decision (send again, or not done), and the
  report is still looked at hourly in case the debit shows up late;
* **refill** answers with an СБП link that the person confirms in their own bank app, so it
  waits (``qr_waiting``) for a CREDIT of its amount in the report; the link lives
  ``refill_minutes`` (our protocol decision), after which an unconfirmed refill is not done.
  A refill whose answer was lost has a link nobody saw, which nobody can pay: it is watched
  in the report until the link would have expired, then ends not done. A refill is never
  cash: it never enters the drawer.

A refusal (HTTP 4xx, 502) is final: nothing was done. A refusal to a *repeated* payment is
believed only after the report shows no debit for it. No Qt here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cashier_app.core.schemes import PaymentRefused
from cashier_app.core.states import State
from cashier_app.journal import WALLET, Attempt, PaymentRecord
from cashier_app.util.failpoints import failpoint
from cashier_app.wallet_api.client import WalletClient
from cashier_app.wallet_api.errors import WalletError, WalletNoAnswer, WalletRefused
from cashier_app.wallet_api.models import Operation, ReportFilter
from cashier_app.wallet_api.requests import payment_body

from ..attempts import service_attempt

if TYPE_CHECKING:
    from ..payments import PaymentEngine

log = logging.getLogger(__name__)

REFILL, PAYMENT, WITHDRAWAL = "refill", "payment", "withdrawal"
#: each operation's row: its service id and name (lists, receipts, totals) and report type
KINDS: dict[str, tuple[str, str, str]] = {
    REFILL: ("wallet:refill", "Пополнение кошелька по СБП", "CREDIT"),
    PAYMENT: ("wallet:payment", "Оплата с кошелька", "PAYMENT"),
    WITHDRAWAL: ("wallet:withdrawal", "Вывод с кошелька в банк", "DEBIT"),
}
SENT = "Отправлено в сервис кошельков, ждём ответа"
NO_INIT = ("Нет ответа на начало списания: деньги не списаны (без токена списать нельзя). "
           "Проведите оплату заново")
WAIT_BANK = "Ждём подтверждения пополнения в банке клиента"
LOST_LINK = "Ответ на пополнение потерян: ссылку никто не видел, ждём, пока она истечёт"
LINK_LOST_END = ("Ссылка на пополнение не была получена: пополнение не состоялось, в отчёте "
                 "кошелька его нет")
LINK_EXPIRED = "Пополнение не подтверждено в банке, пока действовала ссылка: не состоялось"
CREDITED = "Зачислено на кошелёк"
DEBITED = "Списано с кошелька"
FOUND = "Ответ был потерян; операция найдена в отчёте кошелька"
LOOKING = "Ответ потерян: ищем операцию в отчёте кошелька (повторно не отправляем)"
DECIDE = ("Ответ на вывод потерян, а в отчёте кошелька операции нет: решите — отправить "
          "снова или признать не проведённым")
NOT_DONE_BY = "Признан не проведённым: {actor}, {reason}"
#: an operation waiting for a decision still looks at the report this often
DECISION_RECHECK = timedelta(hours=1)


@dataclass(frozen=True)
class WalletTiming:
    refill_minutes: float = 10.0  # how long an СБП refill link can be paid
    reconcile_minutes: float = 5.0  # how long a lost withdrawal is looked for in the report
    poll_seconds: float = 3.0  # the report, while a refill waits for the bank
    #: how far the wallet service's clock may be from ours: the report is read from this
    #: long before the request went out, and a link's end is awaited this long after
    skew_minutes: float = 5.0

    @property
    def skew(self) -> timedelta:
        return timedelta(minutes=self.skew_minutes)


def entry_key(operation: Operation) -> str:
    """A report entry as an operation's proof (the report has no operation id)."""
    return "|".join((operation.operation_type, operation.operation_date.isoformat(),
                     format(operation.amount, "f"), operation.tsp or "",
                     operation.description))


def proofs(operations: Sequence[Operation]) -> list[str]:
    """Every entry's proof (``key#n``: the n-th entry with that key, oldest first)."""
    seen: dict[str, int] = {}
    result = []
    for operation in sorted(operations, key=lambda o: o.operation_date):
        key = entry_key(operation)
        seen[key] = seen.get(key, 0) + 1
        result.append(f"{key}#{seen[key]}")
    return result


def claimable(operations: Sequence[Operation], taken: set[str], kind: str, amount: Decimal,
              since: datetime, tsp: str | None = None, skew: timedelta = timedelta(minutes=5)
              ) -> str | None:
    """The proof for an operation of ``kind`` and ``amount`` sent at ``since``: the first
    matching entry no other operation took (identical entries are told apart by their
    ordinal, ``key#2``). None: the report does not show it."""
    report_type = KINDS[kind][2]
    ordered = sorted(operations, key=lambda o: o.operation_date)
    for operation, proof in zip(ordered, proofs(ordered), strict=True):
        if (operation.operation_type == report_type and operation.amount == amount
                and operation.operation_date >= since - skew
                and (tsp is None or not operation.tsp or operation.tsp == tsp)
                and proof not in taken):
            return proof
    return None


class WalletPay:
    """The e-wallet method beside cash and QR СБП: the engine's journal, locks and events.
    Payments and withdrawals wait in ``paying``, a refill (for the bank) in ``qr_waiting``."""

    name = WALLET
    waiting: tuple[State, ...] = (State.PAYING, State.QR_WAITING)  # a refill: the latter

    def __init__(self, engine: PaymentEngine, client: WalletClient,
                 timing: WalletTiming | None = None) -> None:
        self.engine = engine
        self.client = client
        self.timing = timing or WalletTiming()

    # --- opening an operation ----------------------------------------------------------
    def open(self, kind: str, wallet_id: str, amount: Decimal, body: bytes | None, *,
             account: str, cashier: str = "", shift_id: int | None = None,
             extras: dict[str, str] | None = None) -> PaymentRecord:
        """Journal an operation (``checked``: nothing sent yet) with its request where it is
        known now (refill, withdrawal; a payment's needs the token)."""
        service_id, service_name, _ = KINDS[kind]
        engine = self.engine
        tx_id = engine.ids.allocate()
        now = engine.clock()
        record = engine.journal.create(
            state=State.CHECKED, agent_transaction_id=tx_id, service_id=service_id,
            service_name=service_name, scheme="simple", account=account,
            extras={"walletId": wallet_id, **(extras or {})},
            agent_transaction_date=now.isoformat(timespec="seconds"),
            amount_to=amount, commission=Decimal("0.00"), amount_from=amount,
            payment_method=WALLET, wallet_id=wallet_id, wallet_operation=kind,
            wallet_body=body, cashier=cashier, shift_id=shift_id,
            field_titles={"inputs": {"account": "Кошелёк", "tsp": "Получатель (ТСП)",
                                     "bank": "Банк"}, "displays": {}})
        return engine.emit(record)

    async def start(self, agent_transaction_id: int) -> PaymentRecord:
        """Send an opened operation (a second press returns it as it is). It first notes the
        report entries of its kind already there: none of them can later prove it done."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.CHECKED:
                return record
            now = self.engine.clock()
            baseline = await self._baseline(record, now)
            if baseline is None:
                return self.engine.journal.get(agent_transaction_id)
            if record.wallet_operation == PAYMENT:
                return await self._initialize(record, now, baseline)
            target = State.QR_WAITING if record.wallet_operation == REFILL else State.PAYING
            record = self.engine.journal.transition(
                agent_transaction_id, target, expect=State.CHECKED, result_message=SENT,
                wallet_sent_at=_iso(now), wallet_baseline=baseline, next_attempt_at=_iso(now))
            self.engine.emit(record)
            if record.state is not target:
                return record
            failpoint("before-wallet-send")
            return await self._send_money(record)

    async def _baseline(self, record: PaymentRecord, now: datetime) -> list[str] | None:
        """The proofs the report already holds; None when it cannot be read — the operation
        is then not started (cancelled: nothing was sent)."""
        tx_id, kind = record.agent_transaction_id, record.wallet_operation
        assert kind is not None and record.wallet_id is not None
        started, began = self.engine.clock(), time.monotonic()
        try:
            operations = await self.client.report_all(record.wallet_id, self._window(
                now, now, kind))
        except WalletError as error:
            attempt = _attempt(tx_id, "wallet-report", started, began, error)
            self.engine.emit(self.engine.journal.transition(
                tx_id, State.CANCELLED, expect=State.CHECKED, attempt=attempt,
                result_message=f"Не начато, деньги не двигались: {error}",
                settled_at=_iso(self.engine.clock(), "seconds")))
            return None
        return proofs(operations)

    # --- the steps ----------------------------------------------------------------------
    async def _initialize(self, record: PaymentRecord, now: datetime, baseline: list[str]
                          ) -> PaymentRecord:
        tx_id = record.agent_transaction_id
        assert record.wallet_id is not None
        started, began = self.engine.clock(), time.monotonic()
        try:
            token = await self.client.initialize_payment(record.wallet_id)
        except WalletError as error:
            attempt = _attempt(tx_id, "wallet-init", started, began, error)
            reason = str(error) if isinstance(error, WalletRefused) else NO_INIT
            return self.engine.emit(self.engine.journal.transition(
                tx_id, State.CANCELLED, expect=State.CHECKED, attempt=attempt,
                result_message=reason, settled_at=_iso(self.engine.clock(), "seconds")))
        attempt = _attempt(tx_id, "wallet-init", started, began, None, token.raw)
        tsp = record.extras.get("tsp", "")
        assert record.amount_to is not None
        body = payment_body(record.wallet_id, token.token, record.amount_to, tsp)
        record = self.engine.journal.transition(
            tx_id, State.PAYING, expect=State.CHECKED, attempt=attempt, wallet_body=body,
            wallet_token=token.token, wallet_sent_at=_iso(now), wallet_baseline=baseline,
            result_message=SENT, next_attempt_at=_iso(self.engine.clock()))
        self.engine.emit(record)
        if record.state is not State.PAYING:
            return record
        failpoint("before-wallet-send")
        return await self._send_money(record)

    async def _send_money(self, record: PaymentRecord) -> PaymentRecord:
        """One send of the journaled request (the same bytes every time)."""
        tx_id = record.agent_transaction_id
        kind, wallet_id, body = record.wallet_operation, record.wallet_id, record.wallet_body
        assert wallet_id is not None and body is not None
        started, began = self.engine.clock(), time.monotonic()
        method = f"wallet-{kind}"
        try:
            if kind == REFILL:
                answer: Any = await self.client.refill(wallet_id, body)
            elif kind == PAYMENT:
                answer = await self.client.pay(wallet_id, body)
            else:
                answer = await self.client.withdraw(wallet_id, body)
        except WalletRefused as error:
            failpoint("after-wallet-answer")
            attempt = _attempt(tx_id, method, started, began, error, body=body)
            if kind == PAYMENT and record.attempts > 0:
                # a repeat after a lost answer: the first one may have gone through
                return await self._settle_from_report(record, attempt, refused=error)
            return self._end(record, State.FAILED, str(error), attempt,
                             pay_answer=refusal(error))
        except WalletNoAnswer as error:
            failpoint("after-wallet-answer")
            attempt = _attempt(tx_id, method, started, began, error, body=body)
            return self._lost(record, attempt, str(error))
        failpoint("after-wallet-answer")
        attempt = _attempt(tx_id, method, started, began, None, answer.raw, body)
        if kind == REFILL:
            expires = self.engine.clock() + timedelta(minutes=self.timing.refill_minutes)
            return self.engine.emit(self.engine.journal.update(
                tx_id, expect=State.QR_WAITING, attempt=attempt, qr_payload=answer.payload,
                qr_expires_at=_iso(expires), qr_status="WAITING", result_message=WAIT_BANK,
                attempts=record.attempts + 1, next_attempt_at=_iso(
                    self.engine.clock() + timedelta(seconds=self.timing.poll_seconds))))
        return self._end(record, State.PAID, DEBITED, attempt)

    def _lost(self, record: PaymentRecord, attempt: Attempt, message: str) -> PaymentRecord:
        """No answer: a payment is repeated (same token) at the policy's intervals; a refill
        or a withdrawal is looked for in the report, never sent again."""
        attempts = record.attempts + 1
        now = self.engine.clock()
        if record.wallet_operation == PAYMENT:
            delay = timedelta(seconds=self.engine.policy.delay(attempts))
            text = f"{message}: повторим с тем же токеном"
        else:
            delay = timedelta(seconds=self.timing.poll_seconds)
            text = LOST_LINK if record.wallet_operation == REFILL else LOOKING
        return self.engine.emit(self.engine.journal.update(
            record.agent_transaction_id, expect=record.state, attempt=attempt,
            result_message=text, attempts=attempts, seen_non_final=1,
            next_attempt_at=_iso(now + delay)))

    def _end(self, record: PaymentRecord, target: State, message: str,
             attempt: Attempt | None = None, **values: Any) -> PaymentRecord:
        return self.engine.emit(self.engine.journal.transition(
            record.agent_transaction_id, target, expect=record.state, attempt=attempt,
            result_message=message, attempts=record.attempts + (attempt is not None),
            next_attempt_at=None, settled_at=_iso(self.engine.clock(), "seconds"), **values))

    # --- following one that is in flight ------------------------------------------------
    async def advance(self, agent_transaction_id: int) -> PaymentRecord:
        """The next step for an operation in flight: the payment's repeat, a refill's or a
        lost withdrawal's look at the report."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state not in (State.PAYING, State.QR_WAITING):
                return record
            if record.wallet_sent_at is None:  # journaled, then the program stopped
                record = self.engine.journal.update(
                    agent_transaction_id, expect=record.state,
                    wallet_sent_at=_iso(self.engine.clock()))
            if record.wallet_operation == PAYMENT and record.needs_decision is None:
                return await self._send_money(record)
            return await self._settle_from_report(record)

    async def _settle_from_report(self, record: PaymentRecord, attempt: Attempt | None = None,
                                  *, refused: WalletRefused | None = None) -> PaymentRecord:
        """Look for the operation in the wallet's report; decide what its absence means."""
        tx_id, kind = record.agent_transaction_id, record.wallet_operation
        assert kind is not None and record.wallet_id is not None and record.amount_to
        journal = self.engine.journal
        if attempt is not None:
            journal.add_attempt(attempt)
        sent_at = datetime.fromisoformat(record.wallet_sent_at or record.created_at)
        started, began = self.engine.clock(), time.monotonic()
        try:
            operations = await self.client.report_all(record.wallet_id, self._window(
                sent_at, self.engine.clock(), kind))
        except WalletError as error:
            journal.add_attempt(_attempt(tx_id, "wallet-report", started, began, error))
            return self._later(record, f"Отчёт кошелька не получен: {error}")
        report = _attempt(tx_id, "wallet-report", started, began, None,
                          {"operations": len(operations)})
        taken = journal.wallet_matches(record.wallet_id) | set(record.wallet_baseline or ())
        proof = claimable(operations, taken, kind,
                          record.amount_to, sent_at, record.extras.get("tsp"),
                          self.timing.skew)
        if proof is not None:
            if kind == REFILL and record.qr_payload is not None:
                text = CREDITED
            else:
                text = FOUND if record.seen_non_final else DEBITED
            return self._end(record, State.PAID, text, report, wallet_match=proof,
                             needs_decision=None,
                             qr_status="CREDITED" if kind == REFILL else record.qr_status)
        now = self.engine.clock()  # a look that found nothing is not kept as an attempt
        if refused is not None:  # a repeated payment refused, and no debit in the report
            return self._end(record, State.FAILED, str(refused), pay_answer=refusal(refused))
        if kind == REFILL:
            expires = (datetime.fromisoformat(record.qr_expires_at) if record.qr_expires_at
                       else sent_at + timedelta(minutes=self.timing.refill_minutes))
            if now > expires + self.timing.skew:
                return self._end(record, State.FAILED, LINK_EXPIRED if record.qr_payload
                                 else LINK_LOST_END, qr_status="EXPIRED")
            return self._later(record, record.result_message or WAIT_BANK)
        if kind == WITHDRAWAL and record.needs_decision is None and now > sent_at + timedelta(
                minutes=self.timing.reconcile_minutes):
            log.warning("wallet withdrawal %s: lost answer, not in the report: needs a "
                        "decision", tx_id)
            return self.engine.emit(journal.update(
                tx_id, expect=record.state, needs_decision=DECIDE, result_message=DECIDE,
                next_attempt_at=_iso(now + DECISION_RECHECK)))
        if record.needs_decision is not None:
            return self.engine.emit(journal.update(
                tx_id, expect=record.state, next_attempt_at=_iso(now + DECISION_RECHECK)))
        return self._later(record, record.result_message or LOOKING)

    def _window(self, since: datetime, now: datetime, kind: str) -> ReportFilter:
        """The report of one kind from ``since`` (less the skew) up to a fixed end: the
        report pages newest first, so an end that moved while it is read would shift the
        lines between pages."""
        return ReportFilter(date_from=since - self.timing.skew, date_to=now + self.timing.skew,
                            operation_type=KINDS[kind][2])

    def _later(self, record: PaymentRecord, message: str) -> PaymentRecord:
        """The next look at the report: often while the person may be confirming, less
        often after two minutes (each look is a journal write)."""
        now = self.engine.clock()
        age = now - datetime.fromisoformat(record.wallet_sent_at or record.created_at)
        step = self.timing.poll_seconds * (1 if age < timedelta(minutes=2) else 5)
        delay = DECISION_RECHECK if record.needs_decision else timedelta(seconds=step)
        return self.engine.emit(self.engine.journal.update(
            record.agent_transaction_id, expect=record.state, result_message=message,
            next_attempt_at=_iso(now + delay)))

    def interrupt(self) -> list[PaymentRecord]:
        """At start-up: nothing — an operation in flight is followed as it is."""
        return []

    # --- the supervisor's decision ------------------------------------------------------
    async def decide(self, agent_transaction_id: int, *, resend: bool, actor: str,
                     reason: str) -> PaymentRecord:
        """For an operation that needs a decision: ``resend`` sends the same request once
        more (after one more look at the report), else it is recorded as not done."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state not in (State.PAYING, State.QR_WAITING) or not (
                    record.needs_decision):
                raise PaymentRefused("Эта операция не ждёт решения")
            checked = await self._settle_from_report(record)
            if checked.state is not record.state:
                return checked  # found after all
            if not resend:
                return self._end(checked, State.FAILED, NOT_DONE_BY.format(
                    actor=actor, reason=reason))
            record = self.engine.journal.update(
                agent_transaction_id, expect=record.state, needs_decision=None,
                wallet_sent_at=_iso(self.engine.clock()),
                result_message=f"Отправлено снова по решению: {actor}")
            return await self._send_money(record)


def refusal(error: WalletRefused) -> dict[str, Any]:
    """What the journal keeps of a final refusal (``pay_answer``): the window shows its
    field errors at their fields."""
    return {"status": error.status, "code": error.code, "message": error.message,
            "fieldErrors": dict(error.field_errors)}


def _iso(moment: datetime, timespec: str = "milliseconds") -> str:
    return moment.isoformat(timespec=timespec)


def _attempt(tx_id: int, method: str, started: datetime, began: float,
             error: WalletError | None, raw: Any = None, body: bytes | None = None
             ) -> Attempt:
    """One request to the wallet service as the journal keeps it."""
    return service_attempt(tx_id, method, started, began, body=body, error=error,
                           refused=isinstance(error, WalletRefused), raw=raw)
