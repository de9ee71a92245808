"""The emulator's QR СБП desk: dynamic codes, cash-register links, and the "bank app".

Shapes as :mod:`cashier_app.processing.sbp` describes them. Like the real center:

* a repeated create/activate with a known agentTransactionId returns the earlier answer (a
  different body for that id gets **215**);
* the payment is validated as a pay would be (account, amount, contract, invoice) when the
  code is created, and is *paid* — the agent's balance debited once — only when the person's
  bank pays the code (:meth:`SbpDesk.pay`, driven by a test, the demo button or the small page
  ``GET /_emulator/sbp/<qrId>``);
* a code not paid by its ``expiresAt`` is EXPIRED; a deactivated link activation too.

The caller holds the center's lock.
"""

from __future__ import annotations

import itertools
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .answers import answer as _answer
from .answers import iso_ms as _iso_ms
from .providers import account_problem, pay_problem

if TYPE_CHECKING:
    from .center import ProcessingCenter


@dataclass
class QrCode:
    """One code to pay (a dynamic QR, or one activation of a cash-register link)."""

    qr_id: str
    agent_transaction_id: int
    body: dict[str, Any]
    payload: str
    expires_at: datetime
    answer: dict[str, Any]
    link: bool = False
    status: str = "CREATED"
    paid_at: datetime | None = None
    reason: str = ""

    def public(self) -> dict[str, Any]:
        return {"qrId": self.qr_id, "agentTransactionId": self.agent_transaction_id,
                "status": self.status, "payload": self.payload, "link": self.link,
                "amountFrom": str(self.body.get("amountFrom"))}


def _pay_part(body: dict[str, Any]) -> dict[str, Any]:
    """A create/activate body without what only a code has: the pay it stands for."""
    return {k: v for k, v in body.items() if k not in ("lifetime", "qrId")}


def nspk_payload(qr_id: str, amount: Decimal | None, *, static: bool = False) -> str:
    """A link of the form the НСПК uses: ``https://qr.nspk.ru/<id>?type=02&…&crc=XXXX``."""
    query = f"type={'01' if static else '02'}&bank=100000000007"
    if amount is not None:
        query += f"&sum={int(amount * 100)}&cur=RUB"
    text = f"https://qr.nspk.ru/{qr_id}?{query}"
    return f"{text}&crc={zlib.crc32(text.encode()) & 0xFFFF:04X}"


