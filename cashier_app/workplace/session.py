"""The desk session: who is at the desk, the open shift, whether a new payment may be taken,
and what the payment on the desk is doing. No Qt.

The rules about the desk are kept here once instead of in widgets: a new payment is refused
without an open shift, and once the agent's balance is down to the center's overdraft level
(the center stops taking payments then too); a shift is not closed and a payment is not
voided under a payment the cashier is working with. For the last two the session knows the
payment on the desk and its :class:`Step` — the cashier's payment flow keeps them here — so
the supervisor's window asks the session, not the cashier's panel. The cashier's window
keeps one session; a command-line run can keep one too.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cashier_app.core.answers import AgentBalance
from cashier_app.core.balance import BalanceLevel, balance_level
from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import State, can_void
from cashier_app.core.text import money
from cashier_app.engine import PaymentEngine
from cashier_app.journal import PaymentRecord, Shift

from . import shifts

log = logging.getLogger(__name__)


class Step(enum.Enum):
    """Where the payment on the desk is: what the cashier's panel shows, what the keys do."""

    EMPTY = "empty"        # no service chosen
    FORM = "form"          # filling the form
    CHECKING = "checking"  # check sent, waiting
    CHECKED = "checked"    # check answer shown, counting the cash
    PAYING = "paying"      # pay sent, waiting for the first answer
    QR = "qr"              # the person pays a QR СБП code on screen (or it failed: a new one?)
    DONE = "done"          # outcome shown (paid, failed or «в обработке»)


#: Steps with a request on its way to the center for the payment on the desk.
WAITING = (Step.CHECKING, Step.PAYING)

NO_SHIFT = "Смена не открыта: платежи не принимаются"
WAIT_FOR_ANSWER = "Дождитесь ответа по текущему платежу"
QR_BEING_PAID = "Клиент оплачивает QR-код: дождитесь оплаты или отмените код (Esc)"
AT_THE_DESK = ("Платёж сейчас открыт у кассира: аннулировать нельзя, пока кассир с ним "
               "работает")
VOIDED = "Платёж аннулирован: он не был отправлен на оплату, денег нет"


def void_refusal(record: PaymentRecord) -> str | None:
    """Why this payment cannot be voided, in words that fit its state; None when it can
    (:func:`cashier_app.core.states.can_void`: no pay was ever sent for it)."""
    if can_void(record.state):
        return None
    if record.state is State.CANCELLED:
        return "Платёж уже отменён: аннулировать нечего"
    if record.state is State.CHECKING:
        return ("Платёж сейчас проверяется: аннулировать нельзя, пока не придёт ответ на "
                "проверку")
    if record.state is State.FAILED:
        if record.by_qr:
            return "Аннулировать нечего: QR-код не оплачен, деньги с клиента не списаны"
        return ("Аннулировать нечего: платёж не проведён, с баланса агента ничего не "
                "списано, а деньги клиенту вернули, когда пришёл отказ")
    if record.state is State.PAYING:
        return ("Аннулировать нельзя: платёж в обработке, процессинг ещё не дал "
                "окончательного ответа. Дождитесь его (или нажмите «Проверить сейчас»): "
                "проведённый платёж возвращается через процессинговый центр, "
                "непроведённый — деньги клиенту возвращает кассир")
    if record.state is State.QR_WAITING:
        return ("Аннулировать нельзя: клиент может оплачивать QR-код прямо сейчас. Дождитесь "
                "оплаты или окончания срока кода")
    number = f" {record.transaction_id}" if record.transaction_id else ""
    return ("Аннулировать нельзя: платёж проведён. Протокол процессинга не отменяет "
            "проведённый платёж; вернуть деньги можно только через процессинговый центр — "
            f"по номеру операции{number}")


@dataclass(frozen=True)
class VoidAnswer:
    """What a void attempt came to: ``message`` is for the supervisor (Russian)."""

    voided: bool
    message: str
    record: PaymentRecord


def void_payment(engine: PaymentEngine, agent_transaction_id: int, actor: Cashier, *,
                 busy: bool = False) -> VoidAnswer:
    """Void a payment that never reached pay — nothing was sent to pay, no money was taken;
    any other is refused with what can be done instead. ``busy``: the cashier is working
    with it right now. Every attempt is written to the audit under ``actor``."""
    record = engine.journal.get(agent_transaction_id)
    refusal = void_refusal(record)
    if refusal is None and not busy:
        record = engine.cancel(agent_transaction_id, "Аннулирован старшим кассиром")
        answer = VoidAnswer(True, VOIDED, record)
    else:
        answer = VoidAnswer(False, refusal or AT_THE_DESK, record)
    engine.journal.audit(actor.name, str(actor.role), "void_attempt",
                         f"платёж {agent_transaction_id}",
                         {"state": str(record.state), "voided": answer.voided,
                          "message": answer.message})
    return answer


