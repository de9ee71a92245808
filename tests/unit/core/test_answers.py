"""Every answer variant of seed 003, parsed from the seed's own bytes."""

import unicodedata
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cashier_app.core.answers import (
    AgentBalance,
    OperatorAnswer,
    PaymentAnswer,
    ServicesAnswer,
    foreign_answer_problem,
)
from cashier_app.core.result_codes import Finality
from cashier_app.core.services import Scheme
from cashier_app.core.text import printable
from cashier_app.core.wire import decode_body, encode_body
from cashier_app.processing.errors import ResponseFormatError
from tests.conftest import SEED_FIXTURES, seed_bytes


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


@pytest.mark.parametrize("result", ["0", "1", True, False, Decimal("0.0"), Decimal("0"),
                                    None, [0]])
def test_result_must_be_a_json_integer(result: object) -> None:
    # result decides whether money moved: "0", true or 0.0 are not read as success by a guess
    for parse_answer in (PaymentAnswer.parse, AgentBalance.parse, ServicesAnswer.parse,
                         OperatorAnswer.parse):
        with pytest.raises(ResponseFormatError):
            parse_answer({"result": result, "transactionId": 1, "agentTransactionId": 1})


def test_every_seed_answer_has_an_integer_result() -> None:
    for fixture in sorted(SEED_FIXTURES.glob("*_answer*.json")):
        data = decode_body(fixture.read_bytes())
        assert type(data["result"]) is int, fixture.name


@pytest.mark.parametrize(("value", "expected"), [
    (1233355, 1233355), ("1233355", 1233355), (10**18 - 1, 10**18 - 1), (10**18, None),
    (0, None), (-5, None), ("²", None), ("١٢", None), (True, None), (Decimal("5"), None),
    ("9" * 5000, None)])
def test_ids_are_integers_of_up_to_18_digits(value: object, expected: int | None) -> None:
    answer = PaymentAnswer.parse({"result": 1, "agentTransactionId": value})
    assert answer.agent_transaction_id == expected
    assert bool(answer.problems) is (expected is None)
    assert all(len(problem) < 120 for problem in answer.problems)


def test_foreign_answer_problem() -> None:
    mine = {"result": 0, "transactionId": 100000781233355, "agentTransactionId": 1233355}
    assert foreign_answer_problem(PaymentAnswer.parse(parse("check_answer_simple")),
                                  1233355) is None
    assert foreign_answer_problem(PaymentAnswer.parse(parse("pay_answer")),
                                  26801048196008) is None
    for answer in ({**mine, "agentTransactionId": 1233356}, {"result": 0, "transactionId": 1},
                   {**mine, "transactionId": None}, {**mine, "transactionId": "x"},
                   {"result": 5}):
        problem = foreign_answer_problem(PaymentAnswer.parse(answer), 1233355)
        assert problem, answer
    assert foreign_answer_problem(PaymentAnswer.parse(
        {"result": 5, "agentTransactionId": 1233355}), 1233355) is None


def test_result_message_is_printable_and_raw_keeps_it() -> None:
    message = "\x1b[31mОшибка\x1b[0m\nстрока\x9b2J\u202eконец"
    answer = PaymentAnswer.parse({"result": 5, "resultMessage": message})
    assert answer.result_message == "Ошибка строкаконец"
    assert answer.raw["resultMessage"] == message
    long = PaymentAnswer.parse({"result": 5, "resultMessage": "я" * 100000})
    assert len(long.result_message) <= 500


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text", "plain text"), ("a\tb\nc\r\nd", "a b c  d"),
    ("\x1b[2J\x1b[HЧисто", "Чисто"), ("x\x1b]8;;http://evil\x1b\\ссылка\x1b]8;;\x1b\\",
                                       "xссылка"),
    ("\x1b7save\x1b8", "save"), ("nul\x00del\x7f", "nuldel"), ("\u202eабв\u2066", "абв"),
    ("\x9b31mc1", "c1"), ("конец\x1b", "конец"), ("\u00a0nbsp", "\u00a0nbsp"),
])
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


@given(st.text())
def test_printable_leaves_nothing_that_moves_the_cursor(text: str) -> None:
    shown = printable(text)
    assert not any(unicodedata.category(ch) == "Cc" for ch in shown)
    assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert printable(shown) == shown


def test_human_text_is_printable() -> None:
    service = ServicesAnswer.parse({"result": 0, "services": [
        {"serviceId": "A", "type": 0, "name": "Билайн\x1b[2J\nновый", "group": "\x07Связь"}]})
    assert service.services[0].name == "Билайн новый"
    assert service.services[0].group == "Связь"


