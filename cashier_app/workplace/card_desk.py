"""Cards at the desk and the kiosk, for the windows and the command line alike (no Qt): a
returning customer's saved cards (register by phone, add a card on the gateway's page, pay
with one, remove it) and the supervisor's refunds and decisions.

Paying by link or by a saved card goes through the payment engine
(:mod:`cashier_app.engine.methods.card`): checked with the processing center, journaled,
followed to the gateway's word. What changes a person's cards or gives money back is audited
with who did it; a refund is the supervisor's action (the caller checks the role and PIN).
"""

from __future__ import annotations

from decimal import Decimal

from cashier_app.card_api.client import CardClient
from cashier_app.card_api.errors import CardInputError, UserNotRegistered
from cashier_app.card_api.models import CardList, CardRegistration, Deactivated
from cashier_app.card_api.requests import check_email, check_login, user_register_body
from cashier_app.core.schemes import PaymentRefused
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine
from cashier_app.engine.methods.card import CardPay
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cards import CardRefund, CardUserEntry

NO_CARDS = "Оплата картой на этой кассе не настроена (card.url)"


class CardDesk:
    """One person's card work at the desk: ``actor`` and ``role`` go to the audit."""

    def __init__(self, engine: PaymentEngine, *, actor: str = "", role: str = "") -> None:
        self.engine = engine
        self.journal = engine.journal
        self.actor, self.role = actor, role

    @property
    def enabled(self) -> bool:
        return self.engine.card is not None

    def _method(self) -> CardPay:
        if self.engine.card is None:
            raise PaymentRefused(NO_CARDS)
        return self.engine.card

    @property
    def client(self) -> CardClient:
        return self._method().client

    def _audit(self, action: str, target: str, **details: object) -> None:
        self.journal.audit(self.actor or "кассир", self.role, action, target, dict(details))

    # --- the person and their cards --------------------------------------------------------
    async def register_user(self, phone: str, *, email: str | None = None,
                            name: str | None = None) -> CardUserEntry:
        """Register the person with the gateway by phone (its login); kept in the point's
        directory with the user token the gateway gave."""
        login = check_login(phone)
        if email:
            email = check_email(email)
        user = await self.client.register_user(user_register_body(login, email=email,
                                                                  name=name))
        entry = self.journal.remember_card_user(login, user.user_token, email=user.email,
                                                name=user.name, state=user.state)
        self._audit("card-user-register", login)
        return entry

    async def user(self, phone: str) -> CardUserEntry | None:
        """The person as the gateway knows them now (None: not registered)."""
        login = check_login(phone)
        try:
            user = await self.client.user_status(login)
        except UserNotRegistered:
            return None
        return self.journal.remember_card_user(login, user.user_token, email=user.email,
                                               name=user.name, state=user.state)

    async def _known(self, phone: str) -> CardUserEntry:
        entry = self.journal.card_user(check_login(phone)) or await self.user(phone)
        if entry is None:
            raise CardInputError("phone", "Этот телефон не зарегистрирован для сохранённых "
                                          "карт: сначала зарегистрируйте клиента")
        return entry

    async def cards(self, phone: str) -> CardList:
        """The person's saved cards (masked), as the gateway lists them."""
        return await self.client.cards((await self._known(phone)).user_token)

    async def add_card(self, phone: str) -> CardRegistration:
        """A page where the person enters a new card (shown as a QR); the card appears in
        the list once the gateway has it."""
        entry = await self._known(phone)
        registration = await self.client.register_card(entry.user_token)
        self._audit("card-add", entry.login, regPayNum=registration.reg_pay_num)
        return registration

    async def remove_card(self, phone: str, card_token: str) -> Deactivated:
        entry = await self._known(phone)
        answer = await self.client.deactivate_card(entry.user_token, card_token)
        self._audit("card-remove", entry.login, cardToken=card_token)
        return answer

    async def saved_card_user(self, phone: str) -> str:
        """The user token for paying with a saved card of this phone."""
        return (await self._known(phone)).user_token

    # --- the supervisor ---------------------------------------------------------------------
    def refundable(self, record: PaymentRecord) -> Decimal:
        """What can still be given back of a paid card payment."""
        if not record.by_card or record.state is not State.PAID:
            return Decimal("0.00")
        if record.card_remaining is not None:
            return record.card_remaining
        return record.amount_from or Decimal("0.00")

    def refunds(self, agent_transaction_id: int) -> list[CardRefund]:
        return self.journal.card_refunds(agent_transaction_id)

    async def refund(self, agent_transaction_id: int, amount: Decimal, note: str
                     ) -> CardRefund:
        note = note.strip()
        if not note:
            raise CardInputError("note", "Укажите причину возврата")
        refund = await self._method().refund(agent_transaction_id, amount, note,
                                             actor=self.actor)
        self._audit("card-refund", str(agent_transaction_id), amount=format(amount, "f"),
                    note=note, state=refund.state, refund=refund.id)
        return refund

    async def recheck_refund(self, refund_id: int) -> CardRefund:
        refund = await self._method().recheck_refund(refund_id)
        self._audit("card-refund-check", str(refund.agent_transaction_id), refund=refund_id,
                    state=refund.state)
        return refund

    async def decide(self, agent_transaction_id: int, *, reg_pay_num: str | None,
                     reason: str) -> PaymentRecord:
        """A saved card's payment whose answer was lost: the gateway's number from its
        cabinet, or None — not done."""
        if not reason.strip():
            raise CardInputError("reason", "Укажите причину решения")
        if reg_pay_num is not None and not reg_pay_num.strip().isdigit():
            raise CardInputError("regPayNum", "Номер платежа шлюза — цифры")
        record = await self._method().decide(agent_transaction_id, reg_pay_num=reg_pay_num,
                                             actor=self.actor, reason=reason.strip())
        self._audit("card-decision", str(agent_transaction_id), regPayNum=reg_pay_num,
                    reason=reason.strip(), state=str(record.state))
        return record
