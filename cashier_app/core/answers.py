"""Typed answers of the processing API v20, parsed exactly as seed 003's examples show them.
Pure (no I/O): the client parses what it receives with them, and the journal decodes a stored
check answer with them once (``PaymentRecord.check``).

Quirks of the seed kept on purpose:

* the catalog key is ``serviсes`` with a *Cyrillic* «с» (U+0441) in ``/services`` and
  ``/service`` answers; the Latin spelling is accepted too;
* ``/balance`` puts the fields inside ``agent`` although the table lists them flat; both read;
* amounts come as numbers with 1-4 decimals (``359.8``, ``509455.9000``) or as strings
  (``"1000.00"``); they are all exact Decimals here;
* dates: ``contractDate``/``formedDate``/``expireDate`` are ``YYYYMMDDhhmmss``,
  ``transactionDate``/``statusDate`` ISO with milliseconds.

A pay answer must never be lost to a parsing problem: its ``result`` decides the payment, the
rest is read best-effort and problems are listed in ``problems``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.errors import UserFacingError

from .money import AmountError, parse_amount
from .result_codes import Finality, cashier_message, classify
from .schemes import InvoiceLine
from .services import ServiceDefinition, ServiceDefinitionError, human_text
from .text import printable


class ResponseFormatError(UserFacingError):
    """A JSON answer with a result code whose other fields are not what the seed describes
    (the client treats it as no answer)."""

SERVICES_KEYS = ("servi\u0441es", "services")  # Cyrillic «с» first, as the seed spells it


#: ``agentTransactionId`` and ``transactionId`` are «целое число длиной до 18 знаков».
MAX_ID = 10**18 - 1
#: The longest ``resultMessage`` kept for people (the journal, the screen); ``raw`` keeps all.
MAX_MESSAGE = 500


def _shown(value: object) -> str:
    """A value quoted in a problem text: short whatever the server sent."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _opt_amount(value: object, what: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except AmountError:
        problems.append(f"{what}: не сумма {_shown(value)}")
        return None


def _opt_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def _opt_human(value: object) -> str | None:
    text = _opt_text(value)
    return human_text(text) if text is not None else None


def _opt_int(value: object, what: str, problems: list[str]) -> int | None:
    """An id (1..10**18-1) as a JSON integer or a string of ASCII digits; anything else is
    a problem, never an exception."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:  # «²» is a digit too
            number = int(text)
    if number is None:
        problems.append(f"{what}: не целое {_shown(value)}")
        return None
    if not 1 <= number <= MAX_ID:
        problems.append(f"{what}: вне диапазона 1…10^18-1: {_shown(value)}")
        return None
    return number


def parse_compact_date(value: object) -> datetime | None:
    """``20200215000000`` → datetime; anything else → None."""
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return None
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def parse_iso_date(value: object) -> datetime | None:
    """``2020-10-19T20:19:23.737`` → datetime; anything else → None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _result(data: Any) -> tuple[int, str]:
    """``result`` as a JSON integer and ``resultMessage`` fit to show.

    Strict on purpose: ``result`` decides whether money moved, so ``"0"``, ``true`` or
    ``0.0`` is not read as success by a guess; such an answer is no answer (non-final) and the
    request is repeated. The message is :func:`printable` and bounded; ``raw`` keeps it all.
    """
    if not isinstance(data, Mapping):
        raise ResponseFormatError("Процессинг прислал ответ не в виде объекта JSON")
    code = data.get("result")
    if code is None:
        raise ResponseFormatError("В ответе процессинга нет кода результата (result)")
    if isinstance(code, bool) or not isinstance(code, int):
        raise ResponseFormatError("Код результата (result) в ответе процессинга не целое число")
    message = data.get("resultMessage")
    if not isinstance(message, str):
        return code, ""
    message = printable(message).strip()
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 1] + "…"
    return code, message


@dataclass(frozen=True)
class Answer:
    """Fields every answer has."""

    result: int
    result_message: str

    @property
    def ok(self) -> bool:
        return self.result == 0

    def finality(self, *, after_non_final: bool = False) -> Finality:
        return classify(self.result, after_non_final=after_non_final)

    @property
    def cashier_message(self) -> str:
        return cashier_message(self.result, self.result_message)


