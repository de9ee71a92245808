"""The asyncio loop on the Qt thread: qasync's, with one fix.

qasync's ``run_until_complete`` stops the loop, clears asyncio's *running loop*, and then
processes Qt events once more. A task step that runs in that last pass — an HTTP request of a
background payment attempt, say — finds no running loop and fails inside httpcore/anyio
(«no running event loop»). The program calls ``run_until_complete`` at start-up and shutdown,
the tests call it all the time; this loop leaves the last pass out: whatever is still due runs
the next time the loop runs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import qasync

T = TypeVar("T")


class CashierEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    def run_until_complete(self, future: Awaitable[T]) -> T:
        if self.is_running():
            raise RuntimeError("Event loop already running")
        task = asyncio.ensure_future(future, loop=self)

        def stop(_: object) -> None:
            self.stop()

        task.add_done_callback(stop)
        try:
            self.run_forever()
        finally:
            task.remove_done_callback(stop)
        if not task.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return task.result()
