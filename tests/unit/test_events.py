"""The event hub: delivery after the publisher's step, weak bound-method handlers, removable
subscriptions, a failing handler that breaks nothing."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass

from cashier_app.events import EventHub


@dataclass(frozen=True)
class Changed:
    value: int


@dataclass(frozen=True)
class Special(Changed):
    pass


class Window:
    def __init__(self, hub: EventHub) -> None:
        self.seen: list[int] = []
        self.subscription = hub.subscribe(Changed, self.on_changed)

    def on_changed(self, event: Changed) -> None:
        self.seen.append(event.value)


def test_inside_a_loop_delivery_waits_for_the_publishers_next_step() -> None:
    hub = EventHub()
    seen: list[int] = []
    hub.subscribe(Changed, lambda event: seen.append(event.value))

    async def publisher() -> list[int]:
        hub.publish(Changed(1))
        during = list(seen)  # the handler has not run inside the publisher's step
        await asyncio.sleep(0)
        return during

    assert asyncio.run(publisher()) == []
    assert seen == [1]


def test_without_a_loop_delivery_is_immediate_and_subclasses_reach_base_handlers() -> None:
    hub = EventHub()
    seen: list[object] = []
    hub.subscribe(Changed, seen.append)
    hub.publish(Special(2))
    assert seen == [Special(2)]


def test_a_collected_window_stops_listening_and_cancel_removes() -> None:
    hub = EventHub()
    window = Window(hub)
    hub.publish(Changed(1))
    assert window.seen == [1] and hub.listening(Changed) == 1
    del window
    gc.collect()
    assert hub.listening(Changed) == 0
    hub.publish(Changed(2))  # nothing to call, nothing raised
    other = Window(hub)
    other.subscription.cancel()
    other.subscription.cancel()  # twice is fine
    hub.publish(Changed(3))
    assert other.seen == [] and not other.subscription.active


def test_a_failing_handler_does_not_stop_the_others(caplog) -> None:  # type: ignore[no-untyped-def]
    hub = EventHub()
    seen: list[int] = []

    def broken(event: Changed) -> None:
        raise RuntimeError("boom")

    hub.subscribe(Changed, broken)
    hub.subscribe(Changed, lambda event: seen.append(event.value))
    hub.publish(Changed(5))
    assert seen == [5]
    assert "event handler for Changed failed" in caplog.text
