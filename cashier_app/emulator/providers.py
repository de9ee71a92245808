"""How the emulated providers answer an account and a payment, from their configuration in
the catalog's ``providers`` (open, lookup, contracts, invoice, international): pure functions
of a provider, a service definition and a request body, returning a result code of seed 003's
Table 1 (4 — bad account, 5 — not found, 7 — forbidden, 202 — bad request, 241/242 — amount
below/above the limit) or the answer fields."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cashier_app.core.patterns import MatchOutcome, compile_server_pattern


def account_problem(service: Mapping[str, Any], body: dict[str, Any]) -> int | None:
    """Code 4 when an input the service declares is missing or does not match its regexp."""
    values = {"account": body["account"], **(body.get("extras") or {})}
    for spec in service.get("inputs", []):
        value = values.get(spec["name"], "")
        if not value:
            if spec.get("required"):
                return 4
            continue
        pattern = spec.get("regexp")
        if pattern and compile_server_pattern(pattern).match(value) is MatchOutcome.NO_MATCH:
            return 4
    return None


def lookup(provider: Mapping[str, Any], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Provider's reply to an account: (code, answer fields)."""
    account = body["account"]
    extras = body.get("extras") or {}
    kind = provider.get("kind", "open")
    if account in provider.get("notFound", []):
        return 5, {}
    if account in provider.get("forbidden", []):
        return 7, {}
    if kind == "open":
        return 0, {}
    if kind == "international":
        fields: dict[str, Any] = {"currencyRate": provider["currencyRate"],
                                  "rate": Decimal(provider["rate"])}
        amount = body.get("amountTo")
        if isinstance(amount, Decimal | int):
            fields["finalAmount"] = (Decimal(amount) * Decimal(provider["rate"])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
        fields["currency"] = provider["currency"]
        return 0, fields
    for record in provider.get("records", []):
        if record.get("account") != account:
            continue
        wanted = record.get("extras", {})
        if any(extras.get(k) != v for k, v in wanted.items()):
            continue
        if kind == "lookup":
            return 0, {"displays": copy.deepcopy(record["displays"])}
        if kind == "contracts":
            return 0, {"contracts": copy.deepcopy(record["contracts"])}
        if kind == "invoice":
            return 0, {"invoice": copy.deepcopy(record["invoice"])}
    return 5, {}


def pay_problem(provider: Mapping[str, Any], service: Mapping[str, Any], body: dict[str, Any]
                ) -> int | None:
    """The code a pay gets for its amount and what was chosen (0-amount, limits, a fixed
    amount, a contract, the invoice lines), or None."""
    amount = Decimal(body["amountTo"])
    if amount <= 0:
        return 202
    if "minAmount" in provider and amount < Decimal(provider["minAmount"]):
        return 241
    if "maxAmount" in provider and amount > Decimal(provider["maxAmount"]):
        return 242
    code, fields = lookup(provider, body)
    if code:
        return code
    kind = provider.get("kind", "open")
    if service.get("fixedPayment"):
        fixed = fields.get("displays", {}).get("fixedAmount")
        if fixed is not None and Decimal(fixed) != amount:
            return 202
    if kind == "contracts":
        chosen = (body.get("extras") or {}).get("contractId")
        if chosen not in {c["contractId"] for c in fields["contracts"]}:
            return 202
    if kind == "invoice":
        return invoice_problem(fields["invoice"], body, amount)
    return None

def invoice_problem(invoice: Mapping[str, Any], body: dict[str, Any],
                     amount: Decimal) -> int | None:
    lines = {line["subServiceId"]: line.get("data", {})
             for doc in invoice.get("invoices", []) for line in doc.get("services", [])}
    paid = body.get("extraServices")
    if not isinstance(paid, list) or not paid:
        return 202
    total = Decimal(0)
    seen: set[str] = set()
    for item in paid:
        if not isinstance(item, dict) or item.get("subServiceId") not in lines:
            return 202
        sub_id = item["subServiceId"]
        if sub_id in seen:
            return 202
        seen.add(sub_id)
        line_amount = item.get("amount")
        if isinstance(line_amount, bool) or not isinstance(line_amount, Decimal | int):
            return 202
        line_amount = Decimal(line_amount)
        data = lines[sub_id]
        low = Decimal(str(data.get("minSum", 0)))
        high = Decimal(str(data.get("maxSum", 0)))
        if low and line_amount < low:
            return 241
        if high and line_amount > high:
            return 242
        if data.get("isMeter") and "lastCount" in item:
            try:
                if Decimal(str(item["lastCount"])) < Decimal(str(data.get("prevCount", 0))):
                    return 202
            except ArithmeticError:
                return 202
        total += line_amount
    return None if total == amount else 202
