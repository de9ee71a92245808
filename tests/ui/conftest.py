from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from cashier_app.ui.launch import load_style


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """An asyncio loop on the Qt thread, as in the program. Tests drive it with
    ``loop.run_until_complete`` (qasync runs tasks only while its loop runs)."""
    load_style(qapp)
    event_loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        leftovers = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
        for task in leftovers:
            task.cancel()
        event_loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        event_loop.close()
        asyncio.set_event_loop(None)
