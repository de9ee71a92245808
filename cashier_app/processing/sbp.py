"""QR СБП and the cash-register link: the one adapter for the seed-000 methods.

Seed 000 names ``/qr-code/create``, ``/qr-code/checkstatus`` and the cash-register link methods
but not their fields. The shapes here are ours (``../shared/docs/protocol.md``, README
«Решения по протоколу»), modelled on public СБП APIs; every path, top-level field name and
status word is a setting (:class:`SbpProtocol`), so the real names can be dropped in when the
full protocol arrives without touching the engine.

* ``create`` — the pay body of seed 003 (serviceId, account, extras, extraServices, amountTo,
  amountFrom, agentTransactionId, agentTransactionDate) plus ``lifetime`` in seconds; answer:
  ``qrId``, ``payload`` (``https://qr.nspk.ru/…``), ``expiresAt``.
* ``status`` — ``qrId`` and ``agentTransactionId`` (either is enough); answer: ``status``
  CREATED | PAID | EXPIRED | REJECTED (NOT_FOUND: no code for that id), ``transactionId`` and
  ``paidAt`` once paid.
* cash-register link: ``register`` once per cash desk (``qrId``, ``payload`` of the reusable
  code), ``activate`` with the create body plus the link's ``qrId``, ``deactivate`` with
  ``qrId`` and ``agentTransactionId``. A deactivated, unpaid activation reports EXPIRED.

Like check and pay, a request is repeated with the same bytes and the same agentTransactionId;
the center answers a repeat with its earlier result.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cashier_app.core.answer_fields import optional_id, optional_text, parse_iso_date, result_of
from cashier_app.core.answers import Answer
from cashier_app.core.wire import decode_body, encode_body

from .client import ProcessingClient, parse_answer
from .requests import ExtraService, pay_body

MODES = ("qr", "cash_link")


class QrStatus(enum.StrEnum):
    CREATED = "CREATED"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"
    NOT_FOUND = "NOT_FOUND"


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    """``["ours=theirs", …]`` → ``{ours: theirs}``; ValueError naming the bad item."""
    pairs: dict[str, str] = {}
    for item in items:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise ValueError(f"{what}: «{item}» — нужно «наше=их»")
        pairs[ours.strip()] = theirs.strip()
    return pairs


@dataclass(frozen=True)
class SbpProtocol:
    """Where the methods are and what the fields are called (settings ``sbp.*``). A path
    without a leading ``/`` is under ``/api/v20/``, like the v20 methods."""

    create: str = "qr-code/create"
    status: str = "qr-code/checkstatus"
    link_register: str = "cash-link/register"
    link_activate: str = "cash-link/activate"
    link_deactivate: str = "cash-link/deactivate"
    field_names: Mapping[str, str] = field(default_factory=dict)  # ours → theirs
    status_names: Mapping[str, str] = field(default_factory=dict)  # ours → theirs

    @classmethod
    def from_lists(cls, *, field_names: Sequence[str] = (), status_names: Sequence[str] = (),
                   **paths: str) -> SbpProtocol:
        statuses = _pairs(status_names, "sbp.status_names")
        unknown = set(statuses) - {s.value for s in QrStatus}
        if unknown:
            raise ValueError(f"sbp.status_names: неизвестный статус {sorted(unknown)[0]}; "
                             f"известны {', '.join(s.value for s in QrStatus)}")
        return cls(**paths, field_names=_pairs(field_names, "sbp.field_names"),
                   status_names=statuses)

    def outgoing(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return {self.field_names.get(key, key): value for key, value in body.items()}

    def incoming(self, data: Mapping[str, Any]) -> dict[str, Any]:
        theirs = {value: key for key, value in self.field_names.items()}
        return {theirs.get(key, key): value for key, value in data.items()}

    def status_of(self, word: object) -> QrStatus | None:
        if not isinstance(word, str):
            return None
        theirs = {value: key for key, value in self.status_names.items()}
        try:
            return QrStatus(theirs.get(word, word).upper())
        except ValueError:
            return None


@dataclass(frozen=True)
class QrAnswer(Answer):
    """Any answer of the adapter's methods: the fields each one may carry."""

    qr_id: str | None = None
    payload: str | None = None
    expires_at: datetime | None = None
    status: QrStatus | None = None
    status_word: str | None = None  # as the server said it (for the log and the cashier)
    transaction_id: int | None = None
    paid_at: datetime | None = None
    agent_transaction_id: int | None = None  # when the answer names the payment
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    problems: tuple[str, ...] = ()

    def foreign_problem(self, agent_transaction_id: int, qr_id: str | None) -> str | None:
        """Why this answer is not about our code (another payment's id, another code's
        qrId); None when it is, or when it does not say. Such an answer is no answer: a
        «PAID» about somebody else's code must not settle ours."""
        if self.agent_transaction_id is not None and (
                self.agent_transaction_id != agent_transaction_id):
            return (f"ответ о другом платеже: agentTransactionId {self.agent_transaction_id} "
                    f"вместо {agent_transaction_id}")
        if qr_id and self.qr_id and self.qr_id != qr_id:
            return f"ответ о другом QR-коде: qrId {self.qr_id} вместо {qr_id}"
        return None

    @classmethod
    def parse(cls, data: Any, protocol: SbpProtocol) -> QrAnswer:
        code, message = result_of(data)
        fields = protocol.incoming(data)
        problems: list[str] = []
        status_word = optional_text(fields.get("status"))
        status = protocol.status_of(status_word)
        if status_word is not None and status is None:
            problems.append(f"неизвестный статус {status_word!r}")
        return cls(
            result=code, result_message=message,
            qr_id=optional_text(fields.get("qrId")), payload=optional_text(fields.get("payload")),
            expires_at=parse_iso_date(fields.get("expiresAt")),
            status=status, status_word=status_word,
            transaction_id=optional_id(fields.get("transactionId"), "transactionId", problems),
            paid_at=parse_iso_date(fields.get("paidAt")),
            agent_transaction_id=optional_id(fields.get("agentTransactionId"),
                                          "agentTransactionId", problems),
            raw=dict(data), problems=tuple(problems))


