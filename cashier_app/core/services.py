"""Service definitions from ``/services`` and the form model built from them.

Nothing about a particular provider lives here: titles, required flags and regexps all come
from the definition. The scheme comes from ``type`` (see README, «Решения по протоколу»: 0 simple,
1 complex ЖКХ invoice, 2 choice of contracts; an unknown type is treated as simple and logged).
"""

from __future__ import annotations

import enum
import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .limits import AmountLimits, limits_from
from .patterns import (
    MAX_VALUE_LENGTH,
    MatchOutcome,
    ServerPattern,
    compile_server_pattern,
    shape_of,
)
from .text import plural, printable

log = logging.getLogger(__name__)

ACCOUNT = "account"
#: Seed 003's check example for a service without an ``account`` input sends ``"account": "0"``.
ACCOUNT_PLACEHOLDER = "0"


class Scheme(enum.Enum):
    SIMPLE = "simple"
    COMPLEX = "complex"
    CHOICE = "choice"


SCHEME_BY_TYPE = {0: Scheme.SIMPLE, 1: Scheme.COMPLEX, 2: Scheme.CHOICE}


class ServiceDefinitionError(ValueError):
    """A service definition we cannot use at all (no id, no name)."""


@dataclass(frozen=True)
class FieldSpec:
    """One input the person has to give (``inputs[]``) or one value to show (``displays[]``)."""

    name: str
    title: str
    required: bool
    pattern: ServerPattern | None

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def regexp(self) -> str | None:
        return self.pattern.source if self.pattern else None


@dataclass(frozen=True)
class ServiceDefinition:
    service_id: str
    type_code: int
    scheme: Scheme
    name: str
    group: str
    fixed_payment: bool
    country: str
    inputs: tuple[FieldSpec, ...]
    displays: tuple[FieldSpec, ...]
    problems: tuple[str, ...] = ()  # configuration problems found in the definition
    #: the amounts the service takes, where the center publishes them (see core.limits)
    limits: AmountLimits = field(default_factory=AmountLimits)
    # The wire's dict is not kept: everything the program uses is parsed above, and holding
    # the decoded JSON of every service doubled the catalog's memory (14 MB of 10,000).

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ServiceDefinition:
        if not isinstance(data, Mapping):
            raise ServiceDefinitionError("описание услуги не является объектом")
        service_id = data.get("serviceId")
        if not isinstance(service_id, str | int) or isinstance(service_id, bool) or not str(
            service_id
        ).strip():
            raise ServiceDefinitionError("у услуги нет serviceId")
        service_id = str(service_id)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ServiceDefinitionError(f"у услуги {service_id} нет названия")
        problems: list[str] = []
        type_code = data.get("type", 0)
        if isinstance(type_code, bool) or not isinstance(type_code, int):
            problems.append(f"тип схемы {type_code!r} не число; услуга считается простой")
            type_code = -1
        scheme = SCHEME_BY_TYPE.get(type_code)
        if scheme is None:
            if type_code != -1:
                problems.append(f"неизвестный тип схемы {type_code}; услуга считается простой")
            scheme = Scheme.SIMPLE
        inputs = tuple(_fields(data.get("inputs"), "inputs", service_id, problems))
        displays = tuple(_fields(data.get("displays"), "displays", service_id, problems))
        limits, limit_problems = limits_from(data)
        problems.extend(limit_problems)
        for problem in problems:
            log.warning("service %s: %s", service_id, problem)
        return cls(
            service_id=service_id,
            type_code=type_code,
            scheme=scheme,
            name=human_text(name),
            group=_text(data.get("group")),
            fixed_payment=data.get("fixedPayment") is True,
            country=_text(data.get("country")),
            inputs=inputs,
            displays=displays,
            problems=tuple(problems),
            limits=limits,
        )

    def display(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.displays if spec.name == name), None)

    def form(self) -> FormModel:
        return FormModel(self)


_ODD_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\ufeff": ""})
_HAS_ODD_SPACE = re.compile("[\u00a0\u2007\u202f\ufeff]").search


def human_text(value: str) -> str:
    """Text meant for people (titles, names, groups): control characters and escape
    sequences removed (:func:`printable`), odd spaces made plain, ends trimmed.

    Seed 003's examples carry NO-BREAK SPACEs inside such strings («Номер\u00a0заказа»);
    they would break search and alignment. A server's escape sequence would reach the
    cashier's terminal. Ids and values sent back are never touched.
    """
    value = printable(value)
    if _HAS_ODD_SPACE(value):  # rare: a scan is cheaper than translate on every title
        value = value.translate(_ODD_SPACES)
    return value.strip()


def _text(value: object) -> str:
    return human_text(value) if isinstance(value, str) else ""


