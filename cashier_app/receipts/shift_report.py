"""Shift reports: the X report (current totals, any time) and the Z report (fixed at close).

:func:`shift_totals` is the one count of a shift — the reports, the cashier's «Сегодня» page,
the close with a cash count and the supervisor's shift list all use it, so the screen and the
paper agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.core.states import State
from cashier_app.core.text import moment
from cashier_app.journal import PaymentRecord, Shift
from cashier_app.journal.cards import CardRefund

from .document import (
    CENTER,
    PAIR,
    RULE,
    TEXT,
    TITLE,
    TOTAL,
    Document,
    ReceiptSettings,
    add_closing,
    add_heading,
    difference_word,
    money,
    when,
)

STATE_ROWS = (
    (State.PAID, "Проведено"),
    (State.PAYING, "В обработке"),
    (State.QR_WAITING, "Ждут оплаты клиентом"),  # QR СБП, ссылка на карту, пополнение
    (State.FAILED, "Не проведено"),
)
#: States a report counts (the rest never reached pay); a failed QR code moved no money.
REPORTED = (State.PAID, State.PAYING, State.QR_WAITING, State.FAILED)


@dataclass(frozen=True)
class ShiftTotals:
    """Counts and sums of a shift, by state, by service and by how the person paid; the cash
    the drawer should hold (QR СБП payments put none there)."""

    by_state: dict[State, tuple[int, Decimal]]
    by_service: list[tuple[str, str, int, Decimal]]  # id, name, count, amount_from (accepted)
    amount_to: Decimal
    commission: Decimal
    cash_expected: Decimal
    not_taken: int  # checks that never reached pay (failed check, cancelled, abandoned)
    by_method: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # accepted
    #: money given back to cards in the shift (by the supervisor), count and sum: not cash,
    #: but what the gateway's statement of the day shows next to the card payments
    card_refunds: tuple[int, Decimal] = (0, Decimal("0.00"))

    @property
    def sbp(self) -> tuple[int, Decimal]:
        return self.by_method.get("sbp", (0, Decimal("0.00")))

    def as_json(self) -> dict[str, Any]:
        """As fixed in a closed shift's row (amounts as exact decimal text)."""
        return {
            "by_state": {str(state): [count, format(total, "f")]
                         for state, (count, total) in self.by_state.items()},
            "by_method": {method: [count, format(total, "f")]
                          for method, (count, total) in self.by_method.items()},
            "by_service": [[sid, name, count, format(total, "f")]
                           for sid, name, count, total in self.by_service],
            "amount_to": format(self.amount_to, "f"),
            "commission": format(self.commission, "f"),
            "cash_taken": format(self.cash_expected, "f"),
            "not_taken": self.not_taken,
            "card_refunds": [self.card_refunds[0], format(self.card_refunds[1], "f")],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShiftTotals:
        refunds = data.get("card_refunds", [0, "0.00"])  # absent: fixed before they were
        return cls(
            by_state={State(k): (int(v[0]), Decimal(v[1])) for k, v in data["by_state"].items()},
            by_service=[(sid, name, int(count), Decimal(total))
                        for sid, name, count, total in data["by_service"]],
            amount_to=Decimal(data["amount_to"]), commission=Decimal(data["commission"]),
            cash_expected=Decimal(data["cash_taken"]), not_taken=int(data["not_taken"]),
            by_method={k: (int(v[0]), Decimal(v[1])) for k, v in data["by_method"].items()},
            card_refunds=(int(refunds[0]), Decimal(refunds[1])))

    @property
    def cash(self) -> tuple[int, Decimal]:
        return self.by_method.get("cash", (0, Decimal("0.00")))


def shift_totals(payments: Iterable[PaymentRecord],
                 refunds: Iterable[CardRefund] = ()) -> ShiftTotals:
    by_state: dict[State, list[Decimal]] = defaultdict(list)
    by_service: dict[str, tuple[str, int, Decimal]] = {}
    by_method: dict[str, tuple[int, Decimal]] = {}
    amount_to = commission = cash = Decimal("0.00")
    not_taken = 0
    for record in payments:
        if record.state not in REPORTED:
            not_taken += 1
            continue
        by_state[record.state].append(record.amount_from or Decimal(0))
        if not record.accepted:
            continue  # a failed payment's cash went back to the person; a QR not paid
        name, count, total = by_service.get(record.service_id,
                                            (record.service_name, 0, Decimal("0.00")))
        by_service[record.service_id] = (name, count + 1, total + (record.amount_from or 0))
        count, total = by_method.get(record.payment_method, (0, Decimal("0.00")))
        by_method[record.payment_method] = (count + 1, total + (record.amount_from or 0))
        amount_to += record.amount_to or 0
        commission += record.commission or 0
        if record.cash_accepted:
            cash += record.amount_from or 0
    return ShiftTotals(
        by_state={state: (len(values), sum(values, Decimal("0.00")))
                  for state, values in by_state.items()},
        by_service=sorted(((sid, name, count, total)
                           for sid, (name, count, total) in by_service.items()),
                          key=lambda row: (row[1].casefold(), row[0])),
        amount_to=amount_to, commission=commission, cash_expected=cash, not_taken=not_taken,
        by_method=by_method, card_refunds=_refunded(refunds))


def _refunded(refunds: Iterable[CardRefund]) -> tuple[int, Decimal]:
    done = [refund.amount for refund in refunds]
    return len(done), sum(done, Decimal("0.00"))


def shift_report(kind: str, shift: Shift, payments: Sequence[PaymentRecord],
                 settings: ReceiptSettings, number: int, made_at: datetime,
                 refunds: Sequence[CardRefund] = ()) -> Document:
    """The X report (current totals, any time) or the Z report (the totals fixed at the
    shift's close; a shift closed before they were kept: as the journal has them)."""
    totals = (ShiftTotals.from_json(shift.totals) if shift.totals is not None
              else shift_totals(payments, refunds))
    doc = Document(kind, number)
    add_heading(doc, settings)
    doc.add(TITLE, "Z-ОТЧЁТ" if kind == "z" else "X-ОТЧЁТ")
    doc.add(CENTER, "закрытие смены" if kind == "z" else "без закрытия смены")
    doc.add(PAIR, "Документ №", number)
    doc.add(PAIR, "Смена", shift.id)
    doc.add(PAIR, "Кассир", shift.cashier)
    doc.add(PAIR, "Открыта", when(shift.opened_at))
    if shift.closed_at:
        doc.add(PAIR, "Закрыта", when(shift.closed_at))
    doc.add(PAIR, "Сформирован", moment(made_at))
    doc.add(RULE)
    doc.add(CENTER, "ПО СОСТОЯНИЮ")
    for state, title in STATE_ROWS:
        count, total = totals.by_state.get(state, (0, Decimal("0.00")))
        doc.add(PAIR, f"{title}: {count}", money(total))
    doc.add(PAIR, "Без оплаты (проверка, отмена)", totals.not_taken)
    doc.add(RULE)
    doc.add(CENTER, "ПО УСЛУГАМ (принято)")
    if not totals.by_service:
        doc.add(TEXT, "Платежей нет")
    for service_id, name, count, total in totals.by_service:
        doc.add(TEXT, f"{name} ({service_id})")
        doc.add(PAIR, f"  платежей: {count}", money(total))
    doc.add(RULE)
    doc.add(CENTER, "ПО СПОСОБУ ОПЛАТЫ (принято)")
    for method, title in (("cash", "Наличными"), ("sbp", "По QR СБП"),
                          ("card", "Картой по ссылке"), ("wallet", "Кошельки (не наличные)")):
        count, total = totals.by_method.get(method, (0, Decimal("0.00")))
        if method in ("card", "wallet") and not count:
            continue  # a desk without cards or wallets: no row for them
        doc.add(PAIR, f"{title}: {count}", money(total))
    count, total = totals.card_refunds
    if count:
        doc.add(PAIR, f"Возвраты на карту: {count}", money(total))
    doc.add(RULE)
    doc.add(PAIR, "К зачислению", money(totals.amount_to))
    doc.add(PAIR, "Комиссия", money(totals.commission))
    if shift.opening_cash:
        doc.add(PAIR, "Размен на начало смены", money(shift.opening_cash))
    doc.add(TOTAL, "НАЛИЧНЫХ В КАССЕ", money(shift.opening_cash + totals.cash_expected))
    if shift.counted_cash is not None and shift.cash_difference is not None:
        doc.add(PAIR, "Пересчитано", money(shift.counted_cash))
        difference = shift.cash_difference
        doc.add(PAIR, f"Расхождение ({difference_word(difference) or 'нет'})",
                money(difference))
    if shift.closed_by and shift.closed_by != shift.cashier:
        doc.add(PAIR, "Смену закрыл(а)", shift.closed_by)
    doc.add(CENTER, "Суммы в рублях")
    doc.add(RULE)
    add_closing(doc, settings)
    return doc