def qr_request(*, service_id: str, account: str, agent_transaction_id: int,
               agent_transaction_date: str, amount_to: Decimal, amount_from: Decimal,
               lifetime: int, extras: Mapping[str, str] | None = None,
               extra_services: Sequence[ExtraService] | None = None,
               identity_card: str | None = None, full_name: str | None = None,
               qr_id: str | None = None) -> dict[str, Any]:
    """The body of ``create`` (or, with the link's ``qr_id``, of ``activate``) in our names:
    seed 003's pay body, the code's lifetime in seconds."""
    if not 1 <= lifetime <= 86400:
        raise ValueError("lifetime is 1..86400 seconds")
    body = decode_body(pay_body(
        service_id=service_id, account=account, agent_transaction_id=agent_transaction_id,
        agent_transaction_date=agent_transaction_date, amount_to=amount_to,
        amount_from=amount_from, extras=extras, extra_services=extra_services,
        identity_card=identity_card, full_name=full_name))
    if qr_id is not None:
        body = {"qrId": qr_id, **body}
    body["lifetime"] = lifetime
    return dict(body)


class SbpClient:
    """The adapter: encodes our bodies in the center's names and reads its answers back.

    ``mode`` is ``qr`` (a new code per payment) or ``cash_link`` (the desk's reusable code,
    activated with each payment's amount); ``lifetime`` is how long a code may be paid, in
    seconds; ``poll_interval`` how often the status is asked while it can still be paid."""

    def __init__(self, client: ProcessingClient, protocol: SbpProtocol | None = None, *,
                 mode: str = "qr", lifetime: int = 300, poll_interval: float = 2.0) -> None:
        if mode not in MODES:
            raise ValueError(f"sbp mode is one of {MODES}")
        self.client = client
        self.protocol = protocol or SbpProtocol()
        self.mode = mode
        self.lifetime = lifetime
        self.poll_interval = poll_interval

    def path(self, kind: str) -> str:
        return str(getattr(self.protocol, {"create": "create", "status": "status",
                                           "register": "link_register",
                                           "activate": "link_activate",
                                           "deactivate": "link_deactivate"}[kind]))

    def encode(self, body: Mapping[str, Any]) -> bytes:
        return encode_body(self.protocol.outgoing(body))

    def status_body(self, qr_id: str | None, agent_transaction_id: int) -> bytes:
        body: dict[str, Any] = {"agentTransactionId": agent_transaction_id}
        if qr_id:
            body = {"qrId": qr_id, **body}
        return self.encode(body)

    async def send(self, kind: str, body: bytes) -> QrAnswer:
        """POST ``body`` to the method ``kind`` (create, status, register, activate,
        deactivate). TransportError/AuthError as for any processing call; an answer without
        a result code is no answer."""
        path = self.path(kind)
        data = await self.client.post(path, body)
        return parse_answer(path, data, lambda answer: QrAnswer.parse(answer, self.protocol))
