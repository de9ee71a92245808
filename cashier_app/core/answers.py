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

from .answer_fields import (
    ResponseFormatError,
    optional_amount,
    optional_human,
    optional_id,
    optional_text,
    parse_compact_date,
    parse_iso_date,
    result_of,
)
from .money import AmountError, parse_amount
from .result_codes import Finality, cashier_message, classify
from .schemes import InvoiceLine
from .services import ServiceDefinition, ServiceDefinitionError

SERVICES_KEYS = ("servi\u0441es", "services")  # Cyrillic «с» first, as the seed spells it


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
        code, message = result_of(data)
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
        code, message = result_of(data)
        if code != 0:
            return cls(code, message)
        agent = data.get("agent")
        if not isinstance(agent, Mapping):
            agent = data  # the table in the seed lists the fields flat
        problems: list[str] = []
        balance = optional_amount(agent.get("balance"), "balance", problems)
        if balance is None:
            raise ResponseFormatError("В ответе на запрос баланса нет суммы баланса")
        return cls(
            code,
            message,
            agent_id=optional_id(agent.get("agentId"), "agentId", problems),
            agent_name=optional_human(agent.get("agentName")) or "",
            balance=balance,
            overdraft=optional_amount(agent.get("overdraft"), "overdraft", problems) or Decimal(0),
            notification=optional_amount(agent.get("notification"), "notification", problems),
            currency=optional_text(agent.get("currency")) or "",
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
        code, message = result_of(data)
        problems: list[str] = []
        displays = None
        raw_displays = data.get("displays")
        if isinstance(raw_displays, Mapping):
            displays = {
                str(key): text
                for key, value in raw_displays.items()
                if (text := optional_human(value)) is not None
            }
        elif raw_displays is not None:
            problems.append("displays не является объектом")
        return cls(
            code,
            message,
            transaction_id=optional_id(data.get("transactionId"), "transactionId", problems),
            agent_transaction_id=optional_id(
                data.get("agentTransactionId"), "agentTransactionId", problems
            ),
            displays=displays,
            currency_rate=optional_human(data.get("currencyRate")),
            rate=optional_amount(data.get("rate"), "rate", problems),
            final_amount=optional_amount(data.get("finalAmount"), "finalAmount", problems),
            currency=optional_text(data.get("currency")),
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
        contract_id = optional_text(item.get("contractId")) if isinstance(item, Mapping) else None
        if not contract_id or not isinstance(item, Mapping):
            problems.append(f"contracts[{index}] без contractId пропущен")
            continue
        date_raw = optional_text(item.get("contractDate"))
        contracts.append(
            Contract(
                contract_id=contract_id,
                name=optional_human(item.get("name")),
                contract_number=optional_text(item.get("contractNumber")),
                contract_sum=optional_amount(item.get("contractSum"), "contractSum", problems),
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
            sub_id = optional_text(line.get("subServiceId")) if isinstance(line, Mapping) else None
            if not sub_id or not isinstance(line, Mapping):
                problems.append(f"{where} без subServiceId пропущена")
                continue
            data = line.get("data")
            if not isinstance(data, Mapping):
                data = {}
            lines.append(
                InvoiceLine(
                    sub_service_id=sub_id,
                    sub_service_name=optional_human(line.get("subServiceName")) or sub_id,
                    pay_sum=optional_amount(data.get("paySum"), f"{where}.paySum", problems),
                    tariff=optional_amount(data.get("tariff"), f"{where}.tariff", problems),
                    min_sum=optional_amount(data.get("minSum"), f"{where}.minSum", problems),
                    max_sum=optional_amount(data.get("maxSum"), f"{where}.maxSum", problems),
                    debt_info=optional_human(data.get("debtInfo")),
                    is_meter=data.get("isMeter") is True,
                    prev_count=optional_amount(data.get("prevCount"), f"{where}.prevCount",
                                               problems),
                    last_count=optional_amount(data.get("lastCount"), f"{where}.lastCount",
                                               problems),
                    si=optional_human(data.get("si")),
                    comment=optional_human(data.get("comment")),
                )
            )
        documents.append(
            InvoiceDocument(
                invoice_id=optional_text(doc.get("invoiceId")),
                formed_date=parse_compact_date(doc.get("formedDate")),
                expire_date=parse_compact_date(doc.get("expireDate")),
                client_name=optional_human(doc.get("clientName")),
                client_address=optional_human(doc.get("clientAddress")),
                lines=tuple(lines),
            )
        )
    return tuple(documents)


@dataclass(frozen=True)
class OperatorAnswer(Answer):
    service_id: str | None = None

    @classmethod
    def parse(cls, data: Any) -> OperatorAnswer:
        code, message = result_of(data)
        return cls(code, message, service_id=optional_text(data.get("serviceId")) or None)


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
