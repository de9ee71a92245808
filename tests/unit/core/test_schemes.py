from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_app.core.schemes import (
    CommissionRule,
    InvoiceLine,
    LineChoice,
    PaymentRefused,
    choice_contract,
    commission_for,
    commission_rules_from,
    complex_lines,
    credit_for_inserted,
    inserted_for,
    settle_cash,
    simple_amount,
)

D = Decimal
INVOICE = [
    InvoiceLine("36", "Электроэнергия", min_sum=D(0), max_sum=D(0), is_meter=True,
                prev_count=D("4870.00")),
    InvoiceLine("13", "ТО газа"),
    InvoiceLine("2", "Отопление", min_sum=D(100), max_sum=D(5000)),
]
money = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2, allow_nan=False,
                    allow_infinity=False)


def test_simple_amounts() -> None:
    assert simple_amount(D("200"), fixed_payment=False, fixed_amount=None) == D("200.00")
    assert simple_amount(None, fixed_payment=True, fixed_amount=D("4350.00")) == D("4350.00")
    for entered, fixed, message in [(None, False, "Укажите сумму"), (D(0), False, "больше нуля"),
                                    (D("1.001"), False, "двух знаков"),
                                    (D(5), True, "фиксирована")]:
        with pytest.raises(PaymentRefused, match=message):
            simple_amount(entered, fixed_payment=fixed, fixed_amount=D("10") if fixed else None)
    with pytest.raises(PaymentRefused, match="fixedAmount"):
        simple_amount(None, fixed_payment=True, fixed_amount=None)


def test_choice() -> None:
    assert choice_contract("2", ["1", "2"]) == "2"
    for chosen, message in [(None, "Выберите договор"), ("9", "нет в ответе")]:
        with pytest.raises(PaymentRefused, match=message):
            choice_contract(chosen, ["1", "2"])


def test_complex_rules() -> None:
    lines, total = complex_lines(INVOICE, [LineChoice("36", D("359.80"), D("4920")),
                                           LineChoice("2", D("925.20"))])
    assert total == D("1285.00")
    assert [(line.sub_service_id, line.last_count) for line in lines] == [("36", "4920"),
                                                                         ("2", None)]
    cases = [
        ([], "хотя бы одну"),
        ([LineChoice("99", D(1))], "нет в квитанции"),
        ([LineChoice("13", D(1)), LineChoice("13", D(2))], "дважды"),
        ([LineChoice("2", D(50))], "«Отопление» — не меньше 100,00 ₽"),
        ([LineChoice("2", D(5001))], "«Отопление» — не больше 5 000,00 ₽"),
        ([LineChoice("36", D(10))], "показания счётчика"),
        ([LineChoice("36", D(10), D(4869))], "меньше предыдущих: 4 869 < 4 870"),
        ([LineChoice("13", D(10), D(5))], "без счётчика"),
        ([LineChoice("13", D("0"))], "больше нуля"),
    ]
    for chosen, message in cases:
        with pytest.raises(PaymentRefused, match=message):
            complex_lines(INVOICE, chosen)


@given(st.lists(st.tuples(st.sampled_from(["13", "2"]), money), min_size=1, max_size=2,
                unique_by=lambda item: item[0]))
def test_complex_total_is_the_exact_sum_or_refused(chosen: list[tuple[str, Decimal]]) -> None:
    choices = [LineChoice(sub, amount) for sub, amount in chosen]
    try:
        lines, total = complex_lines(INVOICE, choices)
    except PaymentRefused:
        assert any(sub == "2" and not D(100) <= amount <= D(5000) for sub, amount in chosen)
        return
    assert total == sum(line.amount for line in lines) == sum(a for _, a in chosen)
    assert total.as_tuple().exponent == -2


