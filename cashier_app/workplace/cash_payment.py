"""A payment paid with the bill validator's cash: what a kiosk does between the check and the
receipt, without Qt (the kiosk's screens and ``cashier-app pay --from-acceptor`` are thin
layers over it).

The money is never in two places and never in none:

* the cash is in the journal's cash session bill by bill as the unit stacks it
  (:class:`~cashier_app.devices.cash_intake.CashIntake`);
* :meth:`CashPayment.pay` stops the unit, waits for a bill on its way, and hands the session
  (and a voucher spent with it) to the engine, which spends them *in the same commit* that
  journals the pay with their sum as amountFrom — before anything is sent;
* a person who walks away, a payment refused before pay, a program that was killed: the
  cash becomes a voucher (:meth:`give_back`, :meth:`recover`), printed where a printer is;
* a pay that fails finally gives its cash back as vouchers in the failure's commit (see
  :mod:`cashier_app.engine.methods.cash`).

What the unit may take follows the payment (:class:`~cashier_app.devices.cash_intake.CashRules`):
up to the service's highest amount (with its commission); for a fixed amount or invoice
lines, no bill beyond what is still owed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from cashier_app.core.limits import AmountLimits, limits_from
from cashier_app.core.schemes import LineChoice, Money, PaymentRefused
from cashier_app.core.services import Scheme, ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.devices.cash_intake import CashIntake, CashRules
from cashier_app.engine import PaymentEngine, PayPlan
from cashier_app.journal import PaymentRecord
from cashier_app.journal.cash_in import (
    CHANGE,
    EMPTY,
    OPEN,
    TEST,
    VOUCHER,
    CashSession,
    VoucherNotPayable,
)
from cashier_app.receipts.service import ReceiptService

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Due:
    """What the screen shows while cash goes in: ``inserted`` (with a voucher spent),
    ``money`` — what it credits now (None: not even the commission yet; its ``change`` is the
    part above a fixed sum, given as a voucher), ``owed`` — the sum due for a fixed amount or
    invoice (None: any sum), ``ready`` — None when pay may be pressed, else why not
    (Russian)."""

    inserted: Decimal
    money: Money | None
    owed: Decimal | None
    maximum: Decimal | None
    ready: str | None


class CashPayment:
    """One terminal's cash payments, one at a time."""

    def __init__(self, engine: PaymentEngine, intake: CashIntake,
                 receipts: ReceiptService | None = None) -> None:
        self.engine = engine
        self.intake = intake
        self.receipts = receipts
        self.record: PaymentRecord | None = None
        self.service: ServiceDefinition | None = None
        self.voucher: CashSession | None = None  # a voucher being spent with the cash
        self.change: CashSession | None = None  # the last payment's change, as a voucher
        self.limits = AmountLimits()
        self._amount: Decimal | None = None  # amountTo fixed by the form (fixed, invoice)
        self._lines: tuple[LineChoice, ...] = ()
        self._contract: str | None = None

    # --- start --------------------------------------------------------------------------
    async def recover(self) -> list[CashSession]:
        """Start the unit and end what a stopped program left: a test session as test cash,
        a payment session with money as a voucher (nobody can say whether the person is
        still there: the voucher is spendable here or paid out by the supervisor), one
        without money as empty. Returns the vouchers issued (printed where a printer is)."""
        vouchers = []
        for session in await self.intake.start():
            if session.state != OPEN:
                continue
            journal = self.engine.journal
            if session.purpose == "test":
                journal.close_cash_session(session.id, TEST)
            elif session.total > ZERO:
                vouchers.append(journal.close_cash_session(session.id, VOUCHER))
                log.warning("cash session %s (%s) interrupted: voucher issued", session.id,
                            session.total)
            else:
                journal.close_cash_session(session.id, EMPTY)
        for voucher in vouchers:
            await self._print_voucher(voucher)
        return vouchers

    # --- one payment --------------------------------------------------------------------------
    async def begin(self, record: PaymentRecord, service: ServiceDefinition, *,
                    amount: Decimal | None = None, lines: tuple[LineChoice, ...] = (),
                    contract_id: str | None = None) -> Due:
        """A checked payment: open its cash session and enable the bills its rules allow.
        ``amount``: the amountTo a fixed-amount service or the invoice lines set (None: the
        person inserts what they want credited). A voucher typed at the terminal is added
        with :meth:`use_voucher`."""
        if record.state is not State.CHECKED:
            raise PaymentRefused("Сначала проверьте платёж")
        if service.fixed_payment and amount is None:
            amount = record.check.fixed_amount
        self.record, self.service, self.voucher = record, service, None
        # the limits known before any bill goes in: the service's and this account's
        answer_limits, problems = limits_from(record.check_answer)
        for problem in problems:
            log.warning("service %s: check answer: %s", service.service_id, problem)
        self.limits = service.limits.narrowed(answer_limits)
        self._amount, self._lines, self._contract = amount, lines, contract_id
        if Scheme(record.scheme) is Scheme.COMPLEX:  # the lines set amountTo: validate now
            self._amount = self.engine.plan(record, lines=lines).money.amount_to
        await self.intake.begin("payment", self._rules())
        return self.due()

    async def use_voucher(self, code: str) -> Due:
        """A voucher typed at the terminal counts as cash inserted (spent with the payment,
        once). PaymentRefused: not a voucher, or already paid out or spent."""
        if self.record is None:
            raise RuntimeError("no payment")
        if self.voucher is not None:
            raise PaymentRefused("Ваучер уже учтён в этом платеже")
        try:
            self.voucher = self.engine.journal.spendable_voucher(code)
        except VoucherNotPayable as error:  # the journal's words, as at the supervisor's
            raise PaymentRefused(str(error)) from None
        await self.intake.set_rules(self._rules())
        return self.due()

    def due(self) -> Due:
        """The payment's sums for the inserted cash now."""
        if self.record is None or self.service is None:
            raise RuntimeError("no payment")
        inserted = self.inserted
        rules = self.intake.rules
        owed = self._owed()
        credited: Money | None = None
        ready: str | None = None
        try:
            credited = self._plan(inserted).money if inserted > ZERO else None
        except PaymentRefused as error:
            ready = str(error)
        if credited is None and ready is None:
            ready = "Вставьте купюру"
        elif credited is not None:
            ready = self.limits.problem(credited.amount_to) or None
        if owed is not None and inserted < owed:
            ready = f"Осталось внести {money(owed - inserted)}"
        maximum = None if rules.maximum is None else rules.maximum + self._voucher_value()
        return Due(inserted, credited, owed, maximum, ready)

    async def pay(self) -> PaymentRecord:
        """Stop the unit, then journal the pay with the cash spent in one commit and send
        it. PaymentRefused (the unit takes bills again) when the cash is not enough yet."""
        record, session = self.record, await self.intake.hold()
        assert record is not None
        due = self.due()
        if due.ready is not None:
            await self.intake.set_rules(self._rules())
            raise PaymentRefused(due.ready)
        plan = self._plan(due.inserted)
        funds = [session.id] + ([self.voucher.id] if self.voucher is not None else [])
        try:
            paid = await self.engine.pay(record.agent_transaction_id, plan, funds)
        finally:
            if self.engine.journal.cash_session(session.id).state != OPEN:
                self.intake.release()
        self._clear()
        self.change = next((s for s in self.engine.journal.cash_of_payment(
            paid.agent_transaction_id) if s.purpose == CHANGE), None)
        if self.change is not None:
            await self._print_voucher(self.change)
        return paid

    async def give_back(self, reason: str = "Платёж отменён") -> CashSession | None:
        """The person gave up, the time ran out, the payment cannot go on: the unit stops,
        the payment is cancelled (no pay was sent), and the cash inserted becomes a voucher
        (printed where a printer is). Returns the voucher (None: no cash was inserted, and a
        voucher being spent stays valid)."""
        record = self.record
        closed: CashSession | None = None
        if self.intake.session is not None:
            session = await self.intake.hold()
            closed = await self.intake.finish(VOUCHER if session.total > ZERO else EMPTY)
        if record is not None and self.engine.journal.get(
                record.agent_transaction_id).state is State.CHECKED:
            self.engine.cancel(record.agent_transaction_id, reason)
        self._clear()
        if closed is None or closed.state != VOUCHER:
            return None
        await self._print_voucher(closed)
        return closed

    # --- the sums -----------------------------------------------------------------------------
    def _rules(self) -> CashRules:
        """The bills allowed: up to the sum owed (fixed amount, invoice) or up to the
        service's highest amount with its commission — less a voucher's value either way.
        A sum owed is rounded up to the smallest banknote the unit takes: 4 393,50 ₽ cannot
        be inserted in banknotes exactly, so the last bill may go over by less than the
        smallest one, and that part is the person's change — a voucher."""
        assert self.service is not None
        credit = self._voucher_value()
        owed = self._owed()
        high = self.limits.high
        maximum = None if high is None else self.engine.inserted_for(
            self.service.service_id, high)
        if owed is not None:
            owed = _round_up(max(owed - credit, ZERO), self._smallest_bill())
        return CashRules(owed=owed,
                         maximum=None if maximum is None else max(maximum - credit, ZERO))

    def _smallest_bill(self) -> Decimal | None:
        amounts = [bill.amount for bill in self.intake.acceptor.bill_table]
        return min(amounts) if amounts else None

    def _owed(self) -> Decimal | None:
        assert self.service is not None
        if self._amount is None:
            return None
        return self.engine.inserted_for(self.service.service_id, self._amount)

    def _plan(self, inserted: Decimal) -> PayPlan:
        assert self.record is not None and self.service is not None
        return self.engine.plan(self.record, amount=self._amount, lines=self._lines,
                                contract_id=self._contract, inserted=inserted,
                                fixed_payment=self.service.fixed_payment)

    @property
    def inserted(self) -> Decimal:
        """The cash in so far: this session's stacked bills and a voucher typed."""
        session = self.intake.session
        return (session.total if session is not None else ZERO) + self._voucher_value()

    def _voucher_value(self) -> Decimal:
        return self.voucher.total if self.voucher is not None else ZERO

    def _clear(self) -> None:
        self.record = self.service = self.voucher = None
        self._amount, self._lines, self._contract = None, (), None

    async def _print_voucher(self, voucher: CashSession) -> None:
        if self.receipts is None:
            return
        try:
            await self.receipts.print_voucher(voucher)
        except Exception:  # the voucher is in the journal; the supervisor can reprint it
            log.exception("voucher %s not printed", voucher.voucher)


def _round_up(amount: Decimal, step: Decimal | None) -> Decimal:
    """``amount`` up to a whole number of ``step`` (None or 0: as it is)."""
    if not step:
        return amount
    steps = (amount / step).to_integral_value(rounding=ROUND_CEILING)
    return (steps * step).quantize(Decimal("0.01"))
