"""What a payment may be, by scheme, decided before anything is sent. Pure: no I/O, no Qt.

* simple: the entered amount, or ``displays.fixedAmount`` for a fixed-payment service;
* choice: one of the contracts the check returned, sent as ``extras.contractId``;
* complex: chosen invoice lines whose amounts add up to amountTo exactly, each within
  minSum/maxSum where those are non-zero, a new meter reading for meter lines not below the
  previous one.

Commission: amountFrom = amountTo + commission, by per-service rules (percent with a minimum,
plus a fixed part); cash given must cover amountFrom; change = cash given − amountFrom.
Cash inserted into a terminal gives no change: :func:`credit_for_inserted` finds the most
that can be credited from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cashier_app.errors import UserFacingError

from .money import CENT, MAX_AMOUNT, to_cents
from .text import money, number


class PaymentRefused(UserFacingError, ValueError):
    """Invalid input, refused locally before anything is sent. ``str()`` is Russian."""


@dataclass(frozen=True)
class InvoiceLine:
    """One line of a ЖКХ invoice (``invoice.invoices[].services[]`` of a check answer)."""

    sub_service_id: str
    sub_service_name: str
    pay_sum: Decimal | None = None
    tariff: Decimal | None = None
    min_sum: Decimal | None = None  # None or 0: no limit
    max_sum: Decimal | None = None  # None or 0: no limit
    debt_info: str | None = None
    is_meter: bool = False
    prev_count: Decimal | None = None
    last_count: Decimal | None = None
    si: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class LineChoice:
    sub_service_id: str
    amount: Decimal
    last_count: Decimal | None = None


@dataclass(frozen=True)
class PaidLine:
    sub_service_id: str
    amount: Decimal
    last_count: str | None  # as sent: the reading's text


def meter_reading(value: Decimal) -> str:
    """A meter reading as a person reads it: ``4870.00`` → ``4 870``, ``12.50`` → ``12,5``."""
    return number(value.normalize())


def check_amount(amount: Decimal, what: str = "Сумма") -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise PaymentRefused(f"{what}: не сумма")
    if amount <= 0:
        raise PaymentRefused(f"{what} должна быть больше нуля")
    if amount != amount.quantize(CENT):
        raise PaymentRefused(f"{what}: не больше двух знаков после запятой")
    if amount > MAX_AMOUNT:
        raise PaymentRefused(f"{what}: слишком большая сумма")
    return amount.quantize(CENT)


def simple_amount(entered: Decimal | None, *, fixed_payment: bool,
                  fixed_amount: Decimal | None) -> Decimal:
    if fixed_payment:
        if fixed_amount is None:
            raise PaymentRefused("Процессинг не сообщил сумму к оплате (fixedAmount)")
        fixed = check_amount(fixed_amount, "Сумма к оплате")
        if entered is not None and entered != fixed:
            raise PaymentRefused(f"Для этой услуги сумма фиксирована: {money(fixed)}")
        return fixed
    if entered is None:
        raise PaymentRefused("Укажите сумму")
    return check_amount(entered)


def choice_contract(contract_id: str | None, contract_ids: Sequence[str]) -> str:
    if not contract_ids:
        raise PaymentRefused("Процессинг не вернул договоров для выбора")
    if not contract_id:
        raise PaymentRefused("Выберите договор")
    if contract_id not in contract_ids:
        raise PaymentRefused(f"Договора {contract_id} нет в ответе процессинга")
    return contract_id


def complex_lines(invoice: Sequence[InvoiceLine], chosen: Sequence[LineChoice]
                  ) -> tuple[list[PaidLine], Decimal]:
    """Validate the chosen invoice lines; return the ``extraServices`` and amountTo."""
    by_id = {line.sub_service_id: line for line in invoice}
    if not chosen:
        raise PaymentRefused("Выберите хотя бы одну услугу из квитанции")
    paid: list[PaidLine] = []
    seen: set[str] = set()
    total = Decimal(0)
    for choice in chosen:
        line = by_id.get(choice.sub_service_id)
        if line is None:
            raise PaymentRefused(f"Услуги {choice.sub_service_id} нет в квитанции")
        name = line.sub_service_name
        if choice.sub_service_id in seen:
            raise PaymentRefused(f"Услуга «{name}» указана дважды")
        seen.add(choice.sub_service_id)
        amount = check_amount(choice.amount, f"Сумма за «{name}»")
        if line.min_sum and amount < line.min_sum:
            raise PaymentRefused(f"Сумма за «{name}» — не меньше {money(to_cents(line.min_sum))}")
        if line.max_sum and amount > line.max_sum:
            raise PaymentRefused(f"Сумма за «{name}» — не больше {money(to_cents(line.max_sum))}")
        reading: str | None = None
        if line.is_meter:
            if choice.last_count is None:
                raise PaymentRefused(f"Укажите показания счётчика для «{name}»")
            if not choice.last_count.is_finite() or choice.last_count < 0:
                raise PaymentRefused(f"Показания счётчика для «{name}»: не число")
            if line.prev_count is not None and choice.last_count < line.prev_count:
                raise PaymentRefused(f"Показания для «{name}» меньше предыдущих: "
                                     f"{meter_reading(choice.last_count)} < "
                                     f"{meter_reading(line.prev_count)}")
            reading = format(choice.last_count, "f")
        elif choice.last_count is not None:
            raise PaymentRefused(f"«{name}» оплачивается без счётчика")
        paid.append(PaidLine(choice.sub_service_id, amount, reading))
        total += amount
    return paid, check_amount(total, "Итого")


@dataclass(frozen=True)
class CommissionRule:
    """Commission for one service (or ``*``): max(minimum, percent of amount) + fixed."""

    service: str = "*"
    percent: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)

    def commission(self, amount_to: Decimal) -> Decimal:
        return to_cents(max(to_cents(amount_to * self.percent / 100), self.minimum) + self.fixed)


def commission_rule(rules: Sequence[CommissionRule], service_id: str) -> CommissionRule | None:
    """The rule for the service itself, else the ``*`` rule, else None (no commission)."""
    return next((r for r in rules if r.service == service_id), None) or next(
        (r for r in rules if r.service == "*"), None)


def commission_for(rules: Sequence[CommissionRule], service_id: str,
                   amount_to: Decimal) -> Decimal:
    rule = commission_rule(rules, service_id)
    return rule.commission(amount_to) if rule else Decimal("0.00")


def credit_for_inserted(rules: Sequence[CommissionRule], service_id: str,
                        inserted: Decimal) -> Money:
    """What a terminal credits for ``inserted`` cash (no change is given): the largest
    amountTo whose amountTo + commission fits in it; amountFrom is all of it, and the
    commission is the rest — the rule's commission, or a kopeck or two more where rounding
    leaves no amountTo that fits exactly. PaymentRefused when the cash does not even cover
    the commission."""
    cash = inserted.quantize(CENT)
    low, high = 0, int(cash * 100)  # kopecks credited: low fits (or is 0), high + 1 does not
    while low < high:
        middle = (low + high + 1) // 2
        amount_to = Decimal(middle) / 100
        if amount_to + commission_for(rules, service_id, amount_to) <= cash:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        raise PaymentRefused(f"Внесено {money(cash)}: этого не хватает даже на комиссию")
    amount_to = (Decimal(low) / 100).quantize(CENT)
    return Money(amount_to, cash - amount_to, cash, cash, Decimal("0.00"))


def inserted_for(rules: Sequence[CommissionRule], service_id: str,
                 amount_to: Decimal) -> Decimal:
    """The cash to insert for ``amount_to`` to be credited (with its commission)."""
    return to_cents(amount_to + commission_for(rules, service_id, amount_to))


@dataclass(frozen=True)
class Money:
    """The amounts of one payment: what is credited, taken, handed over and given back."""

    amount_to: Decimal
    commission: Decimal
    amount_from: Decimal
    cash_given: Decimal
    change: Decimal


def settle_cash(amount_to: Decimal, commission: Decimal, cash_given: Decimal | None) -> Money:
    amount_from = amount_to + commission
    given = amount_from if cash_given is None else cash_given
    if given != given.quantize(CENT) or given < 0:
        raise PaymentRefused("Внесённая сумма: не больше двух знаков после запятой")
    if given < amount_from:
        raise PaymentRefused(f"Внесено {money(given)}, а к оплате {money(amount_from)}: "
                             f"не хватает {money(amount_from - given)}")
    return Money(amount_to, commission, amount_from, given.quantize(CENT),
                 (given - amount_from).quantize(CENT))


def commission_rules_from(raw: Sequence[Mapping[str, object]]) -> list[CommissionRule]:
    """Rules from settings (``[[commission]]`` tables); ValueError with a Russian message."""
    rules = []
    for index, item in enumerate(raw):
        unknown = set(item) - {"service", "percent", "minimum", "fixed"}
        if unknown:
            raise ValueError(f"правило комиссии №{index + 1}: неизвестные поля {sorted(unknown)}")
        values: dict[str, Decimal] = {}
        for name in ("percent", "minimum", "fixed"):
            value = item.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise ValueError(f"правило комиссии №{index + 1}: {name} — не число")
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                raise ValueError(f"правило комиссии №{index + 1}: {name} — не число") from None
            if not number.is_finite() or number < 0:
                raise ValueError(f"правило комиссии №{index + 1}: {name} — не число ≥ 0")
            values[name] = number
        service = item.get("service", "*")
        if not isinstance(service, str) or not service:
            raise ValueError(f"правило комиссии №{index + 1}: service — строка")
        rules.append(CommissionRule(service, values["percent"], values["minimum"],
                                    values["fixed"]))
    return rules
