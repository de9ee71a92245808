"""The e-wallet at the desk, for the window and the command line alike (no Qt): the cashier
acts for the person — opens a wallet by phone, raises its identification after checking the
passport, shows balance and limits, refills it, pays from it, withdraws to a bank, prints the
report, closes it.

What moves money goes through the payment engine (:mod:`cashier_app.engine.methods.wallet`):
journaled before it is sent, followed to its end. What changes the wallet without moving
money (open, identification, limits, close) is written to the audit with who did it — the
point answers for having checked the passport. Every wallet the point opens or looks up is
kept in its directory (:mod:`cashier_app.journal.wallets`), so a returning person is found by
phone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cashier_app.core.schemes import PaymentRefused
from cashier_app.core.states import State
from cashier_app.engine import PaymentEngine
from cashier_app.engine.methods.wallet import PAYMENT, REFILL, WITHDRAWAL, WalletPay
from cashier_app.journal import PaymentRecord, WalletEntry
from cashier_app.wallet_api.client import WalletClient
from cashier_app.wallet_api.errors import WalletError, WalletInputError
from cashier_app.wallet_api.models import (
    Bank,
    Identification,
    Limits,
    ReportFilter,
    ReportPage,
    WalletInfo,
)
from cashier_app.wallet_api.requests import (
    check_amount,
    check_phone,
    check_tsp,
    check_uuid,
    limits_body,
    refill_body,
    withdrawal_body,
)

log = logging.getLogger(__name__)
NO_WALLETS = "Электронные кошельки на этой кассе не настроены (wallet.url)"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class WalletCard:
    """What the cashier sees of one wallet: the directory's entry, and what the service
    says now (``problem``: why it could not be asked — the card still shows the entry)."""

    entry: WalletEntry
    info: WalletInfo | None = None
    limits: Limits | None = None
    problem: str = ""

    @property
    def closed(self) -> bool:
        status = self.info.status if self.info is not None else self.entry.status
        return (status or "").upper() == "CLOSED"


class WalletDesk:
    """One cashier's wallet work: ``actor`` and ``role`` go to the audit and the journal."""

    def __init__(self, engine: PaymentEngine, *, actor: str = "", role: str = "",
                 shift_id: int | None = None) -> None:
        self.engine = engine
        self.journal = engine.journal
        self.actor, self.role, self.shift_id = actor, role, shift_id
        self._banks: tuple[Bank, ...] | None = None

    @property
    def enabled(self) -> bool:
        return self.engine.wallet is not None

    def _method(self) -> WalletPay:
        if self.engine.wallet is None:
            raise PaymentRefused(NO_WALLETS)
        return self.engine.wallet

    @property
    def client(self) -> WalletClient:
        return self._method().client

    def _audit(self, action: str, wallet_id: str, **details: Any) -> None:
        self.journal.audit(self.actor or "кассир", self.role, action, wallet_id, details)

    # --- finding -----------------------------------------------------------------------
    def find(self, text: str) -> list[WalletEntry]:
        """Wallets in the point's directory by a phone (as typed) or a walletId."""
        text = text.strip()
        if UUID_RE.match(text):
            entry = self.journal.wallet(text.lower())
            return [entry] if entry is not None else []
        return self.journal.wallets_by_phone(check_phone(text))

    async def lookup(self, wallet_id: str, phone: str = "") -> WalletCard:
        """A wallet by its id: asked of the service and kept in the directory."""
        wallet_id = check_uuid(wallet_id, "walletId").lower()
        info = await self.client.info(wallet_id)
        entry = self.journal.remember_wallet(
            wallet_id, phone=phone or None, number=info.number, status=info.status,
            balance=info.balance, identification=info.raw.get("identification"))
        return WalletCard(entry, info)

    async def card(self, wallet_id: str) -> WalletCard:
        """The wallet card: the directory's entry with the balance, status and limits now
        (a service that does not answer leaves the card with the entry and the reason)."""
        entry = self.journal.wallet(wallet_id)
        if entry is None:
            return await self.lookup(wallet_id)
        try:
            info = await self.client.info(wallet_id)
            limits = await self.client.limits(wallet_id)
        except WalletError as error:
            return WalletCard(entry, problem=str(error))
        entry = self.journal.remember_wallet(
            wallet_id, number=info.number, status=info.status, balance=info.balance,
            identification=info.raw.get("identification"))
        return WalletCard(entry, info, limits)

    # --- what changes a wallet without moving money --------------------------------------
    async def register(self, phone: str, identification: int | None = None, *,
                       document_checked: bool = False) -> WalletEntry:
        """Open a wallet; a level above 0 only with the passport seen (as :meth:`identify`)."""
        phone = check_phone(phone)
        if identification and not document_checked:
            raise WalletInputError("document", "Для уровня выше 0 проверьте паспорт клиента")
        answer = await self.client.register(phone, identification)
        entry = self.journal.remember_wallet(
            answer.wallet_id, phone=phone, identification=answer.identification,
            status="ACTIVE", opened_at=_now(), opened_by=self.actor or None)
        self._audit("wallet-register", answer.wallet_id, phone=phone,
                    identification=answer.identification, document_checked=document_checked)
        return entry

    async def identify(self, wallet_id: str, level: int, *, document_checked: bool
                       ) -> WalletEntry:
        """Raise (or set) the identification level; above 0 only with the passport seen."""
        if level not in (0, 1, 2):
            raise WalletInputError("level", "Уровень идентификации: 0, 1 или 2")
        if level and not document_checked:
            raise WalletInputError("document", "Для уровня выше 0 проверьте паспорт клиента")
        answer = await self.client.identify(wallet_id, level)
        entry = self.journal.remember_wallet(wallet_id, identification=answer.identification)
        self._audit("wallet-identify", wallet_id, level=level,
                    identification=answer.identification, document_checked=document_checked)
        return entry

    async def close(self, wallet_id: str) -> WalletEntry:
        await self.client.deactivate(wallet_id)
        entry = self.journal.remember_wallet(wallet_id, status="CLOSED", closed_at=_now())
        self._audit("wallet-close", wallet_id)
        return entry

    async def set_limits(self, wallet_id: str,
                         changes: Mapping[str, Mapping[str, Any]]) -> Limits:
        limits = await self.client.set_limits(wallet_id, limits_body(changes))
        self._audit("wallet-limits", wallet_id, changes={k: {f: str(v) for f, v in c.items()}
                                                         for k, c in changes.items()})
        return limits

    async def limits(self, wallet_id: str) -> Limits:
        return await self._method().client.limits(wallet_id)

    async def report(self, wallet_id: str, flt: ReportFilter | None = None) -> ReportPage:
        return await self.client.report(wallet_id, flt or ReportFilter())

    async def banks(self) -> tuple[Bank, ...]:
        """The banks to withdraw to (asked once per desk session)."""
        if self._banks is None:
            self._banks = tuple(await self.client.banks())
        return self._banks

    # --- money ---------------------------------------------------------------------------
    def _account(self, wallet_id: str) -> str:
        entry = self.journal.wallet(wallet_id)
        if entry is not None and (entry.status or "").upper() == "CLOSED":
            raise PaymentRefused("Кошелёк закрыт: операции по нему невозможны")
        if entry is None:
            return wallet_id
        return entry.number or entry.phone or wallet_id

    async def refill(self, wallet_id: str, amount: Decimal | str) -> PaymentRecord:
        """An СБП refill: the answer's link (``qr_payload``) is for the person's bank app;
        the wallet is credited when the bank pays (followed in the background)."""
        method = self._method()
        value = check_amount(amount)
        record = method.open(REFILL, wallet_id, value, refill_body(value),
                             account=self._account(wallet_id), cashier=self.actor,
                             shift_id=self.shift_id)
        return await method.start(record.agent_transaction_id)

    async def pay(self, wallet_id: str, amount: Decimal | str, tsp: str) -> PaymentRecord:
        """A payment from the wallet to a ТСП (the recipient's id)."""
        method = self._method()
        value = check_amount(amount)
        tsp = check_tsp(tsp.strip())
        record = method.open(PAYMENT, wallet_id, value, None,
                             account=self._account(wallet_id), cashier=self.actor,
                             shift_id=self.shift_id, extras={"tsp": tsp})
        return await method.start(record.agent_transaction_id)

    async def withdraw(self, wallet_id: str, bank_identifier: str, amount: Decimal | str
                       ) -> PaymentRecord:
        """A withdrawal to a bank from the list (:meth:`banks`)."""
        method = self._method()
        value = check_amount(amount)
        banks = {bank.bank_identifier: bank for bank in await self.banks()}
        bank = banks.get(bank_identifier)
        if bank is None:
            raise WalletInputError("bank", "Выберите банк из списка")
        record = method.open(WITHDRAWAL, wallet_id, value,
                             withdrawal_body(bank.bank_identifier, value),
                             account=self._account(wallet_id), cashier=self.actor,
                             shift_id=self.shift_id,
                             extras={"bankIdentifier": bank.bank_identifier,
                                     "bank": bank.name})
        return await method.start(record.agent_transaction_id)

    async def follow(self, agent_transaction_id: int, wait: float) -> PaymentRecord:
        """Wait up to ``wait`` seconds for an operation in flight to end."""
        return await self.engine.scheduler.settle(agent_transaction_id, wait=wait)

    def operations(self, wallet_id: str) -> list[PaymentRecord]:
        return self.journal.wallet_operations(wallet_id)

    def needing_decision(self) -> list[PaymentRecord]:
        """Operations that nothing can settle: a supervisor decides each."""
        return [record for record in self.journal.in_state(State.PAYING, State.QR_WAITING)
                if record.needs_decision]

    async def decide(self, agent_transaction_id: int, *, resend: bool, reason: str
                     ) -> PaymentRecord:
        """The supervisor's decision (the caller checked the role and the PIN)."""
        if not reason.strip():
            raise WalletInputError("reason", "Укажите причину решения")
        record = await self._method().decide(agent_transaction_id, resend=resend,
                                             actor=self.actor, reason=reason.strip())
        self.journal.audit(self.actor, self.role, "wallet-decision",
                           str(agent_transaction_id),
                           {"resend": resend, "reason": reason.strip(),
                            "state": str(record.state)})
        return record


def identification_title(name: str | None) -> str:
    """«упрощённая идентификация (УПРИД)» for PERSONALIZED, and so on."""
    if not name:
        return "неизвестно"
    try:
        return Identification.of(name).title
    except ValueError:
        return name


def _now() -> str:
    from datetime import datetime

    return datetime.now().isoformat(timespec="seconds")
