"""The core tells whoever listens what happened — a payment changed, a request came back —
without knowing who listens, and without running a listener inside its own work.

* ``subscribe(EventType, handler)`` returns a :class:`Subscription`; ``cancel()`` removes it.
  A bound method is held weakly: a window that is closed and collected stops listening even if
  it forgot to cancel, and never keeps the core's objects alive (or the other way round).
* ``publish(event)`` queues the delivery on the running event loop (``call_soon``): a handler
  that redraws widgets, or raises, runs after the engine's coroutine has reached its next
  await, never in the middle of a journal write. With no loop running (a command's
  synchronous part, a unit test) it delivers at once.
* A failing handler is logged and the others still run: an observer must never break a
  payment.

Event types live with their publishers (``engine.events``). No Qt here: the window's
:mod:`cashier_app.ui.bridge` turns events into Qt signals.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")
Handler = Callable[[Any], None]


@dataclass(eq=False)
class Subscription:
    """One handler for one event type; ``cancel()`` is idempotent."""

    hub: EventHub
    kind: type
    _target: Callable[[], Handler | None] = field(repr=False)

    @property
    def active(self) -> bool:
        return self in self.hub._subscriptions.get(self.kind, [])

    def handler(self) -> Handler | None:
        return self._target()

    def cancel(self) -> None:
        subscriptions = self.hub._subscriptions.get(self.kind, [])
        if self in subscriptions:
            subscriptions.remove(self)


class EventHub:
    def __init__(self) -> None:
        self._subscriptions: dict[type, list[Subscription]] = {}

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Subscription:
        target: Callable[[], Handler | None]
        if hasattr(handler, "__self__") and hasattr(handler, "__func__"):
            target = weakref.WeakMethod(handler)
        else:
            target = (lambda: handler)  # noqa: E731 - a plain function is held strongly
        subscription = Subscription(self, kind, target)
        self._subscriptions.setdefault(kind, []).append(subscription)
        return subscription

    def publish(self, event: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._deliver(event)
        else:
            loop.call_soon(self._deliver, event)

    def _deliver(self, event: object) -> None:
        for kind in type(event).__mro__:
            for subscription in list(self._subscriptions.get(kind, ())):
                handler = subscription.handler()
                if handler is None:  # its owner was collected
                    subscription.cancel()
                    continue
                try:
                    handler(event)
                except Exception:
                    log.exception("event handler for %s failed", type(event).__name__)

    def listening(self, kind: type) -> int:
        """How many live handlers ``kind`` has (tests: nothing left behind by a window)."""
        return sum(1 for s in self._subscriptions.get(kind, ()) if s.handler() is not None)
