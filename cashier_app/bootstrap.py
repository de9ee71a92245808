"""The one composition root: settings → journal → clients → engine → scheduler → receipts, on
one event hub. The window, every command, the tests and the benchmarks build a point here;
nothing else wires these parts together.

A :class:`Point` is one cash desk as a running program sees it. Start-up recovery and the
background scheduler belong to it (:meth:`Point.start`), not to the window: a command that
pays, the window and a kiosk all resume the payments left «в обработке» the same way.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cashier_app import settings as cfg
from cashier_app.card_api.client import CardClient, CardPaths
from cashier_app.card_api.errors import CardError
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.engine import PaymentEngine
from cashier_app.engine.catalog import CatalogStore
from cashier_app.engine.events import RecoveryFailed
from cashier_app.engine.methods.card import CardSettings
from cashier_app.engine.methods.wallet import WalletTiming
from cashier_app.events import EventHub
from cashier_app.journal import IdAllocator, Journal, JournalError, JournalStorageError
from cashier_app.journal.ids import read_hwm
from cashier_app.journal.leases import InstanceLease
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.processing.sbp import SbpClient, SbpProtocol
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.settings.sections import printer_config, receipt_settings
from cashier_app.util.fsutil import make_private
from cashier_app.wallet_api.client import WalletClient

log = logging.getLogger(__name__)


def make_receipts(settings: cfg.Settings, journal: Journal, events: EventHub | None = None
                  ) -> ReceiptService:
    """Receipts for this point; ConfigError for a printer setting that cannot work."""
    return ReceiptService(journal, receipt_settings(settings), printer_config(settings),
                          auto_print=settings[cfg.PRINTER_AUTO], events=events)


def make_client(settings: cfg.Settings) -> ProcessingClient:
    """The processing client from the settings; ConfigError (never a traceback) for a URL
    the program must not use or a CA bundle that cannot be read."""
    settings.require_processing()
    verify: bool | ssl.SSLContext = settings[cfg.PROCESSING_VERIFY_TLS]
    bundle = settings[cfg.PROCESSING_CA_BUNDLE]
    if verify and bundle:
        path = Path(bundle).expanduser()
        try:
            verify = ssl.create_default_context(cafile=str(path))
        except FileNotFoundError:
            raise cfg.ConfigError(f"Настройки: processing.ca_bundle: файл сертификатов "
                                  f"{path} не найден") from None
        except (OSError, ValueError) as error:
            reason = ("нет прав на чтение" if isinstance(error, PermissionError)
                      else "это каталог" if isinstance(error, IsADirectoryError)
                      else "в нём нет сертификатов PEM" if isinstance(error, ssl.SSLError)
                      else str(error))
            raise cfg.ConfigError(f"Настройки: processing.ca_bundle: файл сертификатов "
                                  f"{path} не читается: {reason}") from None
    return ProcessingClient(
        settings[cfg.PROCESSING_URL],
        settings[cfg.PROCESSING_TOKEN],
        auth_scheme=settings[cfg.PROCESSING_AUTH_SCHEME],
        timeout=settings[cfg.PROCESSING_TIMEOUT],
        verify=verify,
        max_answer_bytes=settings[cfg.PROCESSING_MAX_ANSWER_BYTES],
    )


def retry_policy(settings: cfg.Settings) -> RetryPolicy:
    try:
        return RetryPolicy(settings[cfg.RETRY_INITIAL], settings[cfg.RETRY_FACTOR],
                           settings[cfg.RETRY_MAX])
    except ValueError as error:
        raise cfg.ConfigError(f"Настройки повторов processing.retry_*: {error}") from None


JOURNAL_NAME = "journal.sqlite3"
HWM_NAME = "agent-transaction-id.hwm"


def journal_for(settings: cfg.Settings, kind: str, *, fresh: bool = False) -> Journal:
    """The point's journal, opened by a program of ``kind`` (window, cli): the data directory
    made owner-only, this program's lease taken, the file checked (missing where ids were
    issued, damaged). ``fresh``: a new journal is wanted although ids were issued (``journal
    new``). Close with :func:`close_journal`."""
    data_dir = settings.data_dir
    try:
        make_private(data_dir)
        lease = InstanceLease(data_dir, kind)
    except OSError as error:
        raise JournalStorageError(f"Каталог данных {data_dir} недоступен: "
                                  f"{error.strerror or error}") from None
    try:
        return Journal(data_dir / JOURNAL_NAME, lease=lease,
                       ids_issued=0 if fresh else read_hwm(data_dir / HWM_NAME))
    except BaseException:
        lease.release()
        raise


def close_journal(journal: Journal) -> None:
    journal.close()
    if journal.lease is not None:
        journal.lease.release()


def make_acceptor(settings: cfg.Settings, port: str | None = None) -> CcnetAcceptor:
    """The bill validator of this point (``port`` given: that one); ConfigError when none
    is set."""
    port = port or settings[cfg.ACCEPTOR_PORT]
    if not port:
        raise cfg.ConfigError("Купюроприёмник не настроен: укажите acceptor.port "
                              "(например COM3 или /dev/ttyUSB0) или --port")
    return CcnetAcceptor(port, poll_interval=settings[cfg.ACCEPTOR_POLL_INTERVAL])


@contextmanager
def open_journal(settings: cfg.Settings, kind: str = "cli") -> Iterator[Journal]:
    journal = journal_for(settings, kind)
    try:
        yield journal
    finally:
        close_journal(journal)


def make_sbp(settings: cfg.Settings, client: ProcessingClient) -> SbpClient | None:
    """The QR СБП adapter when this desk takes QR payments; ConfigError for bad names."""
    if not settings[cfg.SBP_ENABLED]:
        return None
    field_names: list[str] = settings[cfg.SBP_FIELD_NAMES]
    status_names: list[str] = settings[cfg.SBP_STATUS_NAMES]
    try:
        protocol = SbpProtocol.from_lists(
            field_names=field_names, status_names=status_names,
            create=settings[cfg.SBP_CREATE_PATH], status=settings[cfg.SBP_STATUS_PATH],
            link_register=settings[cfg.SBP_LINK_REGISTER_PATH],
            link_activate=settings[cfg.SBP_LINK_ACTIVATE_PATH],
            link_deactivate=settings[cfg.SBP_LINK_DEACTIVATE_PATH])
    except ValueError as error:
        raise cfg.ConfigError(f"Настройки QR СБП: {error}") from None
    return SbpClient(client, protocol, mode=settings[cfg.SBP_MODE],
                     lifetime=settings[cfg.SBP_LIFETIME],
                     poll_interval=settings[cfg.SBP_POLL])


def make_wallet(settings: cfg.Settings) -> WalletClient | None:
    """The e-wallet client when this point works with wallets (``wallet.url`` set);
    ConfigError when the partner's credentials are missing."""
    url = settings[cfg.WALLET_URL]
    if not url:
        return None
    missing = [setting.key for setting in (cfg.WALLET_CLIENT_ID, cfg.WALLET_CLIENT_SECRET,
                                           cfg.WALLET_PARTNER_ID) if not settings[setting]]
    if missing:
        raise cfg.ConfigError("Для электронных кошельков задайте " + ", ".join(missing))
    return WalletClient(url, settings[cfg.WALLET_CLIENT_ID], settings[cfg.WALLET_CLIENT_SECRET],
                        settings[cfg.WALLET_PARTNER_ID], token_path=settings[cfg.WALLET_TOKEN_PATH],
                        timeout=settings[cfg.WALLET_TIMEOUT])


