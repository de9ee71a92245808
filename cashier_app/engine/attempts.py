"""One request to the processing center, timed, and what became of it — the shape of a row of
the journal's ``attempts`` table. Shared by pay/check (:mod:`cashier_app.engine`) and the QR
methods (:mod:`cashier_app.engine_qr`): *no answer* is a value here, never an exception."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from cashier_app.core.answers import Answer
from cashier_app.core.wire import encode_body
from cashier_app.journal import Attempt
from cashier_app.processing.errors import AuthError, TransportError

A = TypeVar("A", bound=Answer)


@dataclass(frozen=True)
class Sent(Generic[A]):
    answer: A | None  # None: no usable answer (see ``outcome`` and ``message``)
    outcome: str  # answer | auth | transport | foreign (an answer not about this payment)
    message: str
    started: datetime
    duration_ms: int
    body: bytes = b""  # the request as sent
    disbelieved_raw: Mapping[str, Any] | None = None  # a foreign answer, kept for the record

    def disbelieved(self, problem: str) -> Sent[A]:
        """The same request with its answer set aside: it is not about this payment (another
        agentTransactionId, a success without transactionId…), so it counts as no answer."""
        raw = getattr(self.answer, "raw", None)
        return replace(self, answer=None, outcome="foreign", message=problem,
                       disbelieved_raw=raw)

    @property
    def result(self) -> int | None:
        return self.answer.result if self.answer is not None else None

    def attempt(self, agent_transaction_id: int, method: str,
                message: str | None = None) -> Attempt:
        return Attempt(agent_transaction_id, method, self.started.isoformat(
            timespec="milliseconds"), self.duration_ms, self.outcome, self.result,
            self.message if message is None else message,
            request=self.body.decode("utf-8", "replace") if self.body else None,
            answer=answer_text(getattr(self.answer, "raw", self.disbelieved_raw)))


#: How much of an answer an attempt keeps: check/pay/QR answers are a few hundred bytes; a
#: hostile or broken center may send megabytes, which the journal must not store per attempt.
ANSWER_KEPT = 65536


def answer_text(raw: object) -> str | None:
    """The decoded answer back as JSON text, its numbers exactly as they came (cut at
    :data:`ANSWER_KEPT` characters, marked so)."""
    if not isinstance(raw, Mapping) or not raw:
        return None
    try:
        text = encode_body(dict(raw), strict_amounts=False).decode("utf-8")
    except (TypeError, ValueError):
        text = repr(raw)
    if len(text) > ANSWER_KEPT:
        return f"{text[:ANSWER_KEPT]}… (обрезано: {len(text)} символов)"
    return text


async def send_timed(request: Awaitable[A], clock: Callable[[], datetime],
                     body: bytes = b"") -> Sent[A]:
    """Await ``request`` (which sends ``body``); a transport or authorization failure becomes
    an outcome."""
    started = clock()
    began = time.monotonic()
    answer: A | None = None
    try:
        answer = await request
        outcome, message = "answer", answer.result_message
    except AuthError as error:
        outcome, message = "auth", str(error)
    except TransportError as error:
        outcome, message = "transport", str(error)
    return Sent(answer, outcome, message, started, int((time.monotonic() - began) * 1000),
                body)


def service_attempt(tx_id: int, method: str, started: datetime, began: float, *,
                    body: bytes | None = None, error: Exception | None = None,
                    refused: bool = False, raw: object = None) -> Attempt:
    """One request to another service (the wallet's, the card gateway's) as an attempt row:
    the body as sent, the answer as received — never a header, so never a token. ``error``:
    the client's error (its ``status`` and ``answer_text`` kept when it has them);
    ``refused``: it was a final refusal, not a lost answer. ``began``: ``time.monotonic()``
    when it was sent."""
    duration = int((time.monotonic() - began) * 1000)
    request = body.decode("utf-8", "replace") if body else None
    at = started.isoformat(timespec="milliseconds")
    if error is None:
        return Attempt(tx_id, method, at, duration, "answer", None, "", request=request,
                       answer=answer_text(raw))
    return Attempt(tx_id, method, at, duration, "refused" if refused else "transport",
                   getattr(error, "status", None), str(error), request=request,
                   answer=getattr(error, "answer_text", None) or None)
