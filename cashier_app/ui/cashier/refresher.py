"""The catalog and the agent's balance, kept fresh in the background for the cashier's window.

At start the catalog saved on disk is shown at once, then the center's catalog and balance
are fetched; both again every ``catalog.refresh_minutes`` (never touching what the cashier
is typing) and on F5. After a payment is paid the balance is asked again — but not more often
than :data:`BALANCE_GAP_SECONDS`: a busy desk pays every few seconds, and each balance is a
request and a row in ``balance_log``. Every request's outcome is reported, so the status
bar's connection field follows it. Work runs as asyncio tasks; the window never waits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from cashier_app.bootstrap import Point
from cashier_app.core.answers import AgentBalance
from cashier_app.engine.catalog import Catalog, CatalogError
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ProcessingError

from .statusbar import outcome_of

log = logging.getLogger(__name__)
BALANCE_GAP_SECONDS = 5.0


class DeskRefresher(QObject):
    catalog_loaded = Signal(object)  # Catalog: from disk first, then from the center
    catalog_missing = Signal()  # the center gave none, and none is shown
    balance_fetched = Signal(object)  # AgentBalance the center gave (ok)
    balance_failed = Signal(str)  # why the balance is not fresh (the last one stays)
    request_done = Signal(str, str)  # a request came back: outcome, message

    def __init__(self, point: Point, *, refresh_minutes: float,
                 shown: Callable[[], Catalog | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = point.catalog
        self._client_factory = point.new_client
        self._shown = shown  # the catalog on screen, if any
        self.refresh_seconds = refresh_minutes * 60
        #: the least time between two balance requests that follow payments
        self.gap = BALANCE_GAP_SECONDS
        self._stop = asyncio.Event()
        self.tasks: set[asyncio.Future[None]] = set()
        self._balance_asked = float("-inf")  # time.monotonic() of the last balance request
        self._balance_due: asyncio.Future[None] | None = None

    def _keep(self, task: asyncio.Future[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def start(self) -> None:
        """Load now and every ``refresh_minutes`` after; returns at once."""
        self._keep(asyncio.ensure_future(self.refresh()))
        self._keep(asyncio.ensure_future(self._periodically()))

    def start_refresh(self) -> None:
        self._keep(asyncio.ensure_future(self.refresh()))

    def stop(self) -> None:
        self._stop.set()

    async def refresh(self) -> None:
        cached = self._store.load()  # from disk, no network: shown at once
        if cached is not None and self._shown() is None:
            self.catalog_loaded.emit(cached)
        async with self._client_factory() as client:
            await asyncio.gather(self._load_catalog(client), self._load_balance(client))

    async def _periodically(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self.refresh_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self.refresh()
            except Exception:
                log.exception("background refresh failed")

    async def _load_catalog(self, client: ProcessingClient) -> None:
        try:
            catalog = await self._store.refresh(client)
        except (ProcessingError, CatalogError) as error:
            log.warning("catalog refresh failed: %s", error)
            self.request_done.emit(outcome_of(error), str(error))
            if self._shown() is None:
                self.catalog_missing.emit()
            return
        self.request_done.emit("answer", "")
        self.catalog_loaded.emit(catalog)

    async def refresh_balance(self) -> None:
        async with self._client_factory() as client:
            await self._load_balance(client)

    async def _load_balance(self, client: ProcessingClient) -> None:
        self._balance_asked = time.monotonic()
        try:
            answer = await client.balance()
        except ProcessingError as error:
            log.warning("balance failed: %s", error)
            self.request_done.emit(outcome_of(error), str(error))
            self.balance_failed.emit(str(error))
            return
        self.request_done.emit("answer", "")
        if not answer.ok:
            self.balance_failed.emit(answer.cashier_message)
            return
        self.balance_fetched.emit(answer)

    async def fetch_balance(self) -> AgentBalance:
        """The balance for the supervisor's view (ProcessingError when there is no answer);
        the window hears it like any other."""
        async with self._client_factory() as client:
            try:
                answer = await client.balance()
            except ProcessingError as error:
                self.request_done.emit(outcome_of(error), str(error))
                raise
        self.request_done.emit("answer", "")
        if answer.ok:
            self.balance_fetched.emit(answer)
        return answer

    def after_payment(self) -> None:
        """A payment was paid: the balance moved. Asked again now — or, when it was asked
        less than :attr:`gap` seconds ago, once that long after (every payment paid
        meanwhile is in that one answer)."""
        if self._balance_due is not None or self._stop.is_set():
            return
        now = time.monotonic()
        delay = max(0.0, self._balance_asked + self.gap - now)
        self._balance_due = asyncio.ensure_future(self._balance_later(delay, now))
        self._keep(self._balance_due)

    async def _balance_later(self, delay: float, paid_at: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
            return  # the window is closing
        except TimeoutError:
            pass
        finally:
            self._balance_due = None  # a payment paid from now on needs a newer answer
        if self._balance_asked >= paid_at:
            return  # a balance asked since then (F5, the periodic refresh) has it already
        await self.refresh_balance()