def make_card(settings: cfg.Settings) -> CardClient | None:
    """The card gateway's client when this point takes cards (``card.url`` set); ConfigError
    for a missing token, a path name that is not a method, a certificate that cannot be
    read."""
    url = settings[cfg.CARD_URL]
    if not url:
        return None
    if not settings[cfg.CARD_TOKEN]:
        raise cfg.ConfigError("Для оплаты картой задайте card.token")
    try:
        paths = CardPaths(**settings[cfg.CARD_PATHS])
    except TypeError:
        raise cfg.ConfigError("card.paths: неизвестное имя метода (допустимы: "
                              + ", ".join(CardPaths.__dataclass_fields__) + ")") from None
    try:
        return CardClient(url, settings[cfg.CARD_TOKEN], cert=settings[cfg.CARD_CERT] or None,
                          paths=paths, timeout=settings[cfg.PROCESSING_TIMEOUT])
    except CardError as error:
        raise cfg.ConfigError(f"card.cert: {error}") from None


def card_settings(settings: cfg.Settings) -> CardSettings:
    service_map: dict[str, str] = settings[cfg.CARD_SERVICE_MAP]
    return CardSettings(service_map=service_map,
                        lifetime=settings[cfg.CARD_LIFETIME],
                        poll_seconds=settings[cfg.CARD_POLL])


