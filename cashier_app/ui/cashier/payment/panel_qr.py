"""The QR СБП steps of a payment: create the code, follow it, a new one after an expired or
rejected code, and the cancel — asked as a question that stays on screen until it is
answered (Esc again: cancel; any other key: keep waiting), because the person may be paying
at that very moment. A code no one can pay any more is left without a question.

The QR steps share the flow's record, step and status line, so :class:`QrSteps` works on its
:class:`~.flow.PaymentFlow`; like the flow it holds no widget. What the QR screen shows comes
from the record (:func:`.payment_banner.qr_screen`); the panel shows the question while
:attr:`QrSteps.armed` (and lets any key answer it, :class:`.qr_view.AnyKeyAnswers`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cashier_app.core.schemes import PaymentRefused
from cashier_app.core.states import State
from cashier_app.workplace.session import Step

from .cancel_question import CancelQuestion
from .payment_banner import qr_payable

if TYPE_CHECKING:
    from .flow import PaymentFlow


class QrSteps(CancelQuestion):
    """F8, the QR screen's Esc and its answers, and what the engine says of the code."""

    def __init__(self, flow: PaymentFlow,
                 bank: Callable[[int], Awaitable[str]] | None = None) -> None:
        super().__init__(flow)
        self._bank = bank  # demo mode: plays the person's bank for a QR code

    @property
    def demo(self) -> bool:
        return self._bank is not None

    def start(self) -> None:
        """F8: after check, the person pays by a QR code; after a code that expired or was
        rejected, a new code."""
        flow = self.flow
        if self.armed:
            self.keep_waiting()
            return
        if flow.pay_in_flight or not flow.takes_qr:
            return
        if flow.step is Step.CHECKED and flow.ready_plan(cash=False) is not None:
            flow.spawn(self.pay())
        elif flow.step is Step.QR and flow.record is not None and flow.record.state in (
                State.FAILED, State.CANCELLED):
            flow.spawn(self.renew())

    async def pay(self) -> None:
        flow = self.flow
        plan = flow.ready_plan(cash=False)
        if plan is None or flow.record is None:
            return
        flow.pay_in_flight = True
        flow.set_step(Step.QR)
        flow.say("")
        try:
            record = await flow.engine.start_qr(flow.record.agent_transaction_id,
                                                plan.money, plan.extras, plan.lines)
        except PaymentRefused as error:  # no link, link busy: the cashier can take cash
            flow.pay_in_flight = False
            flow.set_step(Step.CHECKED)
            flow.qr_refused.emit(str(error))
            return
        finally:
            flow.pay_in_flight = False
        self.update(record)

    async def renew(self) -> None:
        flow = self.flow
        old = flow.record
        if old is None or flow.pay_in_flight:
            return
        flow.pay_in_flight = True
        flow.say(self.tr("Получаем новый QR-код…"), "busy")
        try:
            record = await flow.engine.renew_qr(old.agent_transaction_id)
        except PaymentRefused as error:
            flow.say(str(error), "error")
            return
        finally:
            flow.pay_in_flight = False
        if flow.record is not old:
            return  # the cashier moved on meanwhile
        if record.state in (State.CHECK_FAILED, State.CANCELLED, State.CHECKED):
            flow.say(self.tr("Новый QR-код не получен: {0}").format(
                record.result_message or self.tr("нет ответа процессинга")), "error")
            return
        self.update(record)

    def demo_bank_pay(self) -> None:
        flow = self.flow
        if self._bank is not None and flow.record is not None:
            bank = self._bank
            tx_id = flow.record.agent_transaction_id

            async def pay() -> None:
                said = await bank(tx_id)
                if said:
                    flow.say(said, "error")

            flow.spawn(pay())

    # --- leaving the code ---------------------------------------------------------------
    def escape(self) -> None:
        """Esc on the QR screen: a code that can be paid right now is cancelled only after a
        question that stays on screen until answered (Esc again: cancel; any other key: keep
        waiting); a code no one can pay now is left at once; an ended one clears the desk."""
        flow = self.flow
        record = flow.record
        if record is None or record.state is not State.QR_WAITING:
            flow.reset()  # clearing the QR step tells the customer display
            return
        if record.cancel_requested_at:
            return  # the cancel is on its way
        if not qr_payable(record, flow.clock()):
            flow.spawn(self.cancel())
            return
        self.ask()

    async def cancel(self) -> None:
        flow = self.flow
        record = flow.record
        if record is None:
            return
        flow.say(self.tr("Отменяем…"), "busy")
        record = await flow.engine.cancel_qr(record.agent_transaction_id)
        if flow.record is None or flow.record.agent_transaction_id != (
                record.agent_transaction_id):
            return
        if record.state is State.PAID:  # the person paid before the cancel reached the bank
            flow.say("")
            self.update(record)
            return
        if record.state is State.QR_WAITING:
            flow.qr_left.emit(record)
        flow.reset()

    async def leave(self, agent_transaction_id: int) -> None:
        """Leaving a code on screen (log-out, say): it is cancelled and watched to its end."""
        record = await self.flow.engine.cancel_qr(agent_transaction_id)
        if record.state is State.QR_WAITING:
            self.flow.qr_left.emit(record)
