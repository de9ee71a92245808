"""Every answer variant of seed 003, parsed from the seed's own bytes."""

from datetime import datetime
from decimal import Decimal

import pytest

from cashier_app.core.result_codes import Finality
from cashier_app.core.services import Scheme
from cashier_app.core.wire import decode_body
from cashier_app.processing.errors import ResponseFormatError
from cashier_app.processing.models import (
    AgentBalance,
    OperatorAnswer,
    PaymentAnswer,
    ServicesAnswer,
)
from tests.conftest import seed_bytes


def parse(name: str) -> object:
    return decode_body(seed_bytes(name))


def test_services_with_cyrillic_key() -> None:
    answer = ServicesAnswer.parse(parse("services_answer"))
    assert answer.ok and answer.result_message == "OK"
    assert [s.service_id for s in answer.services] == ["P1011", "P1012", "P0005", "P0006"]
    assert [s.scheme for s in answer.services] == [Scheme.SIMPLE, Scheme.SIMPLE,
                                                   Scheme.COMPLEX, Scheme.CHOICE]
    assert answer.services[0].country == "КАЗАХСТАН"
    assert answer.problems == ()


def test_services_with_latin_key_too() -> None:
    answer = ServicesAnswer.parse({"result": 0, "resultMessage": "OK", "services": [
        {"serviceId": "A", "type": 0, "name": "A"}]})
    assert [s.service_id for s in answer.services] == ["A"]


def test_service_answer() -> None:
    answer = ServicesAnswer.parse(parse("service_answer"))
    (service,) = answer.services
    assert service.service_id == "P1012" and service.fixed_payment
    assert service.display("fixedAmount").regexp == r"^\d{1,9}\.\d{2}$"


def test_services_skip_broken_entries_but_keep_the_rest() -> None:
    answer = ServicesAnswer.parse({"result": 0, "servi\u0441es": [
        {"serviceId": "A", "type": 0, "name": "A"}, {"type": 0}, "junk",
        {"serviceId": "A", "type": 0, "name": "dup"}]})
    assert [s.service_id for s in answer.services] == ["A"]
    assert len(answer.problems) == 3


def test_balance_nested_in_agent_with_four_decimals() -> None:
    answer = AgentBalance.parse(parse("balance_answer"))
    assert answer.ok and answer.result_message == "Успешно"
    assert answer.agent_id == 4
    assert answer.agent_name == "Наименоване Агента"
    assert answer.balance == Decimal("509455.9000")
    assert answer.overdraft == Decimal("0") and answer.notification == Decimal("0")
    assert answer.currency == "KZT"


def test_balance_flat_as_in_the_table() -> None:
    answer = AgentBalance.parse({"result": 0, "agentId": 1, "agentName": "A",
                                 "balance": Decimal("10.5"), "overdraft": 0})
    assert answer.balance == Decimal("10.5") and answer.notification is None


def test_check_simple() -> None:
    answer = PaymentAnswer.parse(parse("check_answer_simple"))
    assert (answer.result, answer.result_message) == (0, "ok")
    assert answer.transaction_id == 100000781233355
    assert answer.agent_transaction_id == 1233355
    assert answer.displays is None and answer.contracts is None and answer.invoices is None
    assert answer.finality() is Finality.SUCCESS


def test_check_international() -> None:
    answer = PaymentAnswer.parse(parse("check_answer_international"))
    assert answer.result_message == "Успешно"
    assert answer.transaction_id == 1402546 and answer.agent_transaction_id == 12
    assert answer.currency_rate == "Курс конвертации KZT/USD 0.0021"
    assert answer.rate == Decimal("0.0020833333")
    assert answer.final_amount == Decimal("1.75")
    assert answer.currency == "USD"


def test_check_displays() -> None:
    answer = PaymentAnswer.parse(parse("check_answer_displays"))
    assert answer.transaction_id == 270 and answer.agent_transaction_id == 205
    assert answer.displays == {"fio": "Test fio", "address": "Набережная 134 кв 5",
                               "info": "Сумма к оплате 20000.00 тенге"}
    assert answer.fixed_amount is None


def test_fixed_amount_from_displays() -> None:
    answer = PaymentAnswer.parse({"result": 0, "displays": {"fixedAmount": "4350.00"}})
    assert answer.fixed_amount == Decimal("4350.00")


def test_check_choice_contracts() -> None:
    answer = PaymentAnswer.parse(parse("check_answer_choice"))
    assert [c.contract_id for c in answer.contracts] == ["000000587", "000000588", "000000589"]
    first = answer.contracts[0]
    assert first.name == "Петров" and first.contract_number == "1/00-Ф"
    assert first.contract_sum == Decimal("1000.00")
    assert first.contract_date == datetime(2020, 2, 15)
    assert first.contract_date_raw == "20200215000000"


def test_check_complex_invoice() -> None:
    answer = PaymentAnswer.parse(parse("check_answer_complex"))
    assert answer.transaction_id == 284
    (invoice,) = answer.invoices
    assert invoice.invoice_id == "2020020003535444"
    assert invoice.formed_date == datetime(2020, 2, 1)
    assert invoice.expire_date == datetime(2020, 2, 29)
    assert invoice.client_name == "Иванов Иван Иванович"
    assert invoice.client_address == "микрорайон 2, дом 42, кв.4"
    power, gas, heating = invoice.lines
    assert power.sub_service_id == "36" and power.sub_service_name == "Электроэнергия"
    assert power.pay_sum == Decimal("359.8") and str(power.pay_sum) == "359.8"
    assert power.is_meter and power.prev_count == Decimal("4870.00")
    assert power.last_count == Decimal("0.00") and power.si == "тг/м2"
    assert power.min_sum == 0 and power.max_sum == 0 and power.debt_info == "0.00"
    assert gas.sub_service_name == "ТО газа" and not gas.is_meter
    assert heating.tariff == Decimal("500.0") and heating.pay_sum == Decimal("925.2")
    assert answer.problems == ()


def test_pay_answer_with_dates() -> None:
    answer = PaymentAnswer.parse(parse("pay_answer"))
    assert answer.transaction_id == 1402779
    assert answer.agent_transaction_id == 26801048196008
    assert answer.transaction_date == datetime(2020, 10, 19, 20, 19, 23, 737000)
    assert answer.status_date == datetime(2020, 10, 19, 20, 19, 24, 940000)


def test_operator_by_phone() -> None:
    answer = OperatorAnswer.parse(parse("operator_answer"))
    assert answer.ok and answer.service_id == "P1011"
    assert OperatorAnswer.parse({"result": 5, "resultMessage": "no"}).service_id is None


def test_pay_answer_never_lost_to_odd_fields() -> None:
    answer = PaymentAnswer.parse({"result": 0, "transactionId": "12", "displays": "odd",
                                  "contracts": {"x": 1}, "invoice": [], "rate": "abc",
                                  "transactionDate": "yesterday"})
    assert answer.ok and answer.transaction_id == 12
    assert answer.transaction_date is None
    assert len(answer.problems) == 4


@pytest.mark.parametrize("bad", [[], "x", {"resultMessage": "no result"}, {"result": "ok"},
                                 {"result": True}])
def test_answer_without_result_is_a_format_error(bad: object) -> None:
    with pytest.raises(ResponseFormatError):
        PaymentAnswer.parse(bad)


def test_result_as_numeric_string_is_read() -> None:
    assert PaymentAnswer.parse({"result": "1"}).finality() is Finality.NOT_FINAL
