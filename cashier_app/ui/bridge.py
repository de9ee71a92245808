"""The one place the core's events become Qt signals.

Widgets connect to :class:`EngineBridge`'s typed signals instead of hanging callbacks on the
engine: a signal is delivered on the Qt thread after the engine's step (the hub queues it),
a closed window's connections go with it, and nothing in the core knows a widget exists.

Several payments can change in one burst (recovery at start, the scheduler's pass, a
supervisor's action): lists that only need to be redrawn listen to :attr:`refresh`, which a
single-shot timer coalesces into one signal per :data:`COALESCE_MS`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from cashier_app.engine import PaymentChanged, RequestAnswered
from cashier_app.engine.events import RecoveryFailed
from cashier_app.events import EventHub, Subscription
from cashier_app.receipts.service import ReceiptPrinted

COALESCE_MS = 100


class EngineBridge(QObject):
    payment_changed = Signal(object)  # PaymentRecord, as the journal now has it
    request_answered = Signal(object)  # engine.attempts.Sent
    receipt_printed = Signal(object)  # receipts.service.PrintOutcome
    refresh = Signal()  # something changed: redraw lists and counts (coalesced)
    recovery_failed = Signal(str)  # the start-up recovery stopped short: why, in Russian

    def __init__(self, *hubs: EventHub, parent: QObject | None = None) -> None:
        """Listen on ``hubs`` — one, as the program wires it (the engine and the receipts
        share it); a test may hand the engine's and the receipts' own."""
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self.refresh)
        self._subscriptions: list[Subscription] = []
        for hub in dict.fromkeys(hubs):  # each distinct hub once
            self._subscriptions += [hub.subscribe(PaymentChanged, self._payment),
                                    hub.subscribe(RequestAnswered, self._request),
                                    hub.subscribe(ReceiptPrinted, self._receipt),
                                    hub.subscribe(RecoveryFailed, self._recovery)]

    @property
    def refresh_due(self) -> bool:
        """A coalesced ``refresh`` is on its way (tests wait for it before a screenshot)."""
        return self._timer.isActive()

    def close(self) -> None:
        """Stop listening (the window is going away)."""
        for subscription in self._subscriptions:
            subscription.cancel()
        self._timer.stop()

    def _payment(self, event: PaymentChanged) -> None:
        self.payment_changed.emit(event.record)
        self._timer.start()

    def _request(self, event: RequestAnswered) -> None:
        self.request_answered.emit(event.sent)

    def _recovery(self, event: RecoveryFailed) -> None:
        self.recovery_failed.emit(event.message)

    def _receipt(self, event: ReceiptPrinted) -> None:
        self.receipt_printed.emit(event.outcome)
        self._timer.start()
