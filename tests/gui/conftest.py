from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from cashier_app.ui.event_loop import CashierEventLoop
from cashier_app.ui.launch import load_style


@pytest.fixture(scope="package")
def session_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """One asyncio loop on the Qt thread for all the GUI tests, as in the program; closed
    when they are done (the tests after them run their own loops, ``asyncio.run``).

    Not one per test: a closed qasync loop leaves QObjects (timers, notifiers) in reference
    cycles, and the garbage collector could then destroy them in the middle of a later test's
    Qt event dispatch — a rare segfault seen in full runs."""
    event_loop = CashierEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    _drain(event_loop)
    event_loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def loop(session_loop: qasync.QEventLoop, qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """The session loop; tests drive it with ``loop.run_until_complete`` (qasync runs tasks
    only while its loop runs). After each test: leftover tasks cancelled, garbage collected
    at this safe point rather than inside some later Qt callback."""
    load_style(qapp)
    asyncio.set_event_loop(session_loop)  # whatever ran before left none, or its own
    yield session_loop
    _drain(session_loop)
    gc.collect()


def _drain(event_loop: qasync.QEventLoop) -> None:
    leftovers = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
    if not leftovers:
        return
    for task in leftovers:
        task.cancel()
    event_loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
