"""Request bodies of check and pay, as the exact bytes to send (and to store, and to resend).

Field order follows the seed's examples. Amounts are Decimals printed with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.core.wire import encode_body

MAX_AGENT_TRANSACTION_ID = 10**18 - 1  # «целое число длиной до 18 знаков»
AGENT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class ExtraService:
    """One paid line of a ЖКХ invoice (``extraServices[]`` of a complex pay)."""

    sub_service_id: str
    amount: Decimal
    last_count: str | None = None  # new meter reading, only for meter lines


def format_agent_date(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss`` in the point's local time, no zone, no fraction."""
    return moment.strftime(AGENT_DATE_FORMAT)


def _check_id(agent_transaction_id: int) -> None:
    if (
        isinstance(agent_transaction_id, bool)
        or not isinstance(agent_transaction_id, int)
        or not 0 < agent_transaction_id <= MAX_AGENT_TRANSACTION_ID
    ):
        raise ValueError(f"agentTransactionId must be 1..10^18-1, got {agent_transaction_id!r}")


def _common(
    service_id: str,
    account: str,
    agent_transaction_id: int,
    agent_transaction_date: str,
) -> dict[str, Any]:
    _check_id(agent_transaction_id)
    datetime.strptime(agent_transaction_date, AGENT_DATE_FORMAT)  # ValueError if malformed
    return {
        "serviceId": service_id,
        "account": account,
        "agentTransactionId": agent_transaction_id,
        "agentTransactionDate": agent_transaction_date,
    }


def _identity(body: dict[str, Any], identity_card: str | None, full_name: str | None) -> None:
    if identity_card:
        body["identityCard"] = identity_card
    if full_name:
        body["fullName"] = full_name


def check_body(
    *,
    service_id: str,
    account: str,
    agent_transaction_id: int,
    agent_transaction_date: str,
    amount_to: Decimal | None = None,
    amount_from: Decimal | None = None,
    extras: Mapping[str, str] | None = None,
    identity_card: str | None = None,
    full_name: str | None = None,
) -> bytes:
    body = _common(service_id, account, agent_transaction_id, agent_transaction_date)
    if amount_to is not None:
        body["amountTo"] = amount_to
    if amount_from is not None:
        body["amountFrom"] = amount_from
    if extras:
        body["extras"] = dict(extras)
    _identity(body, identity_card, full_name)
    return encode_body(body)


def pay_body(
    *,
    service_id: str,
    account: str,
    agent_transaction_id: int,
    agent_transaction_date: str,
    amount_to: Decimal,
    amount_from: Decimal | None = None,
    extras: Mapping[str, str] | None = None,
    extra_services: Sequence[ExtraService] | None = None,
    identity_card: str | None = None,
    full_name: str | None = None,
) -> bytes:
    body = _common(service_id, account, agent_transaction_id, agent_transaction_date)
    body["amountTo"] = amount_to
    if amount_from is not None:
        body["amountFrom"] = amount_from
    if extras:
        body["extras"] = dict(extras)
    if extra_services:
        lines: list[dict[str, Any]] = []
        for line in extra_services:
            item: dict[str, Any] = {"subServiceId": line.sub_service_id}
            if line.last_count is not None:
                item["lastCount"] = line.last_count
            item["amount"] = line.amount
            lines.append(item)
        body["extraServices"] = lines
    _identity(body, identity_card, full_name)
    return encode_body(body)