def _fields(raw: object, where: str, service_id: str, problems: list[str]) -> Iterable[FieldSpec]:
    if raw is None:
        return
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append(f"{where} не является списком")
        return
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item[
            "name"
        ]:
            problems.append(f"{where}[{index}] без имени пропущено")
            continue
        name = item["name"]
        if name in seen:
            problems.append(f"{where}: поле {name} повторяется, второе пропущено")
            continue
        seen.add(name)
        source = item.get("regexp")
        title = item.get("title")
        spec = _field_spec(name, title if isinstance(title, str) else "",
                           item.get("required") is True,
                           source if isinstance(source, str) and source else None)
        if spec.pattern is not None and spec.pattern.problem:
            problems.append(f"{where}.{name}: {spec.pattern.problem}")
        yield spec


@functools.lru_cache(maxsize=8192)
def _field_spec(name: str, title: str, required: bool, source: str | None) -> FieldSpec:
    """One shared FieldSpec per distinct field: a catalog repeats the same few dozen fields
    (phone, account, amount…) over thousands of services, so parsing it and keeping it in
    memory cost a fraction of building each anew. FieldSpec is frozen, so sharing is safe."""
    return FieldSpec(
        name=name,
        title=human_text(title),
        required=required,
        pattern=compile_server_pattern(source) if source is not None else None,
    )


@dataclass(frozen=True)
class FieldCheck:
    """The verdict on one field. ``message`` is Russian, for the cashier; empty when fine."""

    name: str
    ok: bool
    message: str = ""
    config_problem: str | None = None  # the value could not be checked locally


@dataclass(frozen=True)
class FormCheck:
    fields: tuple[FieldCheck, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.fields)

    @property
    def first_invalid(self) -> str | None:
        return next((check.name for check in self.fields if not check.ok), None)

    def errors(self) -> dict[str, str]:
        return {check.name: check.message for check in self.fields if not check.ok}


class FormModel:
    """The data a payment form is built from, and its validation. No widgets here."""

    def __init__(self, service: ServiceDefinition) -> None:
        self.service = service
        self.fields = service.inputs

    @property
    def needs_amount(self) -> bool:
        """A fixed-payment service takes its amount from ``displays.fixedAmount`` after check."""
        return not self.service.fixed_payment

    def shape(self, name: str) -> Any:
        spec = self._spec(name)
        return shape_of(spec.regexp) if spec else None

    def _spec(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def check_field(self, name: str, value: str) -> FieldCheck:
        spec = self._spec(name)
        if spec is None:
            return FieldCheck(name, False, f"Неизвестное поле {name}")
        if value == "":
            if spec.required:
                return FieldCheck(name, False, f"Заполните поле «{spec.label}»")
            return FieldCheck(name, True)
        if len(value) > MAX_VALUE_LENGTH:
            return FieldCheck(name, False, f"Не длиннее {MAX_VALUE_LENGTH} символов")
        if spec.pattern is None:
            return FieldCheck(name, True)
        outcome = spec.pattern.match(value)
        if outcome is MatchOutcome.MATCH:
            return FieldCheck(name, True)
        if outcome is MatchOutcome.NO_MATCH:
            return FieldCheck(name, False, _mismatch_message(spec))
        problem = spec.pattern.problem or (
            f"проверка поля {name} шаблоном «{spec.pattern.source}» не уложилась во время"
        )
        log.warning("service %s: %s", self.service.service_id, problem)
        return FieldCheck(name, True, "", config_problem=problem)

    def check(self, values: Mapping[str, str]) -> FormCheck:
        return FormCheck(tuple(self.check_field(spec.name, values.get(spec.name, ""))
                               for spec in self.fields))

    def request_fields(self, values: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """Split entered values into ``account`` and ``extras`` as check/pay send them."""
        account = values.get(ACCOUNT, "") if self._spec(ACCOUNT) else ACCOUNT_PLACEHOLDER
        extras = {
            spec.name: values[spec.name]
            for spec in self.fields
            if spec.name != ACCOUNT and values.get(spec.name, "") != ""
        }
        return account, extras


def _mismatch_message(spec: FieldSpec) -> str:
    shape = shape_of(spec.regexp)
    if shape and shape.digits_only:
        if shape.min_length is not None and shape.min_length == shape.max_length:
            return f"«{spec.label}»: нужно ровно {shape.min_length} {_digits(shape.min_length)}"
        if shape.max_length is not None and shape.min_length is not None:
            return f"«{spec.label}»: от {shape.min_length} до {shape.max_length} цифр"
        return f"«{spec.label}»: только цифры"
    return f"«{spec.label}»: неверный формат"


def _digits(count: int) -> str:
    return plural(count, "цифра", "цифры", "цифр")