def wallet_timing(settings: cfg.Settings) -> WalletTiming:
    return WalletTiming(refill_minutes=settings[cfg.WALLET_REFILL_MINUTES],
                        reconcile_minutes=settings[cfg.WALLET_RECONCILE_MINUTES])


def make_engine(settings: cfg.Settings, journal: Journal, client: ProcessingClient, *,
                events: EventHub | None = None,
                clock: Callable[[], datetime] = datetime.now) -> PaymentEngine:
    ids = IdAllocator(settings.data_dir / HWM_NAME, settings[cfg.POINT_NUMBER],
                      floor=journal.max_id())
    engine = PaymentEngine(journal, client, retry_policy(settings), ids,
                           commission=settings.commission_rules,
                           sbp=make_sbp(settings, client), events=events, clock=clock)
    engine.use_wallet(make_wallet(settings), wallet_timing(settings))
    engine.use_card(make_card(settings), card_settings(settings))
    return engine


@dataclass
class Point:
    """One cash desk's parts, wired once (see :func:`point_for`)."""

    settings: cfg.Settings
    journal: Journal
    events: EventHub
    client: ProcessingClient  # the engine's: one connection pool for check, pay, QR
    engine: PaymentEngine
    catalog: CatalogStore
    receipts: ReceiptService | None = None
    #: why paper receipts are off although a printer is configured (shown to the cashier)
    printer_problem: str = ""
    _stop: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _started: bool = field(default=False, repr=False)
    _background: asyncio.Task[None] | None = field(default=None, repr=False)

    def new_client(self) -> ProcessingClient:
        """A client of its own for one piece of background work (catalog, balance)."""
        return make_client(self.settings)

    @property
    def running(self) -> bool:
        return self._background is not None and not self._background.done()

    async def start(self) -> None:
        """Resume the payments left «в обработке» (before any new work), then keep the
        background scheduler running until :meth:`stop`. Idempotent. Whatever goes wrong in
        the recovery is published as :class:`RecoveryFailed` — and the scheduler still
        starts: it retries those payments for the rest of the day."""
        if self._started:
            return
        self._started = True
        try:
            await self.engine.scheduler.recover(wait=0)
        except Exception as error:
            log.exception("start-up recovery failed")
            self.events.publish(RecoveryFailed(
                str(error) if isinstance(error, JournalError) else "внутренняя ошибка"))
        if not self._stop.is_set():
            self._background = asyncio.ensure_future(self.engine.scheduler.run(self._stop))

    async def stop(self, *, timeout: float = 5.0) -> None:
        """Stop the scheduler, letting an attempt in flight finish (its outcome is stored;
        an unfinished one stays «в обработке» for the next start)."""
        self._stop.set()
        task, self._background = self._background, None
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(task, timeout)
            except (TimeoutError, asyncio.CancelledError):
                pass

    @property
    def wallet(self) -> WalletClient | None:
        """The e-wallet client (the engine's), None where wallets are off."""
        return self.engine.wallet.client if self.engine.wallet is not None else None

    async def aclose(self) -> None:
        await self.stop()
        await self.client.aclose()
        if self.wallet is not None:
            await self.wallet.aclose()
        if self.engine.card is not None:
            await self.engine.card.client.aclose()
        self.close()

    def close(self) -> None:
        """The synchronous part of closing: the printer thread, the journal and the lease."""
        if self.receipts is not None:
            self.receipts.close()
        close_journal(self.journal)


