import logging
import time

import pytest

from cashier_app.core.services import (
    FormModel,
    Scheme,
    ServiceDefinition,
    ServiceDefinitionError,
)
from cashier_app.core.wire import decode_body
from tests.conftest import seed_bytes


def seed_services() -> dict[str, ServiceDefinition]:
    data = decode_body(seed_bytes("services_answer"))
    return {s["serviceId"]: ServiceDefinition.from_wire(s) for s in data["servi\u0441es"]}


def test_seed_services_become_definitions() -> None:
    services = seed_services()
    assert [s.scheme for s in services.values()] == [
        Scheme.SIMPLE, Scheme.SIMPLE, Scheme.COMPLEX, Scheme.CHOICE]
    herbalife = services["P1012"]
    assert herbalife.fixed_payment is True
    assert [(f.name, f.title, f.required, f.regexp) for f in herbalife.inputs] == [
        ("account", "Номер независимого партнера", True, r"^\d{10}$"),
        ("ev_account1", "Номер заказа", True, r"^\d{10}$"),
    ]
    assert [d.name for d in herbalife.displays] == ["fio", "info", "fixedAmount"]
    assert herbalife.display("fio").title == "ФИО"
    assert herbalife.display("fixedAmount").label == "fixedAmount"  # empty title
    assert services["P0005"].group == "ЖКХ"
    assert services["P0006"].inputs[0].title == "Введите ИИН"
    assert services["P1011"].name == "Билайн Казахстан"  # NO-BREAK SPACE made plain
    assert services["P1011"].group == "Сотовая связь"


def test_form_validation_messages_are_russian_and_point_at_the_field() -> None:
    form = seed_services()["P1012"].form()
    assert not form.needs_amount  # fixed payment: the amount comes from check
    check = form.check({"account": "12345", "ev_account1": ""})
    assert not check.ok
    assert check.first_invalid == "account"
    assert check.errors() == {
        "account": "«Номер независимого партнера»: нужно ровно 10 цифр",
        "ev_account1": "Заполните поле «Номер заказа»",
    }
    assert form.check({"account": "1234567890", "ev_account1": "0000012345"}).ok


def test_account_and_extras_split() -> None:
    form = seed_services()["P1012"].form()
    assert form.request_fields({"account": "1234567890", "ev_account1": "0000012345"}) == (
        "1234567890", {"ev_account1": "0000012345"})


def test_service_without_account_input_sends_placeholder() -> None:
    service = ServiceDefinition.from_wire({"serviceId": "X", "type": 0, "name": "X", "inputs": [
        {"name": "account1", "required": True, "title": "E-mail", "regexp": "^.+@.+$"}]})
    assert FormModel(service).request_fields({"account1": "a@b.c"}) == ("0", {"account1": "a@b.c"})


def test_optional_field_may_be_empty_but_not_wrong() -> None:
    service = ServiceDefinition.from_wire({"serviceId": "X", "type": 0, "name": "X", "inputs": [
        {"name": "account", "required": True, "title": "Договор", "regexp": "^\\d{6}$"},
        {"name": "account1", "required": False, "title": "E-mail", "regexp": "^.+@.+$"}]})
    form = service.form()
    assert form.check({"account": "123456"}).ok
    assert form.check({"account": "123456", "account1": "nope"}).errors() == {
        "account1": "«E-mail»: неверный формат"}


def test_too_long_value_is_refused_before_matching() -> None:
    service = ServiceDefinition.from_wire({"serviceId": "X", "type": 0, "name": "X",
                                           "inputs": [{"name": "account", "required": True}]})
    assert service.form().check({"account": "1" * 201}).errors() == {
        "account": "Не длиннее 200 символов"}


def test_invalid_server_regexp_is_a_config_problem_not_a_crash(caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    caplog.set_level(logging.WARNING)
    service = ServiceDefinition.from_wire({"serviceId": "BAD", "type": 0, "name": "Bad",
                                           "inputs": [{"name": "account", "required": True,
                                                       "title": "Счёт", "regexp": "^[0-9"}]})
    assert service.problems and "^[0-9" in service.problems[0]
    verdict = service.form().check_field("account", "123")
    assert verdict.ok  # the server will judge the value
    assert verdict.config_problem and "^[0-9" in verdict.config_problem
    assert "BAD" in caplog.text


def test_services_sharing_a_field_share_its_spec_but_each_reports_its_problem() -> None:
    def definition(service_id: str, regexp: str) -> dict[str, object]:
        return {"serviceId": service_id, "type": 0, "name": service_id,
                "inputs": [{"name": "account", "required": True, "title": "Номер\u00a0счёта ",
                            "regexp": regexp}]}

    first, second = (ServiceDefinition.from_wire(definition(i, "^[0-9")) for i in ("A", "B"))
    assert first.inputs[0] is second.inputs[0]  # one FieldSpec for the whole catalog
    assert first.inputs[0].title == "Номер счёта"
    assert first.problems and second.problems  # the cached spec still reports on each service
    other = ServiceDefinition.from_wire(definition("C", "^\\d{10}$"))
    assert other.inputs[0] is not first.inputs[0] and not other.problems
    assert other.form().check_field("account", "123").message


@pytest.mark.parametrize("pattern", ["^(a+)+$", "^(a|aa)+$", "^(\\w+\\s?)*$"])
def test_pathological_regexp_does_not_hang_the_form(pattern: str) -> None:
    service = ServiceDefinition.from_wire({"serviceId": "S", "type": 0, "name": "S",
                                           "inputs": [{"name": "account", "required": True,
                                                       "regexp": pattern}]})
    started = time.monotonic()
    verdict = service.form().check_field("account", "a" * 199 + "!")
    assert time.monotonic() - started < 1.0
    # either the engine proved a mismatch, or it gave up in time and the server will judge
    assert (not verdict.ok and verdict.message) or (verdict.ok and verdict.config_problem)


@pytest.mark.parametrize(("type_code", "scheme"), [(0, Scheme.SIMPLE), (1, Scheme.COMPLEX),
                                                   (2, Scheme.CHOICE), (7, Scheme.SIMPLE),
                                                   ("x", Scheme.SIMPLE)])
def test_scheme_from_type(type_code: object, scheme: Scheme) -> None:
    service = ServiceDefinition.from_wire({"serviceId": "S", "type": type_code, "name": "S"})
    assert service.scheme is scheme
    assert bool(service.problems) == (type_code not in (0, 1, 2))


@pytest.mark.parametrize("bad", [{}, {"serviceId": "S"}, {"name": "x"}, "text",
                                 {"serviceId": "", "name": "x"}])
def test_unusable_definition_is_refused(bad: object) -> None:
    with pytest.raises(ServiceDefinitionError):
        ServiceDefinition.from_wire(bad)  # type: ignore[arg-type]