class SbpDesk:
    def __init__(self, center: ProcessingCenter) -> None:
        self.center = center
        self.codes: dict[int, QrCode] = {}  # by agentTransactionId
        self.by_qr: dict[str, int] = {}  # dynamic qrId → agentTransactionId
        self.links: dict[str, str] = {}  # link qrId → payload
        self.link_current: dict[str, int] = {}  # link qrId → its latest activation
        self._numbers = itertools.count(1)

    def _now(self) -> datetime:
        return self.center._clock()  # type: ignore[no-any-return]

    def _new_id(self, prefix: str) -> str:
        """32 characters, like an НСПК qrcId."""
        return f"{prefix}{uuid.uuid4().hex.upper()[:22]}{next(self._numbers):08d}"

    # --- methods ------------------------------------------------------------------------
    def create(self, body: dict[str, Any], raw: bytes, *, link: bool = False) -> dict[str, Any]:
        center = self.center
        tx_id, error = center._basic(body)
        if error is not None or tx_id is None:
            return error or _answer(202)
        lifetime = body.get("lifetime")
        if ("amountTo" not in body or "amountFrom" not in body or isinstance(lifetime, bool)
                or not isinstance(lifetime, int) or not 1 <= lifetime <= 86400):
            return _answer(202, agentTransactionId=tx_id)
        known = self.codes.get(tx_id)
        if known is not None:
            return known.answer if known.body == body else _answer(215, agentTransactionId=tx_id)
        link_id = body.get("qrId") if link else None
        if link and link_id not in self.links:
            return _answer(202, agentTransactionId=tx_id) | {
                "resultMessage": "Кассовая ссылка не зарегистрирована"}
        if link_id is not None:
            busy = self.codes.get(self.link_current.get(link_id, 0))
            if busy is not None and self._refresh(busy).status == "CREATED":
                return _answer(300, agentTransactionId=tx_id) | {
                    "resultMessage": "Кассовая ссылка уже активирована другим платежом"}
        service = center._services.get(body["serviceId"])
        if service is None:
            return _answer(130, agentTransactionId=tx_id)
        transaction = center._transaction_for(tx_id, body)
        if transaction is None or transaction.pay_state != "none":
            return _answer(215, agentTransactionId=tx_id)
        pay_part = _pay_part(body)
        code = account_problem(service, pay_part) or pay_problem(
            center.provider(service["serviceId"]), service, pay_part)
        if code is not None:
            return _answer(code, agentTransactionId=tx_id)
        expires = self._now() + timedelta(seconds=lifetime)
        if link_id is not None:
            qr_id, payload = link_id, self.links[link_id]
            self.link_current[link_id] = tx_id
        else:
            qr_id = self._new_id("AD")
            payload = nspk_payload(qr_id, Decimal(body["amountFrom"]))
            self.by_qr[qr_id] = tx_id
        answer = _answer(0, agentTransactionId=tx_id, transactionId=transaction.transaction_id,
                         qrId=qr_id, payload=payload, expiresAt=_iso_ms(expires))
        self.codes[tx_id] = QrCode(qr_id, tx_id, body, payload, expires, answer, link=link)
        return answer

    def activate(self, body: dict[str, Any], raw: bytes) -> dict[str, Any]:
        return self.create(body, raw, link=True)

    def register_link(self, body: dict[str, Any], raw: bytes = b"") -> dict[str, Any]:
        qr_id = self._new_id("BS")
        self.links[qr_id] = nspk_payload(qr_id, None, static=True)
        return _answer(0, qrId=qr_id, payload=self.links[qr_id])

    def find(self, qr_id: object, tx_id: object) -> QrCode | None:
        if isinstance(tx_id, int) and not isinstance(tx_id, bool) and tx_id in self.codes:
            code = self.codes[tx_id]
            return code if qr_id in (None, code.qr_id) else None
        if not isinstance(qr_id, str):
            return None
        number = self.by_qr.get(qr_id) or self.link_current.get(qr_id)
        return self.codes.get(number) if number else None

    def status(self, body: dict[str, Any], raw: bytes = b"") -> dict[str, Any]:
        if body.get("qrId") is None and body.get("agentTransactionId") is None:
            return _answer(202)
        code = self.find(body.get("qrId"), body.get("agentTransactionId"))
        if code is None:
            return _answer(0, status="NOT_FOUND",
                           agentTransactionId=body.get("agentTransactionId"))
        self._refresh(code)
        answer = _answer(0, qrId=code.qr_id, agentTransactionId=code.agent_transaction_id,
                         status=code.status)
        if code.status == "PAID":
            transaction = self.center._transactions[code.agent_transaction_id]
            answer |= {"transactionId": transaction.transaction_id,
                       "paidAt": _iso_ms(code.paid_at or self._now())}
        if code.reason:
            answer["reason"] = code.reason
        return answer

    def deactivate(self, body: dict[str, Any], raw: bytes = b"") -> dict[str, Any]:
        code = self.find(body.get("qrId"), body.get("agentTransactionId"))
        if code is None or not code.link:
            return _answer(0, status="NOT_FOUND")
        if self._refresh(code).status == "CREATED":
            code.status = "EXPIRED"
            code.reason = "деактивирована кассой"
        return _answer(0, qrId=code.qr_id, agentTransactionId=code.agent_transaction_id,
                       status=code.status)

    def _refresh(self, code: QrCode) -> QrCode:
        if code.status == "CREATED" and self._now() >= code.expires_at:
            code.status = "EXPIRED"
        return code

    # --- the person's bank ----------------------------------------------------------------
    def pay(self, qr_id: object = None, tx_id: object = None) -> dict[str, Any]:
        """The person's bank app pays the code: the payment goes through (balance debited
        once); an expired, rejected or unknown code refuses."""
        code = self.find(qr_id, tx_id)
        if code is None:
            return {"ok": False, "error": "QR-код не найден"}
        if self._refresh(code).status != "CREATED":
            return {"ok": code.status == "PAID", "status": code.status,
                    "error": "" if code.status == "PAID" else f"QR-код: {code.status}"}
        transaction = self.center._transactions[code.agent_transaction_id]
        pay_part = _pay_part(code.body)
        if self.center.balance - Decimal(pay_part["amountTo"]) < self.center.overdraft:
            return self.reject(code.qr_id, code.agent_transaction_id,
                               "Недостаточно средств у агента")
        answer = self.center._settle(transaction, pay_part, 0)
        code.status, code.paid_at = "PAID", self._now()
        return {"ok": True, "status": "PAID", "transactionId": answer["transactionId"]}

    def reject(self, qr_id: object = None, tx_id: object = None,
               reason: str = "Банк клиента отклонил операцию") -> dict[str, Any]:
        code = self.find(qr_id, tx_id)
        if code is None or self._refresh(code).status != "CREATED":
            return {"ok": False, "error": "QR-код не ожидает оплаты"}
        code.status, code.reason = "REJECTED", reason
        return {"ok": True, "status": "REJECTED"}

    def expire(self, qr_id: object = None, tx_id: object = None) -> dict[str, Any]:
        code = self.find(qr_id, tx_id)
        if code is None:
            return {"ok": False, "error": "QR-код не найден"}
        code.expires_at = min(code.expires_at, self._now())
        return {"ok": True, "status": self._refresh(code).status}

    def public(self) -> list[dict[str, Any]]:
        return [self._refresh(code).public() for code in self.codes.values()]