def point_for(settings: cfg.Settings, kind: str, *, receipts: bool = False,
              lenient_printer: bool = False,
              clock: Callable[[], datetime] = datetime.now) -> Point:
    """Build the point for a program of ``kind`` (window, cli, kiosk). ``receipts``: with the
    receipt service; ``lenient_printer``: a printer setting that cannot work turns paper off
    (the window says why) instead of refusing to start. ConfigError, JournalError as they
    come — nothing is left open when they do."""
    journal = journal_for(settings, kind)
    client: ProcessingClient | None = None
    try:
        events = EventHub()
        client = make_client(settings)
        engine = make_engine(settings, journal, client, events=events, clock=clock)
        service, problem = None, ""
        if receipts:
            try:
                service = make_receipts(settings, journal, events)
            except cfg.ConfigError as error:
                if not lenient_printer:
                    raise
                problem = str(error)
                log.error("printer disabled: %s", error)
                service = ReceiptService(journal, receipt_settings(settings), PrinterConfig(),
                                         events=events)
        return Point(settings, journal, events, client, engine, CatalogStore(settings.data_dir),
                     service, problem)
    except BaseException:
        close_journal(journal)
        raise


@asynccontextmanager
async def open_point(settings: cfg.Settings, kind: str = "cli", *, receipts: bool = False
                     ) -> AsyncIterator[Point]:
    """A point for one command: closed (clients, journal, lease) whatever happens."""
    point = point_for(settings, kind, receipts=receipts)
    try:
        yield point
    finally:
        await point.aclose()


@contextmanager
def demo_environment(settings: cfg.Settings) -> Iterator[cfg.Settings]:
    """``--demo``: start the emulator in-process, point the program at it, use a throwaway
    data directory, the demo cashiers, a file as the printer, QR СБП on."""
    from cashier_app.emulator import EmulatorServer  # only demo mode needs these
    from cashier_app.emulator.card import CardGateway
    from cashier_app.emulator.demo import (
        DEMO_CARD_SERVICES,
        DEMO_CARD_TOKEN,
        DEMO_CASHIERS,
        DEMO_PRINTER_FILE,
        DEMO_RECEIPT,
        DEMO_TOKEN,
        DEMO_WALLET,
        DEMO_WALLET_SERVICE,
    )
    from cashier_app.emulator.wallet import WalletServer

    data_dir = Path(tempfile.mkdtemp(prefix="cashier-demo-"))
    server = EmulatorServer(token=DEMO_TOKEN).start()
    wallets = WalletServer(client_id=DEMO_WALLET["client_id"],
                           client_secret=DEMO_WALLET["client_secret"],
                           partner_id=DEMO_WALLET["partner_id"]).start()
    gateway = CardGateway(token=DEMO_CARD_TOKEN).start()
    log.info("demo mode: emulator at %s, wallets at %s, data in %s", server.url, wallets.url,
             data_dir)
    printer: dict[cfg.Setting[Any], Any] = {
        cfg.PRINTER_KIND: "file", cfg.PRINTER_ADDRESS: str(data_dir / DEMO_PRINTER_FILE),
        cfg.PRINTER_COLUMNS: 42}
    receipt = {cfg.REGISTRY[key]: value for key, value in DEMO_RECEIPT.items()}
    try:
        yield settings.with_overrides({
            cfg.PROCESSING_URL: server.url,
            cfg.PROCESSING_TOKEN: DEMO_TOKEN,
            cfg.PROCESSING_AUTH_SCHEME: "Bearer",
            cfg.DATA_DIR: str(data_dir),
            **({} if settings[cfg.CASHIERS] else {cfg.CASHIERS: DEMO_CASHIERS}),
            **({} if settings[cfg.PRINTER_KIND] != "none" else printer),
            **({} if settings[cfg.RECEIPT_AGENT_NAME] else receipt),
            cfg.SBP_ENABLED: True,  # the emulator takes QR СБП: the demo shows it
            **({} if settings[cfg.WALLET_URL] else {
                cfg.WALLET_URL: wallets.url, cfg.WALLET_CLIENT_ID: DEMO_WALLET["client_id"],
                cfg.WALLET_CLIENT_SECRET: DEMO_WALLET["client_secret"],
                cfg.WALLET_PARTNER_ID: DEMO_WALLET["partner_id"],
                cfg.WALLET_CASH_SERVICE: DEMO_WALLET_SERVICE}),
            **({} if settings[cfg.CARD_URL] else {
                cfg.CARD_URL: gateway.url, cfg.CARD_TOKEN: DEMO_CARD_TOKEN,
                cfg.CARD_SERVICE_MAP: DEMO_CARD_SERVICES}),
        })
    finally:
        gateway.stop()
        wallets.stop()
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
