"""The card part of a sale at the terminal (seed 004's gateway): the person pays on their own
phone — the gateway's page as a QR code — or with a card saved under their phone number.
The engine (:mod:`cashier_app.engine.methods.card`) journals, creates and follows the
payment; :class:`~cashier_app.workplace.card_desk.CardDesk` keeps the saved cards; this class
moves between the screens of :mod:`.card_screens` and says what happened.

What matters with nobody beside the terminal:

* **no payable link is left on the screen.** «Отмена», «На главную», nobody answering «Вы
  ещё здесь?» and the code's time running out all take the code off and cancel the payment
  (``cancel_card``). A link cannot be withdrawn, so the scheduler keeps following it: paid
  after all, it is still carried out (and its receipt printed) — never lost;
* **the same sale is never paid twice by the terminal's doing:** before a saved card pays,
  the link shown before is cancelled and its last word asked; paid meanwhile, that payment is
  the sale's and no card is charged;
* **never a dead end:** a declined or expired card says that no money was taken and offers
  cash, another card (a new link — a new payment, checked again) or the home screen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from cashier_app.card_api.models import SavedCard
from cashier_app.core.phone import phone_mask
from cashier_app.core.states import State
from cashier_app.engine import PaymentChanged
from cashier_app.errors import UserFacingError
from cashier_app.journal import PaymentRecord
from cashier_app.workplace.card_desk import CardDesk
from cashier_app.workplace.kiosk import Outcome

from .card_screens import card_name

if TYPE_CHECKING:
    from .sale_flow import SaleFlow

log = logging.getLogger(__name__)
#: how often the list of cards is asked while the person attaches one on their phone
ADD_POLL_SECONDS = 1.5
CANCELLED_HERE = "Отменён на терминале"
NOT_TAKEN = "Деньги не списаны"
DemoPhone = Callable[[str, bool], Awaitable[str]]


class CardFlow:
    def __init__(self, flow: SaleFlow) -> None:
        self.flow = flow
        self.w = w = flow.w
        self.desk = CardDesk(w.point.engine, actor=f"Терминал {w.config.terminal}",
                             role="kiosk")
        self.tx: int | None = None  # the card payment this person is paying now
        self.phone = ""  # ten digits: whose saved cards are on the screens
        self.cards: list[SavedCard] = []
        self.removing: SavedCard | None = None
        self.demo_phone: DemoPhone | None = None
        self._add_reg_pay_num: str | None = None
        self._held_at: float | None = None
        w.card.cancel.connect(lambda: w.spawn(self.cancel()))
        w.card.saved.connect(self.open_saved)
        w.card.demo.connect(lambda: w.spawn(self.demo_pay()))
        w.card_failed.cash.connect(lambda: w.spawn(self.pay_cash()))
        w.card_failed.again.connect(lambda: w.spawn(self.another_card()))
        w.card_failed.home.connect(self.flow.cancel)
        w.card_phone.entered.connect(lambda phone: w.spawn(self.find_user(phone)))
        w.card_phone.back.connect(self.back_to_link)
        w.card_phone.home.connect(lambda: w.spawn(self.leave()))
        w.card_register.yes.connect(lambda: w.spawn(self.register()))
        w.card_register.back.connect(self._to_phone)
        w.card_register.home.connect(lambda: w.spawn(self.leave()))
        w.saved_cards.chosen.connect(self.card_touched)
        w.saved_cards.add.connect(lambda: w.spawn(self.add_card()))
        w.saved_cards.remove.connect(self.toggle_removing)
        w.saved_cards.back.connect(self._to_phone)
        w.saved_cards.home.connect(lambda: w.spawn(self.leave()))
        w.card_add.done.connect(lambda: w.spawn(self.show_cards()))
        w.card_add.home.connect(lambda: w.spawn(self.leave()))
        w.card_add.demo.connect(lambda: w.spawn(self.demo_add()))
        w.card_remove.yes.connect(lambda: w.spawn(self.remove()))
        w.card_remove.back.connect(lambda: w.spawn(self.show_cards()))
        w.card_remove.home.connect(lambda: w.spawn(self.leave()))
        w.point.events.subscribe(PaymentChanged, self._changed)

    # --- what the window asks ----------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.w.point.engine.card is not None

    def screens(self) -> tuple[QWidget, ...]:
        w = self.w
        return (w.card, w.card_failed, w.card_phone, w.card_register, w.saved_cards,
                w.card_add, w.card_remove)

    def busy(self) -> bool:
        """A card payment is open: no service menu and no probe over it."""
        return self.tx is not None

    def confirming(self) -> bool:
        """The money is held on the card and the bank is capturing it: nothing to ask (the
        wait has its own end: :meth:`tick`)."""
        return self.w.stack.currentWidget() is self.w.card and self.w.card.stage == "held"

    def set_demo(self, phone: DemoPhone | None) -> None:
        """The demo's «phone» that pays a link on the gateway emulator's page."""
        self.demo_phone = phone
        self.w.card.demo_allowed = self.w.card_add.demo_allowed = phone is not None

    # --- paying by link ----------------------------------------------------------------------
    def start(self) -> None:
        """«Картой с телефона» on the confirmation: the sum first where the person names it
        (as for QR СБП), then the link."""
        sale = self.w.sale
        assert sale is not None
        if sale.amount is None:
            self.flow.ask_amount("card")
            return
        self.w.spawn(self.start_link())

    async def start_link(self) -> None:
        sale = self.w.sale
        assert sale is not None
        self.w.wait.show_text("Готовим код для оплаты картой")
        self.w.show_screen(self.w.wait)
        if not sale.checked and not await self._renew():
            return
        try:
            record = await sale.start_card()
        except UserFacingError as error:
            await self._back_to_confirm(str(error))
            return
        if record.state is not State.QR_WAITING or not record.qr_payload:
            await self._back_to_confirm(record.result_message or "Ссылка на оплату картой "
                                        "не получена: оплатите другим способом")
            return
        self.tx = record.agent_transaction_id
        self._show(record)
        self.w.show_screen(self.w.card)

    async def _back_to_confirm(self, message: str) -> None:
        """The link was not made: the choice of how to pay again, with why — the sale
        checked anew if the attempt used its payment up (cash and QR need a checked one)."""
        sale = self.w.sale
        if sale is not None and not sale.checked and not await self._renew():
            return
        self.flow.show_confirm()
        self.w.confirm.say(message, "error")

    async def _renew(self) -> bool:
        """A new payment of the same sale (the last one went to the gateway); False — the
        center refused the check now: the form says why."""
        sale = self.w.sale
        assert sale is not None
        self.w.wait.show_text("Проверяем данные", "Это займёт несколько секунд")
        self.w.show_screen(self.w.wait)
        try:
            record = await sale.renew()
        except UserFacingError as error:
            self.flow.form_error(str(error))
            return False
        if record.state is not State.CHECKED:
            self.flow.form_error(record.result_message
                                  or "Платёж по этим данным не принимается")
            return False
        return True

    def _show(self, record: PaymentRecord) -> None:
        """The card screen as the journal has the payment now."""
        screen = self.w.card
        screen.show_sums(record.amount_from, record.amount_to, record.commission)
        if record.card_state == "holded":
            if screen.stage != "held":
                self._held_at = time.monotonic()
            screen.show_held()
        elif record.card_secure_url:
            screen.show_secure(record.card_secure_url)
        elif record.qr_payload:
            screen.show_link(record.qr_payload, saved=self.w.config.saved_cards)
        else:
            screen.show_saved(self._card_text(record))
        self.tick()

    def _card_text(self, record: PaymentRecord) -> str:
        for card in self.cards:
            if card.card_token == record.card_token:
                return card_name(card)
        return "Карта"

    def tick(self) -> None:
        """Twice a second on the card screen: the time left by the gateway's deadline; when
        it is up, the code leaves the screen and the gateway is asked for its last word."""
        tx = self.tx
        screen = self.w.card
        if tx is None:
            return
        if screen.stage == "held":
            self._held_too_long(tx)
            return
        if screen.stage not in ("link", "secure"):
            return
        expires = self.w.point.journal.get(tx).qr_expires_at
        if not expires:
            screen.seconds_left(None)
            return
        left = (datetime.fromisoformat(expires) - self.w.point.engine.clock()).total_seconds()
        screen.seconds_left(max(0.0, left))
        if left <= 0:
            screen.show_checking()
            self.w.spawn(self._cancel_quietly(tx, "Срок оплаты истёк на терминале"))

    def _held_too_long(self, tx: int) -> None:
        """Held longer than a cash payment waits for the center: told as accepted — the
        money is held for this payment, and the scheduler carries it out."""
        if self._held_at is None:
            self._held_at = time.monotonic()
        sale = self.w.sale
        wait = sale.pay_wait if sale is not None else 20.0
        if time.monotonic() - self._held_at >= wait:
            self._accepted(tx, "Деньги на карте заблокированы для этого платежа, банк ещё "
                               "подтверждает оплату. Платёж будет проведён")

    def _accepted(self, tx: int, detail: str) -> None:
        """A card payment whose end is not known yet, told as accepted (its receipt is
        printed only once it is paid, so none now); the screen leaves it to the scheduler."""
        self.tx = None
        record = self.w.point.journal.get(tx)
        detail = f"{record.service_name}, {record.account}: {detail}. Номер операции {tx}"
        if self.w.config.support_phone:
            detail += f", телефон поддержки {self.w.config.support_phone}"
        self.w.result.show_outcome(Outcome.PENDING, detail, printed=None)
        self.w.show_screen(self.w.result)
        self.flow.home_later()

    async def _cancel_quietly(self, tx: int, reason: str) -> PaymentRecord | None:
        try:
            return await self.w.point.engine.cancel_card(tx, reason)
        except UserFacingError as error:
            log.info("card payment %s not cancelled: %s", tx, error)
            return None

    async def cancel(self) -> None:
        """«Отмена»: the code off the screen at once; the payment cancelled (paid in the
        meantime, it is told as paid)."""
        tx, self.tx = self.tx, None
        if tx is None:
            self.flow.cancel()
            return
        self.w.wait.show_text("Отменяем оплату картой")
        self.w.show_screen(self.w.wait)
        record = await self._cancel_quietly(tx, CANCELLED_HERE)
        if record is not None and record.state is State.PAID:
            await self.flow.finish(record)
            return
        self.flow.cancel()

    async def leave(self) -> None:
        """Home from any card screen (a touch, or nobody answered «Вы ещё здесь?»): the open
        payment cancelled — the scheduler still carries it out if it was paid."""
        tx, self.tx = self.tx, None
        self.w.go_home()  # the screen first: nothing payable stays on it
        if self.w.sale is not None:
            self.w.sale.cancel()
        if tx is not None:
            await self._cancel_quietly(tx, CANCELLED_HERE)

    def _changed(self, event: PaymentChanged) -> None:
        tx = self.tx
        if tx is None or event.record.agent_transaction_id != tx:
            return
        record = self.w.point.journal.get(tx)  # events may come late: the journal's now
        on_card = self.w.stack.currentWidget() is self.w.card
        if record.state is State.PAID:
            self.tx = None
            self.w.spawn(self.flow.finish(record))
        elif record.state in (State.FAILED, State.CANCELLED):
            self.tx = None
            if on_card:
                self.show_failure(record)
            # else the person is choosing a saved card: that link simply ended unpaid
        elif record.state is State.QR_WAITING and on_card:
            if record.card_state == "holded" or record.card_secure_url:
                self.w.touched()  # the phone is at work: a sign of life
            if self.w.card.stage != "checking":
                self._show(record)

    def show_failure(self, record: PaymentRecord) -> None:
        if record.card_state == "declined":
            title = f"Банк отклонил оплату. {NOT_TAKEN}"
        elif record.card_state == "expired":
            title = f"Срок оплаты истёк. {NOT_TAKEN}"
        else:
            title = f"Оплата картой не прошла. {NOT_TAKEN}"
        detail = (record.result_message or "").removesuffix(f". {NOT_TAKEN}")
        self.w.card_failed.show_failure(title, detail if detail not in title else "")
        self.w.show_screen(self.w.card_failed)

    async def another_card(self) -> None:
        """«Другой картой»: a new link for the same sum — a new payment, checked again."""
        self.w.card_failed.busy("Готовим новый код…")
        await self.start_link()

    async def pay_cash(self) -> None:
        """«Оплатить наличными» after the card: the same sale as a new payment, to the bill
        validator (the confirmation stays behind it for «Назад» and any refusal)."""
        self.w.card_failed.busy("Готовим приём наличных…")
        if not await self._renew():
            return
        self.flow.show_confirm()
        await self.flow.start_cash()

    async def demo_pay(self) -> None:
        """The demo's «phone» pays what the screen shows (the test card of the seed)."""
        tx = self.tx
        if self.demo_phone is None or tx is None:
            return
        number = self.w.point.journal.get(tx).card_reg_pay_num
        if number is None:
            return
        problem = await self.demo_phone(number, False)
        if problem:
            self.w.card.say(problem, "error")

    # --- saved cards -------------------------------------------------------------------------
    def open_saved(self) -> None:
        """«Сохранённой картой»: the phone first. The link stays open (followed) behind the
        phone's screens: «Назад» shows it again; a saved card cancels it before it pays."""
        self.w.card_phone.set_digits(self.phone)
        self.w.show_screen(self.w.card_phone)

    def _to_phone(self) -> None:
        self.w.card_phone.set_digits(self.phone)
        self.w.show_screen(self.w.card_phone)

    def back_to_link(self) -> None:
        """«Назад» from the phone: to the code, if it may still be paid; else to the choice
        of how to pay."""
        tx = self.tx
        if tx is not None:
            record = self.w.point.journal.get(tx)
            if record.state is State.QR_WAITING and not record.cancel_requested_at:
                self._show(record)
                self.w.show_screen(self.w.card)
                return
        self.w.spawn(self._confirm_again())

    async def _confirm_again(self) -> None:
        sale = self.w.sale
        if sale is not None and (sale.checked or await self._renew()):
            self.flow.show_confirm()

    async def find_user(self, phone: str) -> None:
        """The phone typed: its cards, or the offer to register it."""
        self.phone = phone
        screen = self.w.card_phone
        screen.say("Ищем сохранённые карты…")
        screen.next_button.setEnabled(False)
        try:
            user = await self.desk.user(phone)
        except UserFacingError as error:
            screen.say(str(error), "error")
            return
        finally:
            screen.next_button.setEnabled(True)
        if user is None:
            self.w.card_register.ask(
                "Номер не зарегистрирован",
                f"Зарегистрировать номер {phone_mask(phone)}?",
                "Регистрация нужна, чтобы сохранять карты и платить ими на терминале одним "
                "касанием. Номер запоминает платёжный шлюз банка; данные карт хранит банк, "
                "терминал их не видит. Это бесплатно, и без регистрации можно оплатить "
                "картой с телефона по QR-коду.", "Зарегистрироваться")
            self.w.show_screen(self.w.card_register)
            return
        await self.show_cards()

    async def register(self) -> None:
        screen = self.w.card_register
        screen.busy("Регистрируем номер…")
        try:
            await self.desk.register_user(self.phone)
        except UserFacingError as error:
            screen.yes_button.setEnabled(True)
            screen.say(str(error), "error")
            return
        await self.show_cards(said="Номер зарегистрирован. Привяжите карту")

    async def show_cards(self, said: str = "", kind: str = "ok") -> None:
        """The phone's active cards, as the gateway lists them now."""
        self._add_reg_pay_num = None
        self.removing = None
        try:
            found = await self.desk.cards(self.phone)
        except UserFacingError as error:
            self.w.card_phone.set_digits(self.phone)
            self.w.show_screen(self.w.card_phone)
            self.w.card_phone.say(str(error), "error")
            return
        self.cards = list(found.active)
        self.w.saved_cards.show_cards(self.phone, self.cards, due=self._due())
        self.w.show_screen(self.w.saved_cards)
        if said:
            self.w.saved_cards.say(said, kind)

    def _due(self) -> Decimal | None:
        """What a saved card will pay: the sum with the commission, as the link asked (the
        saved cards are reached from the link's screen)."""
        sale = self.w.sale
        return sale.record.amount_from if sale is not None and sale.record else None

    def toggle_removing(self) -> None:
        screen = self.w.saved_cards
        screen.show_cards(self.phone, self.cards, removing=not screen.removing,
                          due=self._due())

    def card_touched(self, card: SavedCard) -> None:
        if self.w.saved_cards.removing:
            self.removing = card
            self.w.card_remove.ask(
                "Удалить карту?", card_name(card),
                "Карта больше не сможет платить на этом терминале. Деньги на ней не "
                "затрагиваются; привязать её можно снова.", "Удалить")
            self.w.show_screen(self.w.card_remove)
            return
        self.w.spawn(self.pay_saved(card))

    async def remove(self) -> None:
        card = self.removing
        if card is None:
            return
        self.w.card_remove.busy("Удаляем карту…")
        try:
            await self.desk.remove_card(self.phone, card.card_token)
        except UserFacingError as error:
            self.w.card_remove.yes_button.setEnabled(True)
            self.w.card_remove.say(str(error), "error")
            return
        await self.show_cards(said=f"Карта {card_name(card)} удалена")

    async def add_card(self) -> None:
        """«Привязать карту»: the gateway's page as a QR code; the list comes back by
        itself once the card is there."""
        screen = self.w.saved_cards
        screen.say("Готовим страницу банка…")
        try:
            page = await self.desk.add_card(self.phone)
        except UserFacingError as error:
            screen.say(str(error), "error")
            return
        self._add_reg_pay_num = page.reg_pay_num
        self.w.card_add.show_page(page.pay_url)
        self.w.show_screen(self.w.card_add)
        self.w.spawn(self._wait_for_card(page.reg_pay_num))

    async def _wait_for_card(self, reg_pay_num: str) -> None:
        """While the page is on screen: is there a new card yet?"""
        known = {card.card_token for card in self.cards}
        while self._add_reg_pay_num == reg_pay_num and (
                self.w.stack.currentWidget() is self.w.card_add):
            await asyncio.sleep(ADD_POLL_SECONDS)
            if self._add_reg_pay_num != reg_pay_num or (
                    self.w.stack.currentWidget() is not self.w.card_add):
                return
            try:
                found = await self.desk.cards(self.phone)
            except UserFacingError as error:  # the gateway is slow: asked again
                log.info("saved cards not listed: %s", error)
                continue
            new = [card for card in found.active if card.card_token not in known]
            if new and self.w.stack.currentWidget() is self.w.card_add:
                self.w.touched()
                await self.show_cards(said=f"Карта {card_name(new[0])} привязана. "
                                           "Коснитесь её, чтобы оплатить")
                return

    async def demo_add(self) -> None:
        number = self._add_reg_pay_num
        if self.demo_phone is None or number is None:
            return
        problem = await self.demo_phone(number, False)
        if problem:
            self.w.card_add.say(problem, "error")

    async def pay_saved(self, card: SavedCard) -> None:
        """A touch on a card: the link shown before is cancelled first (paid meanwhile, it
        is the sale's payment and this card is not charged), then the sale — checked again
        as a new payment — is paid with the card."""
        sale = self.w.sale
        assert sale is not None
        self.w.wait.show_text("Оплачиваем сохранённой картой", card_name(card))
        self.w.show_screen(self.w.wait)
        link, self.tx = self.tx, None
        if link is not None:
            before = await self._cancel_quietly(link, "Оплата сохранённой картой")
            if before is not None and before.state is State.PAID:
                await self.flow.finish(before)
                return
        if not sale.checked and not await self._renew():
            return
        try:
            user_token = await self.desk.saved_card_user(self.phone)
            record = await sale.start_card(user_token=user_token, card_token=card.card_token)
        except UserFacingError as error:
            await self.show_cards(said=str(error), kind="error")
            return
        if record.state is State.FAILED:
            self.show_failure(record)
            return
        if record.state is State.PAID:
            await self.flow.finish(record)
            return
        if record.needs_decision:  # the gateway's answer was lost: a person decides
            self._accepted(record.agent_transaction_id,
                           "банк не ответил вовремя. Оператор проверит платёж: если деньги "
                           "списаны, платёж будет проведён, если нет — они не списаны")
            return
        self.tx = record.agent_transaction_id
        self._show(record)
        self.w.show_screen(self.w.card)
