"""What the payment engine tells whoever listens (through :class:`cashier_app.events.EventHub`):
a payment as it now is in the journal, and each request as it came back. Listeners only look;
they run after the engine's step (see the hub), never inside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cashier_app.journal import PaymentRecord

from .attempts import Sent


@dataclass(frozen=True)
class PaymentChanged:
    """A payment was written: ``record`` is it as the journal now has it."""

    record: PaymentRecord


@dataclass(frozen=True)
class RequestAnswered:
    """A request to the processing center came back — with an answer or without one
    (``sent.answer`` None: no connection, a timeout, an answer not about this payment)."""

    sent: Sent[Any]


@dataclass(frozen=True)
class RecoveryFailed:
    """The start-up recovery stopped short (the journal unreadable, a bug): the payments it
    did not reach are retried by the scheduler; ``message`` is Russian, for the cashier."""

    message: str