@dataclass(frozen=True)
class ServicesAnswer(Answer):
    services: tuple[ServiceDefinition, ...] = ()
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: Any) -> ServicesAnswer:
        code, message = _result(data)
        problems: list[str] = []
        services: list[ServiceDefinition] = []
        raw_list = next((data[key] for key in SERVICES_KEYS if key in data), None)
        if code == 0:
            if not isinstance(raw_list, Sequence) or isinstance(raw_list, str):
                raise ResponseFormatError("В ответе процессинга нет списка услуг")
            seen: set[str] = set()
            for index, item in enumerate(raw_list):
                try:
                    service = ServiceDefinition.from_wire(item)
                except ServiceDefinitionError as error:
                    problems.append(f"услуга №{index + 1} пропущена: {error}")
                    continue
                except (ArithmeticError, LookupError, TypeError, ValueError) as error:
                    # one odd entry must not cost the whole catalog
                    problems.append(f"услуга №{index + 1} пропущена: не разобрана "
                                    f"({type(error).__name__})")
                    continue
                if service.service_id in seen:
                    problems.append(f"услуга {service.service_id} повторяется, вторая пропущена")
                    continue
                seen.add(service.service_id)
                services.append(service)
                problems.extend(f"{service.service_id}: {p}" for p in service.problems)
        return cls(code, message, tuple(services), tuple(problems))


@dataclass(frozen=True)
class AgentBalance(Answer):
    agent_id: int | None = None
    agent_name: str = ""
    balance: Decimal = Decimal(0)
    overdraft: Decimal = Decimal(0)
    notification: Decimal | None = None
    currency: str = ""

    @classmethod
    def parse(cls, data: Any) -> AgentBalance:
        code, message = _result(data)
        if code != 0:
            return cls(code, message)
        agent = data.get("agent")
        if not isinstance(agent, Mapping):
            agent = data  # the table in the seed lists the fields flat
        problems: list[str] = []
        balance = _opt_amount(agent.get("balance"), "balance", problems)
        if balance is None:
            raise ResponseFormatError("В ответе на запрос баланса нет суммы баланса")
        return cls(
            code,
            message,
            agent_id=_opt_int(agent.get("agentId"), "agentId", problems),
            agent_name=_opt_human(agent.get("agentName")) or "",
            balance=balance,
            overdraft=_opt_amount(agent.get("overdraft"), "overdraft", problems) or Decimal(0),
            notification=_opt_amount(agent.get("notification"), "notification", problems),
            currency=_opt_text(agent.get("currency")) or "",
        )


@dataclass(frozen=True)
class Contract:
    contract_id: str
    name: str | None
    contract_number: str | None
    contract_sum: Decimal | None
    contract_date: datetime | None
    contract_date_raw: str | None


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_id: str | None
    formed_date: datetime | None
    expire_date: datetime | None
    client_name: str | None
    client_address: str | None
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True)
class PaymentAnswer(Answer):
    """An answer to ``check`` or ``pay``: every variant of seed 003 §2.4.2 in one type."""

    transaction_id: int | None = None
    agent_transaction_id: int | None = None
    displays: Mapping[str, str] | None = None
    # international providers
    currency_rate: str | None = None
    rate: Decimal | None = None
    final_amount: Decimal | None = None
    currency: str | None = None
    # choice scheme
    contracts: tuple[Contract, ...] | None = None
    # complex scheme
    invoices: tuple[InvoiceDocument, ...] | None = None
    # pay
    transaction_date: datetime | None = None
    status_date: datetime | None = None
    problems: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def fixed_amount(self) -> Decimal | None:
        """``displays.fixedAmount`` for fixed-payment services."""
        if not self.displays or "fixedAmount" not in self.displays:
            return None
        try:
            return parse_amount(self.displays["fixedAmount"])
        except AmountError:
            return None

    @classmethod
    def parse(cls, data: Any) -> PaymentAnswer:
        code, message = _result(data)
        problems: list[str] = []
        displays = None
        raw_displays = data.get("displays")
        if isinstance(raw_displays, Mapping):
            displays = {
                str(key): text
                for key, value in raw_displays.items()
                if (text := _opt_human(value)) is not None
            }
        elif raw_displays is not None:
            problems.append("displays не является объектом")
        return cls(
            code,
            message,
            transaction_id=_opt_int(data.get("transactionId"), "transactionId", problems),
            agent_transaction_id=_opt_int(
                data.get("agentTransactionId"), "agentTransactionId", problems
            ),
            displays=displays,
            currency_rate=_opt_human(data.get("currencyRate")),
            rate=_opt_amount(data.get("rate"), "rate", problems),
            final_amount=_opt_amount(data.get("finalAmount"), "finalAmount", problems),
            currency=_opt_text(data.get("currency")),
            contracts=_contracts(data.get("contracts"), problems),
            invoices=_invoices(data.get("invoice"), problems),
            transaction_date=parse_iso_date(data.get("transactionDate")),
            status_date=parse_iso_date(data.get("statusDate")),
            problems=tuple(problems),
            raw=data,
        )