def test_commission_rules() -> None:
    rules = commission_rules_from([{"service": "P1011", "percent": 0},
                                   {"service": "*", "percent": "1.5", "minimum": 10},
                                   {"service": "P0005", "fixed": 30}])
    assert commission_for(rules, "P1011", D(1000)) == D("0.00")
    assert commission_for(rules, "P1012", D(100)) == D("10.00")  # minimum
    assert commission_for(rules, "P1012", D(1000)) == D("15.00")
    assert commission_for(rules, "P1012", D("1000.33")) == D("15.00")  # 15.00495 → 15.00
    assert commission_for(rules, "P1012", D("1000.34")) == D("15.01")  # 15.0051 → 15.01
    assert commission_for(rules, "P0005", D(1000)) == D("30.00")
    assert commission_for([], "P1", D(1000)) == D("0.00")
    for bad in ([{"percent": "x"}], [{"percent": -1}], [{"rate": 1}], [{"service": 5}]):
        with pytest.raises(ValueError):
            commission_rules_from(bad)


def test_cash_and_change() -> None:
    money_ = settle_cash(D("200.00"), D("10.00"), D("500"))
    assert (money_.amount_from, money_.cash_given, money_.change) == (D("210.00"), D("500.00"),
                                                                     D("290.00"))
    with pytest.raises(PaymentRefused, match="Внесено 200,00 ₽, а к оплате 210,00 ₽: не хватает "
                                            "10,00 ₽"):
        settle_cash(D("200.00"), D("10.00"), D("200"))


@given(money, st.decimals(min_value=D(0), max_value=D(10), places=3, allow_nan=False,
                          allow_infinity=False), money, st.decimals(min_value=D(0),
                                                                    max_value=D(1000), places=2))
def test_money_arithmetic_is_exact(amount_to: Decimal, percent: Decimal, minimum: Decimal,
                                   extra_cash: Decimal) -> None:
    commission = CommissionRule("*", percent, minimum).commission(amount_to)
    assert commission.as_tuple().exponent == -2 and commission >= minimum.quantize(D("0.01"))
    result = settle_cash(amount_to, commission, amount_to + commission + extra_cash)
    assert result.amount_from == amount_to + commission  # what the person paid for the payment
    assert result.change == extra_cash  # not part of amountFrom
    assert result.cash_given == result.amount_from + result.change
    assert all(isinstance(v, Decimal) for v in (result.amount_from, result.change))


# --- cash inserted at a terminal: no change is given -------------------------------------
def test_inserted_cash_credits_all_of_it_without_a_commission() -> None:
    money = credit_for_inserted([], "P1", Decimal("150.00"))
    assert (money.amount_to, money.commission, money.amount_from, money.change) == (
        Decimal("150.00"), Decimal("0.00"), Decimal("150.00"), Decimal("0.00"))


def test_a_minimum_commission_comes_out_of_the_cash_and_too_little_cash_is_refused() -> None:
    rules = [CommissionRule(percent=Decimal(1), minimum=Decimal(10))]
    money = credit_for_inserted(rules, "P1", Decimal("100.00"))
    assert (money.amount_to, money.commission) == (Decimal("90.00"), Decimal("10.00"))
    with pytest.raises(PaymentRefused, match="не хватает даже на комиссию"):
        credit_for_inserted(rules, "P1", Decimal("10.00"))


@given(st.integers(min_value=1, max_value=10_000_00), st.integers(0, 500),
       st.integers(0, 5000), st.integers(0, 3000))
def test_inserted_cash_is_all_spent_and_nothing_more_could_be_credited(
        kopecks: int, percent_hundredths: int, minimum_kop: int, fixed_kop: int) -> None:
    rules = [CommissionRule(percent=Decimal(percent_hundredths) / 100,
                            minimum=Decimal(minimum_kop) / 100, fixed=Decimal(fixed_kop) / 100)]
    inserted = Decimal(kopecks) / 100
    try:
        money = credit_for_inserted(rules, "P1", inserted)
    except PaymentRefused:
        assert commission_for(rules, "P1", Decimal("0.01")) + Decimal("0.01") > inserted
        return
    assert money.amount_from == inserted and money.change == 0
    assert money.amount_to + money.commission == inserted
    rule = commission_for(rules, "P1", money.amount_to)
    assert money.commission >= rule  # never less than the desk's rule …
    one_more = money.amount_to + Decimal("0.01")
    assert one_more + commission_for(rules, "P1", one_more) > inserted  # … and credit maximal
    assert inserted_for(rules, "P1", money.amount_to) <= inserted
