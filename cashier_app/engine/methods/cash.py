"""Cash at the desk: the v20 ``pay`` of seed 003.

* The pay body, with its agentTransactionDate, is written together with the state ``paying``
  *before* the first pay is sent, and every attempt sends exactly those bytes; from then on
  the cash counts as accepted.
* Non-final codes and no answer keep the payment ``paying`` with the next attempt at a
  growing interval; a final code settles it; a 202 after a non-final answer does not.
* Every write expects ``paying``: a payment another program settled meanwhile is never
  overwritten (the attempt is still recorded).
* Cash from a bill validator (``funds``: its cash sessions, vouchers) is spent in the same
  transaction that journals ``paying``, and its sum must be the payment's cash given (its
  amountFrom, plus the change a terminal gives as a voucher): after a crash the money is
  either still the person's (a voucher at the next start) or this payment's, never both,
  never neither. A final failure gives the amountFrom back as a refund voucher in the
  transaction that records the failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from cashier_app.core.result_codes import Finality, classify
from cashier_app.core.schemes import PaidLine, PaymentRefused
from cashier_app.core.states import State
from cashier_app.journal import CASH, PaymentRecord
from cashier_app.processing.requests import ExtraService, pay_body
from cashier_app.util.failpoints import failpoint

if TYPE_CHECKING:
    from ..payments import PaymentEngine, PayPlan


class CashPay:
    """The cash method: start a payment's pay, and one more attempt for one ``paying``."""

    name = CASH
    #: the state it leaves a payment in until the center's final word
    waiting: tuple[State, ...] = (State.PAYING,)

    def __init__(self, engine: PaymentEngine) -> None:
        self.engine = engine

    async def start(self, agent_transaction_id: int, plan: PayPlan,
                    funds: Sequence[int] = ()) -> PaymentRecord:
        """Journal the exact pay body with state ``paying`` (and spend the ``funds``: cash
        sessions and vouchers whose sum is the amountFrom), then make the first attempt."""
        engine = self.engine
        async with engine.lock(agent_transaction_id):
            record = engine.journal.get(agent_transaction_id)
            if record.state is not State.CHECKED:
                # a double click, a second Enter: the first one already started paying
                if record.state in (State.PAYING, State.PAID, State.FAILED):
                    return record
                raise PaymentRefused("Сначала проверьте платёж")
            money = plan.money
            body = pay_body(
                service_id=record.service_id, account=record.account,
                agent_transaction_id=agent_transaction_id,
                agent_transaction_date=record.agent_transaction_date,
                amount_to=money.amount_to, amount_from=money.amount_from,
                extras=plan.extras or None,
                extra_services=wire_lines(plan.lines),
                identity_card=record.identity_card, full_name=record.full_name)
            journal = engine.journal
            with journal.transaction():
                if funds:  # the terminal's change is a voucher, in this same commit
                    inserted = journal.spend_cash(funds, agent_transaction_id,
                                                  change=money.change)
                    if inserted != money.cash_given:
                        # rolled back whole: the cash stays the person's
                        raise PaymentRefused(f"Внесено {inserted}, а платёж рассчитан на "
                                             f"{money.cash_given}")
                record = journal.transition(
                    agent_transaction_id, State.PAYING, expect=State.CHECKED,
                    pay_body=body, amount_to=money.amount_to,
                    commission=money.commission, amount_from=money.amount_from,
                    cash_given=money.cash_given, change=money.change, extras=plan.extras,
                    extra_services=journal_lines(plan.lines),
                    next_attempt_at=engine.clock().isoformat(timespec="milliseconds"))
            engine.emit(record)
            if record.state is not State.PAYING:  # settled elsewhere meanwhile: send nothing
                return record
            failpoint("before-pay")
            return await self._attempt(record)

    async def advance(self, agent_transaction_id: int) -> PaymentRecord:
        """One more attempt for a ``paying`` payment (no-op for any other state)."""
        async with self.engine.lock(agent_transaction_id):
            record = self.engine.journal.get(agent_transaction_id)
            if record.state is not State.PAYING:
                return record
            return await self._attempt(record)

    def interrupt(self) -> list[PaymentRecord]:
        """At start-up: nothing to do — a pay left ``paying`` is simply attempted again."""
        return []

    async def _attempt(self, record: PaymentRecord) -> PaymentRecord:
        engine = self.engine
        assert record.pay_body is not None
        sent = await engine.send(record, "pay", record.pay_body)
        failpoint("after-pay-answer")
        tx_id = record.agent_transaction_id
        now = engine.clock()
        answer = sent.answer
        attempt = sent.attempt(tx_id, "pay")
        if answer is not None:
            finality = answer.finality(after_non_final=record.seen_non_final)
            if finality is Finality.SUCCESS:
                return engine.emit(engine.journal.transition(
                    tx_id, State.PAID, expect=State.PAYING, attempt=attempt, result=0,
                    result_message=answer.result_message,
                    transaction_id=answer.transaction_id or record.transaction_id,
                    pay_answer=dict(answer.raw), attempts=record.attempts + 1,
                    transaction_date=_iso(answer.transaction_date),
                    status_date=_iso(answer.status_date), next_attempt_at=None,
                    settled_at=now.isoformat(timespec="seconds")))
            if finality is Finality.FINAL_ERROR:
                with engine.journal.transaction():
                    failed = engine.journal.transition(
                        tx_id, State.FAILED, expect=State.PAYING, attempt=attempt,
                        result=answer.result, result_message=answer.cashier_message,
                        pay_answer=dict(answer.raw), attempts=record.attempts + 1,
                        next_attempt_at=None, settled_at=now.isoformat(timespec="seconds"))
                    if failed.state is State.FAILED:  # the terminal's cash is owed back
                        engine.journal.give_back_cash(tx_id, record.amount_from)
                return engine.emit(failed)
            non_final_answer = classify(answer.result) is Finality.NOT_FINAL
            message = answer.cashier_message
            result: int | None = answer.result
        else:
            non_final_answer = False
            message = sent.message
            result = record.result
        attempts = record.attempts + 1
        next_at = now + timedelta(seconds=engine.policy.delay(attempts))
        return engine.emit(engine.journal.update(
            tx_id, expect=State.PAYING, attempt=attempt, result=result,
            result_message=message, attempts=attempts,
            seen_non_final=int(record.seen_non_final or non_final_answer),
            next_attempt_at=next_at.isoformat(timespec="milliseconds")))


def wire_lines(lines: tuple[PaidLine, ...]) -> list[ExtraService] | None:
    """The paid invoice lines as a request carries them (``extraServices``)."""
    return [ExtraService(line.sub_service_id, line.amount, line.last_count)
            for line in lines] or None


def journal_lines(lines: tuple[PaidLine, ...]) -> list[dict[str, object]] | None:
    """The paid invoice lines as the journal keeps them (``extra_services``)."""
    return [{"subServiceId": line.sub_service_id, "amount": format(line.amount, "f"),
             "lastCount": line.last_count} for line in lines] or None


def _iso(moment: object) -> str | None:
    from datetime import datetime

    return moment.isoformat(timespec="milliseconds") if isinstance(moment, datetime) else None