def _contracts(raw: object, problems: list[str]) -> tuple[Contract, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append("contracts не является списком")
        return None
    contracts = []
    for index, item in enumerate(raw):
        contract_id = _opt_text(item.get("contractId")) if isinstance(item, Mapping) else None
        if not contract_id or not isinstance(item, Mapping):
            problems.append(f"contracts[{index}] без contractId пропущен")
            continue
        date_raw = _opt_text(item.get("contractDate"))
        contracts.append(
            Contract(
                contract_id=contract_id,
                name=_opt_human(item.get("name")),
                contract_number=_opt_text(item.get("contractNumber")),
                contract_sum=_opt_amount(item.get("contractSum"), "contractSum", problems),
                contract_date=parse_compact_date(date_raw),
                contract_date_raw=date_raw,
            )
        )
    return tuple(contracts)


def _invoices(raw: object, problems: list[str]) -> tuple[InvoiceDocument, ...] | None:
    if raw is None:
        return None
    invoices = raw.get("invoices") if isinstance(raw, Mapping) else None
    if not isinstance(invoices, Sequence) or isinstance(invoices, str):
        problems.append("invoice.invoices не является списком")
        return None
    documents = []
    for index, doc in enumerate(invoices):
        if not isinstance(doc, Mapping):
            problems.append(f"invoices[{index}] не объект")
            continue
        lines = []
        raw_lines = doc.get("services")
        if not isinstance(raw_lines, Sequence) or isinstance(raw_lines, str):
            problems.append(f"invoices[{index}].services не является списком")
            raw_lines = []
        for line_index, line in enumerate(raw_lines):
            where = f"invoices[{index}].services[{line_index}]"
            sub_id = _opt_text(line.get("subServiceId")) if isinstance(line, Mapping) else None
            if not sub_id or not isinstance(line, Mapping):
                problems.append(f"{where} без subServiceId пропущена")
                continue
            data = line.get("data")
            if not isinstance(data, Mapping):
                data = {}
            lines.append(
                InvoiceLine(
                    sub_service_id=sub_id,
                    sub_service_name=_opt_human(line.get("subServiceName")) or sub_id,
                    pay_sum=_opt_amount(data.get("paySum"), f"{where}.paySum", problems),
                    tariff=_opt_amount(data.get("tariff"), f"{where}.tariff", problems),
                    min_sum=_opt_amount(data.get("minSum"), f"{where}.minSum", problems),
                    max_sum=_opt_amount(data.get("maxSum"), f"{where}.maxSum", problems),
                    debt_info=_opt_human(data.get("debtInfo")),
                    is_meter=data.get("isMeter") is True,
                    prev_count=_opt_amount(data.get("prevCount"), f"{where}.prevCount", problems),
                    last_count=_opt_amount(data.get("lastCount"), f"{where}.lastCount", problems),
                    si=_opt_human(data.get("si")),
                    comment=_opt_human(data.get("comment")),
                )
            )
        documents.append(
            InvoiceDocument(
                invoice_id=_opt_text(doc.get("invoiceId")),
                formed_date=parse_compact_date(doc.get("formedDate")),
                expire_date=parse_compact_date(doc.get("expireDate")),
                client_name=_opt_human(doc.get("clientName")),
                client_address=_opt_human(doc.get("clientAddress")),
                lines=tuple(lines),
            )
        )
    return tuple(documents)


@dataclass(frozen=True)
class OperatorAnswer(Answer):
    service_id: str | None = None

    @classmethod
    def parse(cls, data: Any) -> OperatorAnswer:
        code, message = _result(data)
        return cls(code, message, service_id=_opt_text(data.get("serviceId")) or None)


def foreign_answer_problem(answer: PaymentAnswer, agent_transaction_id: int) -> str | None:
    """Why ``answer`` is not an answer to the check/pay sent with ``agent_transaction_id``;
    None when it is.

    Seed 003 §2.4.2 makes ``agentTransactionId`` and ``transactionId`` mandatory in every
    answer variant. An answer about another payment (a proxy's cache, a mixed-up
    connection, a hostile server) or a «success» without the center's transaction number must
    not settle this payment: the caller treats it as no answer and asks again.
    """
    theirs = answer.agent_transaction_id
    if theirs is None:
        return "в ответе процессинга нет номера платежа agentTransactionId"
    if theirs != agent_transaction_id:
        return (f"ответ процессинга о другом платеже: agentTransactionId {theirs} "
                f"вместо {agent_transaction_id}")
    if answer.result == 0 and answer.transaction_id is None:
        return "процессинг ответил «успешно» без номера транзакции transactionId"
    return None