# --- whatever the JSON, parse raises only ResponseFormatError ------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["0", "1e999999", "-1e999999", "NaN", "1" * 400, "²", "20200215000000",
                     "2020-10-19T20:19:23.737", "\x1b[2J", "1 000,50", ""]),
    st.builds(lambda e: Decimal(f"1e{e}"), st.integers(-10**6, 10**6)),
)
_KEYS = ["result", "resultMessage", "transactionId", "agentTransactionId", "displays",
         "fixedAmount", "rate", "finalAmount", "currency", "currencyRate", "contracts",
         "contractId", "contractSum", "contractDate", "invoice", "invoices", "services",
         "servi\u0441es", "subServiceId", "data", "paySum", "minSum", "maxSum", "isMeter",
         "prevCount", "agent", "balance", "overdraft", "notification", "agentId",
         "agentName", "serviceId", "type", "name", "inputs", "regexp", "transactionDate"]
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(_KEYS), st.text(max_size=5)), children,
                        max_size=6)),
    max_leaves=12)
_field = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["account", "phone"]), _scalars)},
    optional={"regexp": st.one_of(st.sampled_from([r"^\d{10}$", "(a+)+$", "["]), _scalars),
              "title": _scalars, "required": _scalars})
_service = st.fixed_dictionaries(
    {"serviceId": st.one_of(st.text(min_size=1, max_size=4), _scalars),
     "name": st.one_of(st.text(min_size=1, max_size=8), _scalars)},
    optional={"type": _scalars, "group": _scalars, "fixedPayment": _scalars,
              "inputs": st.one_of(st.lists(_field, max_size=3), _scalars),
              "displays": st.one_of(st.lists(_field, max_size=3), _scalars)})
_answer = st.one_of(
    _json,
    st.fixed_dictionaries({"result": st.just(0),
                           "servi\u0441es": st.lists(st.one_of(_service, _scalars),
                                                     max_size=4)}),
    st.builds(lambda result, rest: {**rest, "result": result},
              st.one_of(st.just(0), st.integers(), _scalars),
              st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_answer)
def test_parse_raises_only_response_format_error(data: object) -> None:
    for parse_answer in (PaymentAnswer.parse, ServicesAnswer.parse, AgentBalance.parse,
                         OperatorAnswer.parse):
        try:
            answer = parse_answer(data)
        except ResponseFormatError:
            continue
        assert isinstance(answer.result, int) and not isinstance(answer.result, bool)
        assert printable(answer.result_message) == answer.result_message
        if isinstance(answer, PaymentAnswer):
            foreign_answer_problem(answer, 1)
            answer.fixed_amount  # noqa: B018 - a property that parses


def test_the_emulator_answers_name_their_payment() -> None:
    """Every check/pay answer of the emulator passes foreign_answer_problem, so the engine
    never refuses a valid one — the scripted fault answers included."""
    from cashier_app.emulator import EmulatorServer, ProcessingCenter, load_catalog
    from cashier_app.processing.requests import check_body, pay_body

    server = EmulatorServer(ProcessingCenter(load_catalog()))
    cases = [("P1011", "9051234567", {}), ("P1011", "9030000000", {}),
             ("P1013", "9200000000", {}), ("P1012", "9039990001", {}),
             ("P2001", "1234567890", {"ev_account1": "0000012345"}),
             ("P0006", "770123456789", {}), ("NOPE", "1", {}), ("P1011", "12", {})]
    for index, (service, account, extras) in enumerate(cases):
        tx_id = 26801048196000 + index
        fields = {"service_id": service, "account": account, "agent_transaction_id": tx_id,
                  "agent_transaction_date": "2026-11-23T14:05:07", "extras": extras}
        for method, body in (("check", check_body(**fields)),
                             ("pay", pay_body(amount_to=Decimal("100.00"),
                                              amount_from=Decimal("100.00"), **fields))):
            answers = [server.center.handle(method, body)]
            answers += [server.scripted_answer(method, decode_body(body), body, code)
                        for code in (0, 1, 153, 202, 220, 300)]
            for raw in answers:
                problem = foreign_answer_problem(PaymentAnswer.parse(raw), tx_id)
                assert problem is None, (method, service, account, raw, problem)
    bad_date = encode_body({"serviceId": "P1011", "account": "9051234567",
                            "agentTransactionId": 7, "agentTransactionDate": "yesterday",
                            "amountTo": Decimal("1.00")})
    assert foreign_answer_problem(PaymentAnswer.parse(server.center.handle("pay", bad_date)),
                                  7) is None
