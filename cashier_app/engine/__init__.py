"""Payments from check to their end: the engine (:mod:`.payments`), one module per way of
paying (:mod:`.methods` — cash, QR СБП), when to act (:mod:`.scheduler`), what it tells
listeners (:mod:`.events`), the timed request (:mod:`.attempts`), crash points for tests
(:mod:`cashier_app.util.failpoints`) and the service catalog with its disk cache
(:mod:`.catalog`)."""

from cashier_app.core.states import UNSETTLED

from .events import PaymentChanged, RequestAnswered
from .payments import PaymentEngine, PaymentInput, PayPlan
from .scheduler import Scheduler

__all__ = ["UNSETTLED", "PayPlan", "PaymentChanged", "PaymentEngine", "PaymentInput",
           "RequestAnswered", "Scheduler"]
