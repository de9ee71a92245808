"""The card steps of a payment (seed 004): the person pays by card from their own phone — a
link shown as a QR code, or a card they saved before — and the card data never enter the
program. Create the gateway payment, follow it, a new link or another way of paying after a
declined or expired one, and the cancel.

A link cannot be withdrawn (the gateway has no such method): the cashier's cancel only marks
it, and it is followed until the gateway says it was not paid, or paid after all. So, as for a
QR СБП code, leaving a link the person can pay right now is asked as a question that stays on
screen until answered (Esc again: cancel; any other key: keep waiting). A saved card's
payment whose answer was lost waits for a supervisor: it is never cancelled from the desk.

:class:`CardSteps` works on the flow's record, step and status line (the card shares
``Step.QR`` with QR СБП: the person pays on their phone, the desk waits); like the flow it
holds no widget. What the card screen and the outcome say comes from the record alone
(:func:`card_screen`, :func:`card_banner`), as :mod:`.payment_banner` does for QR СБП — the
same :class:`~.payment_banner.QrScreen`, so the same view draws both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal

from cashier_app.core.schemes import Money, PaidLine, PaymentRefused
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.errors import UserFacingError
from cashier_app.journal import PaymentRecord
from cashier_app.workplace.session import Step

from .cancel_question import CancelQuestion
from .payment_banner import Banner, QrScreen, countdown, seconds_left

if TYPE_CHECKING:
    from .flow import PaymentFlow

_tr = partial(QCoreApplication.translate, "CardScreen")

#: what the demo's «phone of the person» does: pay the link (False) or give a wrong CVC (True)
CardPhone = Callable[[str, bool], Awaitable[str]]

CARD_CANCEL_PROMPT = ("Клиент может платить прямо сейчас. Отменить ссылку? Esc ещё раз — "
                      "отменить, любая другая клавиша — продолжить ждать")
SECURE_WORDS = "Подтвердите оплату в приложении или на странице банка (3-D Secure)"
AFTER_FAILURE = ("Деньги с клиента не списаны. F7 — новая ссылка, F9 — другой способ "
                 "оплаты, Esc — следующий клиент")


# --- the words (pure: the record and the clock) -----------------------------------------------
def card_screen(record: PaymentRecord, now: datetime, *, armed: bool = False) -> QrScreen:
    """The card payment as it stands at ``now``: the code (the link, or the 3-D Secure page),
    the time left, the state in the cashier's words; ``armed``: the cashier pressed Esc once
    and the link can still be paid — the question stays until answered."""
    amount = _tr("К оплате картой: {0}").format(money(record.amount_from or Decimal(0)))
    service = f"{record.service_name} · {record.account}"
    if record.state is not State.QR_WAITING:
        renew = record.state in (State.FAILED, State.CANCELLED)
        return QrScreen(amount, service, "", _tr(AFTER_FAILURE) if renew else "",
                        record.result_message or "", "error", False, renew, "")
    if record.needs_decision:
        return QrScreen(amount, service, "", _tr(
            "Esc — следующий клиент: платёж ждёт решения старшего кассира"),
            record.needs_decision, "error", False, False, "")
    if record.cancel_requested_at:
        return QrScreen(amount, service, "", "", _tr("Отменяем оплату картой…"), "busy",
                        False, False, "")
    if record.card_reg_pay_num is None:
        return QrScreen(amount, service, "", "", _tr("Создаём платёж в шлюзе оплаты картой…"),
                        "busy", True, False, "")
    if record.card_state == "holded":
        return QrScreen(amount, service, "", "", _tr(
            "Деньги на карте заблокированы, ждём подтверждения"), "busy", False, False, "")
    left = seconds_left(record, now)
    if left == 0:
        # past its time by our clock: no one can pay it now; the gateway's last word is due
        return QrScreen(amount, service, "", _tr("Срок ссылки истёк"), _tr(
            "Ссылку больше не оплатить: ждём окончательного ответа шлюза…"), "busy", True,
            False, "")
    timer = _tr("Ссылка действует ещё {0}").format(countdown(left)) if left else ""
    if record.qr_failures:
        status = _tr("Нет связи со шлюзом оплаты картой, статус спросим ещё раз…")
    elif record.card_secure_url:
        status = _tr(SECURE_WORDS)
    else:
        status = _tr("Ждём оплаты картой по ссылке")
    payload = record.card_secure_url or record.qr_payload or ""
    prompt = _tr(CARD_CANCEL_PROMPT) if armed and payload else ""
    return QrScreen(amount, service, payload, timer, status, "busy", True, False, prompt)


def card_payable(record: PaymentRecord | None, now: datetime) -> bool:
    """The person can pay (or confirm) the card payment right now: leaving it is asked."""
    return record is not None and bool(card_screen(record, now).payload)


def card_banner(record: PaymentRecord) -> Banner:
    """The outcome of a card payment (the desk shows it once paid)."""
    amount = money(record.amount_to or Decimal(0))
    if record.state is State.PAID:
        return Banner(_tr("Оплачено картой: {0} на счёт {1}. Номер платежа в шлюзе {2}."
                          ).format(amount, record.account, record.card_reg_pay_num or "—"),
                      "paid")
    return Banner(_tr("Оплата картой не прошла: {0}").format(
        record.result_message or _tr("отказ")), "failed")


# --- the steps ---------------------------------------------------------------------------------
class CardSteps(CancelQuestion):
    """F7, the card screen's Esc and its answers, saved cards, and what the engine says."""

    #: the cashier left a link the person can still pay (PaymentRecord): the window watches
    left = Signal(object)

    def __init__(self, flow: PaymentFlow, phone: CardPhone | None = None) -> None:
        super().__init__(flow)
        self._phone = phone  # demo mode: plays the person's phone on the gateway's page

    @property
    def demo(self) -> bool:
        return self._phone is not None

    @property
    def demo_phone(self) -> CardPhone | None:
        """Demo mode's «phone of the person» (the saved cards dialog attaches a card by it)."""
        return self._phone

    @property
    def on_screen(self) -> bool:
        """The desk shows a card payment (the card screen, not the QR СБП one)."""
        return self.flow.step is Step.QR and self.flow.via_card

    def problem(self) -> str:
        """Why F7 would be refused right now ("" if it would run)."""
        if not self.flow.takes_card:
            return self.tr("Оплата картой на этой кассе не настроена")
        return self.flow.plan_problem(cash=False, card=True)

    # --- starting -------------------------------------------------------------------------
    def start(self, *, user_token: str | None = None, card_token: str | None = None) -> None:
        """F7: after check, the person pays by a link (or ``card_token``: a saved card);
        after a declined or expired one, a new link."""
        flow = self.flow
        if self.armed:
            self.keep_waiting()
            return
        if flow.pay_in_flight or not flow.takes_card:
            return
        if flow.step is Step.CHECKED and flow.ready_plan(cash=False) is not None:
            flow.spawn(self.pay(user_token=user_token, card_token=card_token))
        elif self.on_screen and flow.record is not None and flow.record.state in (
                State.FAILED, State.CANCELLED) and card_token is None:
            flow.spawn(self.renew())

    async def pay(self, *, user_token: str | None = None, card_token: str | None = None
                  ) -> None:
        flow = self.flow
        plan = flow.ready_plan(cash=False)
        if plan is None or flow.record is None:
            return
        await self._start(flow.record.agent_transaction_id, plan.money, plan.extras,
                          plan.lines, user_token=user_token, card_token=card_token)

    async def _start(self, tx_id: int, amounts: Money, extras: dict[str, str],
                     lines: tuple[PaidLine, ...], *, user_token: str | None = None,
                     card_token: str | None = None) -> None:
        flow = self.flow
        flow.pay_in_flight = True
        flow.via_card = True
        flow.set_step(Step.QR)
        flow.say("")
        try:
            record = await flow.engine.start_card(tx_id, amounts, extras, lines,
                                                  user_token=user_token, card_token=card_token)
        except UserFacingError as error:  # not set up for this service: take another way
            flow.pay_in_flight = False
            flow.set_step(Step.CHECKED)
            flow.qr_refused.emit(str(error))
            return
        finally:
            flow.pay_in_flight = False
        if flow.record is not None and flow.record.agent_transaction_id == tx_id:
            self.update(record)

    async def _checked_again(self, what: str) -> PaymentRecord | None:
        """The same form checked again as a new payment (a gateway payment that ended cannot
        be paid again: a new link needs a new one, as a new QR code does); None — the check
        said no (said on the status line) or the cashier left meanwhile."""
        flow = self.flow
        old, entry = flow.record, flow.checked_with
        if old is None or entry is None or flow.pay_in_flight:
            return None
        blocked = flow.session.payment_blocker()
        if blocked:
            flow.say(blocked, "error")
            return None
        flow.pay_in_flight = True
        flow.say(what, "busy")
        try:
            record = flow.engine.begin(entry)
            record = await flow.engine.recheck(record.agent_transaction_id)
        except PaymentRefused as error:
            flow.say(str(error), "error")
            return None
        finally:
            flow.pay_in_flight = False
        if flow.record is not old:  # the cashier moved on meanwhile: nothing was paid
            if record.state is State.CHECKED:
                flow.engine.cancel(record.agent_transaction_id, "Отменён кассиром до оплаты")
            return None
        if record.state is not State.CHECKED:
            flow.say(self.tr("Платёж не прошёл проверку заново: {0}").format(
                record.result_message or self.tr("нет ответа процессинга")), "error")
            return None
        return record

    async def renew(self) -> None:
        """F7 after a declined or expired link: a new payment with the same data and amounts,
        checked again, and a new link."""
        old = self.flow.record
        record = await self._checked_again(self.tr("Получаем новую ссылку на оплату картой…"))
        if record is None or old is None or old.amount_to is None:
            return
        paid = old.amount_from or old.amount_to
        amounts = Money(old.amount_to, old.commission or Decimal("0.00"), paid, paid,
                        Decimal("0.00"))
        lines = tuple(PaidLine(str(item["subServiceId"]), Decimal(str(item["amount"])),
                               item.get("lastCount")) for item in old.extra_services or ())
        self.flow.record = record
        await self._start(record.agent_transaction_id, amounts, dict(old.extras), lines)

    async def other_way(self) -> None:
        """F9 after a declined or expired link: the same form checked again as a new payment,
        back at the amounts — cash, QR СБП or a card again."""
        flow = self.flow
        if not (self.on_screen and flow.record is not None
                and flow.record.state in (State.FAILED, State.CANCELLED)):
            return
        record = await self._checked_again(self.tr("Проверяем платёж заново…"))
        if record is None:
            return
        flow.qr_changed.emit(None)  # the customer display rests
        flow.record = record
        flow.accept_check(record)

    def demo_pay(self, decline: bool = False) -> None:
        """Demo mode: the person's phone pays the link (or the 3-D Secure page) with the test
        card — or with a wrong CVC (``decline``)."""
        flow = self.flow
        record = flow.record
        if self._phone is None or record is None or not record.card_reg_pay_num:
            return
        phone, number = self._phone, record.card_reg_pay_num

        async def pay() -> None:
            said = await phone(number, decline)
            if said:
                flow.say(said, "error")

        flow.spawn(pay())

    # --- leaving ------------------------------------------------------------------------
    def escape(self) -> None:
        """Esc on the card screen: a link that can be paid right now is cancelled only after
        a question that stays until answered; one nobody can pay now is left at once; an
        ended one clears the desk; a saved card's payment waiting for the supervisor is left
        as it is."""
        flow = self.flow
        record = flow.record
        if record is None or record.state is not State.QR_WAITING or record.needs_decision:
            flow.reset()  # clearing the step tells the customer display
            return
        if record.cancel_requested_at:
            return  # the cancel is on its way
        if record.card_state == "holded":
            flow.say(self.tr("Деньги уже заблокированы на карте: дождитесь подтверждения "
                             "оплаты"), "info")
            return
        if not card_payable(record, flow.clock()):
            flow.spawn(self.cancel())
            return
        self.ask()

    async def cancel(self) -> None:
        flow = self.flow
        record = flow.record
        if record is None:
            return
        flow.say(self.tr("Отменяем…"), "busy")
        record = await flow.engine.cancel_card(record.agent_transaction_id)
        if flow.record is None or flow.record.agent_transaction_id != (
                record.agent_transaction_id):
            return
        if record.state is State.PAID:  # the person paid before the cancel was seen
            flow.say("")
            self.update(record)
            return
        if record.state is State.QR_WAITING:
            self.left.emit(record)
        flow.reset()

    async def leave(self, agent_transaction_id: int) -> None:
        """Leaving a link on screen (log-out, say): it is cancelled and watched to its end."""
        record = await self.flow.engine.cancel_card(agent_transaction_id)
        if record.state is State.QR_WAITING:
            self.left.emit(record)
