"""The processing center's behaviour, without HTTP: catalog, check, pay, balance, MNP.

What it guarantees, like the real one (seed 003):

* idempotency by ``agentTransactionId``: a repeated request returns the earlier result, the
  agent's balance is debited once;
* an id already used for a different payment gets **215**;
* while a pay is in a non-final state, a repeat with a *changed* body gets **202** and the
  original payment goes on (note under Table 1);
* every pay request body is recorded as received, so tests can prove nothing changed between
  attempts and nothing was paid twice.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

from cashier_app.core.result_codes import NON_FINAL_CODES
from cashier_app.core.wire import WireFormatError, decode_body
from cashier_app.util.resources import resources_dir

from .answers import answer as _answer
from .answers import iso_ms as _iso_ms
from .providers import account_problem, lookup, pay_problem
from .sbp import SbpDesk

AGENT_DATE = regex.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\Z")


def default_catalog_path() -> Path:
    """``resources/demo/catalog.json`` of the source tree or of the frozen folder."""
    return resources_dir() / "demo" / "catalog.json"


def load_catalog(path: Path | None = None) -> dict[str, Any]:
    data = decode_body((path or default_catalog_path()).read_bytes())
    if not isinstance(data, dict) or "services" not in data:
        raise ValueError(f"{path}: not an emulator catalog (no 'services')")
    return data


@dataclass
class Transaction:
    """Everything the emulator knows about one agentTransactionId."""

    agent_transaction_id: int
    transaction_id: int
    service_id: str
    account: str
    check_answer: dict[str, Any] | None = None
    pay_body: dict[str, Any] | None = None  # the body that defines the payment
    pay_state: str = "none"  # none | pending | paid | failed
    pay_answer: dict[str, Any] | None = None  # the final answer, replayed on repeats
    non_final_left: int = 0  # scripted non-final answers still to give
    non_final_code: int = 1
    pay_requests: list[bytes] = field(default_factory=list)
    debits: int = 0

    def public(self) -> dict[str, Any]:
        return {
            "agentTransactionId": self.agent_transaction_id,
            "transactionId": self.transaction_id,
            "serviceId": self.service_id,
            "account": self.account,
            "payState": self.pay_state,
            "payResult": self.pay_answer["result"] if self.pay_answer else None,
            "amountTo": str(self.pay_body["amountTo"]) if self.pay_body else None,
            "payRequests": [body.decode("utf-8", "replace") for body in self.pay_requests],
            "debits": self.debits,
        }


class ProcessingCenter:
    """Thread-safe: the HTTP server calls it from several threads."""

    def __init__(self, catalog: Mapping[str, Any], *, clock: Any = datetime.now) -> None:
        self.catalog = copy.deepcopy(dict(catalog))
        agent = self.catalog.get("agent", {})
        self.balance = Decimal(str(agent.get("balance", "100000")))
        self.overdraft = Decimal(str(agent.get("overdraft", "0")))
        self._services = {str(s["serviceId"]): s for s in self.catalog["services"]}
        self._providers: dict[str, Any] = self.catalog.get("providers", {})
        for service_id, provider in self._providers.items():
            # the center publishes the limits it enforces (241/242), so that a cashier sees
            # them at the amount and nothing out of them is taken (see core.limits)
            service = self._services.get(service_id)
            for name in ("minAmount", "maxAmount"):
                if service is not None and name in provider:
                    service.setdefault(name, provider[name])
        self._transactions: dict[int, Transaction] = {}
        self._ids = itertools.count(100000781233355)
        self._clock = clock
        self._lock = threading.RLock()
        self.request_counts: dict[str, int] = {}
        self.sbp = SbpDesk(self)

    # --- public API used by the HTTP layer and by tests -------------------------------
    def handle(self, method: str, raw: bytes) -> dict[str, Any]:
        with self._lock:
            self.request_counts[method] = self.request_counts.get(method, 0) + 1
        handler = {
            "services": self._services_answer,
            "service": self._service_answer,
            "balance": self._balance_answer,
            "check": self._check,
            "pay": self._pay,
            "operatorByPhone": self._operator,
            "qr-code/create": self.sbp.create,
            "qr-code/checkstatus": self.sbp.status,
            "cash-link/register": self.sbp.register_link,
            "cash-link/activate": self.sbp.activate,
            "cash-link/deactivate": self.sbp.deactivate,
        }.get(method)
        if handler is None:
            return _answer(130)
        try:
            body = decode_body(raw) if raw.strip() else {}
        except WireFormatError:
            return _answer(202)
        if not isinstance(body, dict):
            return _answer(202)
        with self._lock:
            return handler(body, raw)

    def set_balance(self, value: Decimal) -> None:
        with self._lock:
            self.balance = value

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "balance": str(self.balance),
                "requests": dict(self.request_counts),
                "transactions": [t.public() for t in self._transactions.values()],
                "qr": self.sbp.public(),
            }

    def bank(self, action: str, qr_id: object = None, tx_id: object = None) -> dict[str, Any]:
        """The person's bank acting on a QR code: ``pay``, ``reject`` or ``expire``."""
        with self._lock:
            handler = {"pay": self.sbp.pay, "reject": self.sbp.reject,
                       "expire": self.sbp.expire}[action]
            return handler(qr_id, tx_id)

    def transaction(self, agent_transaction_id: int) -> Transaction | None:
        with self._lock:
            return self._transactions.get(agent_transaction_id)

    # --- methods ---------------------------------------------------------------------
    def _services_answer(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        # the seed spells the key with a Cyrillic «с»; so do we
        return {"result": 0, "resultMessage": "OK", "servi\u0441es": self.catalog["services"]}

    def _service_answer(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        service = self._services.get(str(body.get("serviceId", "")))
        if service is None:
            return _answer(130)
        return {"result": 0, "resultMessage": "OK", "servi\u0441es": [service]}

    def _balance_answer(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        agent = self.catalog.get("agent", {})
        four = Decimal("0.0001")
        return {
            "result": 0,
            "resultMessage": "Успешно",
            "agent": {
                "agentId": agent.get("agentId", 1),
                "agentName": agent.get("agentName", "Агент"),
                "balance": self.balance.quantize(four),
                "overdraft": self.overdraft.quantize(four),
                "notification": Decimal(str(agent.get("notification", "0"))).quantize(four),
                "currency": agent.get("currency", "RUB"),
            },
        }

    def _operator(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        phone = body.get("phoneNumber")
        if not isinstance(phone, str) or not regex.fullmatch(r"[0-9]{10}", phone):
            return _answer(4)
        operators = self.catalog.get("operators", {})
        service_id = operators.get("ported", {}).get(phone) or operators.get(
            "prefixes", {}
        ).get(phone[:3])
        if not service_id:
            return _answer(5)
        return {"result": 0, "resultMessage": "ok", "serviceId": service_id}

    # --- check and pay -----------------------------------------------------------------
    def _basic(self, body: dict[str, Any]) -> tuple[int | None, dict[str, Any] | None]:
        """Validate the fields every check/pay has; return (id, error answer). Every answer
        names the payment it is about (agentTransactionId), as seed 003 requires."""
        tx_id = body.get("agentTransactionId")
        if isinstance(tx_id, bool) or not isinstance(tx_id, int) or not 0 < tx_id < 10**18:
            return None, _answer(202)
        refused = _answer(202, agentTransactionId=tx_id)
        if not isinstance(body.get("serviceId"), str) or not isinstance(body.get("account"), str):
            return tx_id, refused
        date = body.get("agentTransactionDate")
        if not isinstance(date, str) or not AGENT_DATE.match(date):
            return tx_id, refused
        for key in ("amountTo", "amountFrom"):
            if (key in body and not isinstance(body[key], Decimal | int)) or isinstance(
                body.get(key), bool
            ):
                return tx_id, refused
        extras = body.get("extras")
        if extras is not None and not (
            isinstance(extras, dict) and all(isinstance(v, str) for v in extras.values())
        ):
            return tx_id, refused
        return tx_id, None

    def transaction_number(self, agent_transaction_id: int) -> int:
        """The center's transactionId for this payment (a fresh one for an unknown id): a
        scripted answer carries it like a real one."""
        with self._lock:
            known = self._transactions.get(agent_transaction_id)
            return known.transaction_id if known is not None else next(self._ids)

    def provider(self, service_id: str) -> Mapping[str, Any]:
        """How this service's provider answers (``open`` when the catalog says nothing)."""
        provider: Mapping[str, Any] = self._providers.get(service_id, {"kind": "open"})
        return provider

    def _transaction_for(self, tx_id: int, body: dict[str, Any]) -> Transaction | None:
        """The record for this id, creating it; None when the id belongs to another payment."""
        existing = self._transactions.get(tx_id)
        if existing is None:
            existing = Transaction(tx_id, next(self._ids), body["serviceId"], body["account"])
            self._transactions[tx_id] = existing
            return existing
        if existing.service_id != body["serviceId"] or existing.account != body["account"]:
            return None
        return existing

    def _check(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        tx_id, error = self._basic(body)
        if error is not None or tx_id is None:
            return error or _answer(202)
        known = self._transactions.get(tx_id)
        if known is not None and known.check_answer is not None and (
            known.service_id == body["serviceId"] and known.account == body["account"]
        ):
            return known.check_answer
        service = self._services.get(body["serviceId"])
        if service is None:
            return _answer(130, agentTransactionId=tx_id)
        transaction = self._transaction_for(tx_id, body)
        if transaction is None:
            return _answer(215, agentTransactionId=tx_id)
        code = account_problem(service, body)
        fields: dict[str, Any] = {}
        if code is None:
            code, fields = lookup(self.provider(service["serviceId"]), body)
        answer = {**_answer(code), "transactionId": transaction.transaction_id,
                  "agentTransactionId": tx_id, **(fields if code == 0 else {})}
        transaction.check_answer = answer
        return answer

    def _pay(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        tx_id, error = self._basic(body)
        if error is not None or tx_id is None:
            return error or _answer(202)
        if "amountTo" not in body:
            return _answer(202, agentTransactionId=tx_id)
        known = self._transactions.get(tx_id)
        if known is not None:
            known.pay_requests.append(raw)
            if known.pay_state in ("paid", "failed"):
                if known.pay_body == body:
                    assert known.pay_answer is not None
                    return known.pay_answer
                return _answer(215, agentTransactionId=tx_id)
            if known.pay_state == "pending":
                if known.pay_body != body:
                    return _answer(202, agentTransactionId=tx_id)  # the original goes on
                return self._progress(known)
        service = self._services.get(body["serviceId"])
        if service is None:
            return _answer(130, agentTransactionId=tx_id)
        transaction = self._transaction_for(tx_id, body)
        if transaction is None:
            return _answer(215, agentTransactionId=tx_id)
        if not transaction.pay_requests or transaction.pay_requests[-1] is not raw:
            transaction.pay_requests.append(raw)
        code = account_problem(service, body) or pay_problem(
            self.provider(body["serviceId"]), service, body)
        if code is not None:
            return self._settle(transaction, body, code)
        transaction.pay_body = body
        transaction.pay_state = "pending"
        provider = self._providers.get(body["serviceId"], {})
        pending = provider.get("pendingAccounts", {})
        transaction.non_final_left = int(pending.get(body["account"], 0))
        return self._progress(transaction)

    def scripted_pay(self, raw: bytes, code: int) -> dict[str, Any] | None:
        """Answer a pay with a scripted ``code`` (fault mode), keeping the center consistent.

        A non-final code leaves the payment accepted and pending (a later repeat settles it);
        a final error code settles it as failed. Returns None when the request must take the
        normal path instead: malformed, already final (replayed), or a changed body (202).
        """
        try:
            body = decode_body(raw)
        except WireFormatError:
            return None
        if not isinstance(body, dict) or "amountTo" not in body:
            return None
        with self._lock:
            tx_id, error = self._basic(body)
            if error is not None or tx_id is None or code == 0:
                return None
            known = self._transactions.get(tx_id)
            if code == 202 and known is not None and known.pay_state == "pending":
                # a 202 to a repeat does not stop a payment in processing (Table 1 note)
                known.pay_requests.append(raw)
                return _answer(202, agentTransactionId=tx_id)
            if known is not None and (
                known.pay_state in ("paid", "failed")
                or (known.pay_state == "pending" and known.pay_body != body)
            ):
                return None
            transaction = self._transaction_for(tx_id, body)
            if transaction is None:
                return None
            self.request_counts["pay"] = self.request_counts.get("pay", 0) + 1
            transaction.pay_requests.append(raw)
            transaction.pay_body = body
            if code in NON_FINAL_CODES:
                transaction.pay_state = "pending"
                return _answer(code, transactionId=transaction.transaction_id,
                               agentTransactionId=tx_id)
            return self._settle(transaction, body, code)

    def _progress(self, transaction: Transaction) -> dict[str, Any]:
        """One more look at a pending payment: still non-final, or settle it now."""
        if transaction.non_final_left > 0:
            transaction.non_final_left -= 1
            return _answer(transaction.non_final_code, transactionId=transaction.transaction_id,
                           agentTransactionId=transaction.agent_transaction_id)
        assert transaction.pay_body is not None
        amount = Decimal(transaction.pay_body["amountTo"])
        if self.balance - amount < self.overdraft:
            return _answer(220, transactionId=transaction.transaction_id,
                           agentTransactionId=transaction.agent_transaction_id)
        return self._settle(transaction, transaction.pay_body, 0)

    def _settle(self, transaction: Transaction, body: dict[str, Any], code: int) -> dict[str, Any]:
        transaction.pay_body = body
        if code == 0:
            self.balance -= Decimal(body["amountTo"])
            transaction.debits += 1
            transaction.pay_state = "paid"
            now = self._clock()
            answer = {
                "result": 0, "resultMessage": "Успешно",
                "transactionId": transaction.transaction_id,
                "transactionDate": _iso_ms(now), "statusDate": _iso_ms(now),
                "agentTransactionId": transaction.agent_transaction_id,
            }
        else:
            transaction.pay_state = "failed"
            answer = _answer(code, transactionId=transaction.transaction_id,
                             agentTransactionId=transaction.agent_transaction_id)
        transaction.pay_answer = answer
        return answer
