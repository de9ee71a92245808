"""A service's amount limits: read where the center publishes them, shown, checked."""

from __future__ import annotations

from decimal import Decimal as D

from cashier_app.core.limits import AmountLimits, limits_from
from cashier_app.core.services import ServiceDefinition


def test_limits_read_and_described() -> None:
    limits, problems = limits_from({"minAmount": D("10.00"), "maxAmount": "15000.00"})
    assert (limits, problems) == (AmountLimits(D("10.00"), D("15000.00")), [])
    assert limits.describe() == "от 10,00 до 15 000,00 ₽"
    assert limits.problem(D("9.99")) == "Сумма к зачислению — не меньше 10,00 ₽"
    assert limits.problem(D("15000.01")) == "Сумма к зачислению — не больше 15 000,00 ₽"
    assert limits.problem(D("10.00")) == limits.problem(D("15000")) == ""
    assert AmountLimits(D(540)).describe() == "не меньше 540,00 ₽"
    assert AmountLimits(None, D(5000)).describe() == "не больше 5 000,00 ₽"
    assert AmountLimits().describe() == "" and not AmountLimits().known


def test_the_invoice_spelling_zero_and_nonsense() -> None:
    assert limits_from({"minSum": D("100.0"), "maxSum": D("0")})[0] == AmountLimits(D("100.0"))
    assert limits_from({"minAmount": D(0)})[0] == AmountLimits()
    limits, problems = limits_from({"minAmount": "много", "maxAmount": D(500)})
    assert limits == AmountLimits(None, D(500)) and problems[0].startswith("minAmount: ")
    limits, problems = limits_from({"minAmount": D(500), "maxAmount": D(10)})
    assert limits == AmountLimits() and "выше верхнего" in problems[0]
    assert limits_from(None) == (AmountLimits(), [])


def test_the_narrowest_applies() -> None:
    service = AmountLimits(D(10), D(15000))
    assert service.narrowed(AmountLimits(D(100))) == AmountLimits(D(100), D(15000))
    assert service.narrowed(AmountLimits()) == service


def test_a_service_definition_carries_its_limits() -> None:
    service = ServiceDefinition.from_wire({
        "serviceId": "P1011", "name": "Билайн", "minAmount": D("10.00"),
        "maxAmount": D("15000.00")})
    assert service.limits == AmountLimits(D("10.00"), D("15000.00"))
    broken = ServiceDefinition.from_wire({"serviceId": "X", "name": "Y", "maxAmount": True})
    assert broken.limits == AmountLimits() and broken.problems