class Session:
    """One desk: its cashiers, who is logged in, the open shift, the last balance, and the
    payment on the desk with its step."""

    def __init__(self, engine: PaymentEngine, cashiers: Sequence[Cashier] = ()) -> None:
        self.engine = engine
        self.journal = engine.journal
        self.cashiers = list(cashiers)
        self.cashier: Cashier | None = None
        self.shift: Shift | None = None
        #: the shift this desk closed last (its Z report can be printed again)
        self.last_closed_shift: int | None = None
        self.balance: AgentBalance | None = None
        self.level = BalanceLevel.OK
        #: the payment on the desk (None: none yet) and where it is
        self.payment: PaymentRecord | None = None
        self.step = Step.EMPTY

    # --- who and which shift ------------------------------------------------------------
    def who(self) -> tuple[str, int | None]:
        """The cashier's name and shift id a new payment is journaled with."""
        return (self.cashier.name if self.cashier else "",
                self.shift.id if self.shift else None)

    def supervisors(self, *, besides: str | None = None) -> list[Cashier]:
        """Who may open the supervisor's window (and lift a lockout) — not ``besides``."""
        return [person for person in self.cashiers
                if person.role.supervises and person.name != besides]

    def log_in(self, cashier: Cashier) -> Shift | None:
        """``cashier`` is at the desk. Returns the shift open on this drawer now (None:
        none); when it is theirs, they are in it (:attr:`shift`)."""
        self.cashier = cashier
        current = self.journal.open_shift_now()
        if current is not None and current.cashier == cashier.name:
            self.shift = current
        return current

    def log_out(self) -> None:
        """Nobody at the desk; the shift stays open (a break, a change of cashier)."""
        self.cashier = None
        self.shift = None

    def open_shift(self, opening_cash: Decimal) -> Shift:
        """Open the logged-in cashier's shift with ``opening_cash`` in the drawer
        (ShiftError, AmountError: Russian)."""
        assert self.cashier is not None
        self.shift = shifts.open_shift(self.journal, self.cashier.name, opening_cash)
        return self.shift

    def in_shift(self, shift_id: int) -> bool:
        return self.shift is not None and self.shift.id == shift_id

    def close_shift(self, counted: Decimal | None,
                    pieces: Mapping[str, int] | None = None) -> Shift:
        """Close the cashier's own shift with the drawer counted (ShiftError)."""
        assert self.shift is not None and self.cashier is not None
        closed = shifts.close_shift(self.journal, self.shift.id, actor=self.cashier.name,
                                    role=self.cashier.role, counted=counted,
                                    denominations=pieces)
        self.left_shift(closed)
        return closed

    def left_shift(self, closed: Shift) -> None:
        """The shift at the desk was closed (here, or by a supervisor)."""
        self.shift = None
        self.last_closed_shift = closed.id

    # --- the payment gate -----------------------------------------------------------------
    def note_balance(self, answer: AgentBalance) -> bool:
        """A balance the center gave: the payment gate follows it, and it is kept in the
        balance log (the supervisor's view). False: the center refused, nothing changes."""
        if not answer.ok:
            return False
        self.balance = answer
        try:
            self.journal.log_balance(answer.balance, answer.overdraft, answer.notification,
                                     answer.currency)
        except Exception:  # the log is for the supervisor's view; a full disk must not stop
            log.exception("balance log failed")
        self.level = balance_level(answer.balance, answer.overdraft, answer.notification)
        return True

    def payment_blocker(self) -> str | None:
        """Why a new payment cannot be taken now, or None."""
        if self.cashier is None or self.shift is None:
            return NO_SHIFT
        if self.level is BalanceLevel.BLOCKED and self.balance is not None:
            balance, overdraft = money(self.balance.balance), money(self.balance.overdraft)
            return (f"Приём платежей остановлен: баланс агента {balance} достиг порога "
                    f"отключения {overdraft}. Пополните баланс и обновите (F5).")
        return None

    # --- the payment on the desk ----------------------------------------------------------
    def shift_busy(self, shift_id: int) -> str | None:
        """Why the shift cannot be closed right now (a payment is on its way), or None."""
        if not self.in_shift(shift_id):
            return None
        if self.step in WAITING:
            return WAIT_FOR_ANSWER
        if self.step is Step.QR and self.payment is not None and (
                self.payment.state is State.QR_WAITING):
            return QR_BEING_PAID
        return None

    def payment_busy(self, agent_transaction_id: int) -> bool:
        """The payment is open on the desk and the cashier is working with it."""
        return (self.payment is not None
                and self.payment.agent_transaction_id == agent_transaction_id
                and self.step is not Step.DONE)

    def void_refusal(self, agent_transaction_id: int) -> str | None:
        """Why the payment cannot be voided now (its state, or the cashier has it open)."""
        refusal = void_refusal(self.journal.get(agent_transaction_id))
        if refusal is None and self.payment_busy(agent_transaction_id):
            return AT_THE_DESK
        return refusal

    def void(self, agent_transaction_id: int, actor: Cashier) -> VoidAnswer:
        """A supervisor's void attempt (audited), refused while the cashier has it open."""
        return void_payment(self.engine, agent_transaction_id, actor,
                            busy=self.payment_busy(agent_transaction_id))
