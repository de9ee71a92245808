"""Wiring shared by the window and the headless commands: settings, demo mode, the client."""

from __future__ import annotations

import logging
import shutil
import ssl
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cashier_app import settings as cfg
from cashier_app.engine import PaymentEngine
from cashier_app.fsutil import make_private
from cashier_app.journal import IdAllocator, Journal, JournalStorageError
from cashier_app.journal.ids import read_hwm
from cashier_app.journal.leases import InstanceLease
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.retry import RetryPolicy
from cashier_app.processing.sbp import SbpClient, SbpProtocol
from cashier_app.receipts.service import ReceiptService
from cashier_app.settings.sections import printer_config, receipt_settings

log = logging.getLogger(__name__)
DEMO_TOKEN = "demo-token-not-a-secret"
#: Demo cashiers (PIN 1111 and 2222) and a supervisor (PIN 9999), in demo mode only.
DEMO_CASHIERS = [
    {"name": "Иванова Анна", "pin": "pbkdf2_sha256$120000$ZGVtby1zYWx0LWl2YW5vdg==$"
                                    "eETMlYSji2H/E8vOdrvxz+SMeR48+3/VLEYueamsSCs="},
    {"name": "Петров Олег", "pin": "pbkdf2_sha256$120000$ZGVtby1zYWx0LXBldHJvdg==$"
                                   "RrYbNiu/zeRDKnHfVHFXvTyhOcl7cwhwvCHIuyoTymE="},
    {"name": "Сидорова Мария", "role": "supervisor",
     "pin": "pbkdf2_sha256$120000$ZGVtby1zYWx0LXNpZG9yb3Zh$"
            "j47k8u2tMb4tPw2fYbaIhzJQyw3IRCt347Sjam+oeXo="},
]

#: Demo mode prints into a file in its data directory (a "virtual printer").
DEMO_PRINTER_FILE = "printer-output.prn"


def demo_printer(data_dir: Path) -> dict[cfg.Setting[Any], Any]:
    return {cfg.PRINTER_KIND: "file", cfg.PRINTER_ADDRESS: str(data_dir / DEMO_PRINTER_FILE),
            cfg.PRINTER_COLUMNS: 42}


DEMO_RECEIPT: dict[cfg.Setting[Any], Any] = {
    cfg.RECEIPT_AGENT_NAME: "ООО «Демо-агент»",
    cfg.RECEIPT_AGENT_INN: "7700000000",
    cfg.RECEIPT_POINT_ADDRESS: "демо-режим, платежи не настоящие",
    cfg.RECEIPT_SUPPORT_PHONE: "8 800 000-00-00",
}


def make_receipts(settings: cfg.Settings, journal: Journal) -> ReceiptService:
    """Receipts for this point; ConfigError for a printer setting that cannot work."""
    return ReceiptService(journal, receipt_settings(settings), printer_config(settings),
                          auto_print=settings[cfg.PRINTER_AUTO])


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


@contextmanager
def demo_environment(settings: cfg.Settings) -> Iterator[cfg.Settings]:
    """Start the emulator in-process, point the program at it, use a throwaway data dir."""
    from cashier_app.emulator import EmulatorServer  # only demo mode needs it

    data_dir = Path(tempfile.mkdtemp(prefix="cashier-demo-"))
    server = EmulatorServer(token=DEMO_TOKEN).start()
    log.info("demo mode: emulator at %s, data in %s", server.url, data_dir)
    try:
        yield settings.with_overrides({
            cfg.PROCESSING_URL: server.url,
            cfg.PROCESSING_TOKEN: DEMO_TOKEN,
            cfg.PROCESSING_AUTH_SCHEME: "Bearer",
            cfg.DATA_DIR: str(data_dir),
            **({} if settings[cfg.CASHIERS] else {cfg.CASHIERS: DEMO_CASHIERS}),
            **({} if settings[cfg.PRINTER_KIND] != "none" else demo_printer(data_dir)),
            **({} if settings[cfg.RECEIPT_AGENT_NAME] else DEMO_RECEIPT),
            cfg.SBP_ENABLED: True,  # the emulator takes QR СБП: the demo shows it
        })
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def demo_bank(emulator_url: str) -> Callable[[int], Awaitable[str]]:
    """Demo mode: the person's bank paying a QR code, as the emulator's bank page does.
    Returns what went wrong ("" when paid)."""

    async def pay(agent_transaction_id: int) -> str:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = (await http.post(f"{emulator_url}/_emulator/sbp/pay",
                                          json={"agentTransactionId": agent_transaction_id}
                                          )).json()
        except (httpx.HTTPError, ValueError) as error:
            return f"Демо-банк не ответил: {error}"
        return "" if answer.get("ok") else f"Демо-банк: {answer.get('error', 'отказ')}"

    return pay


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


def make_engine(settings: cfg.Settings, journal: Journal, client: ProcessingClient
                ) -> PaymentEngine:
    ids = IdAllocator(settings.data_dir / HWM_NAME, settings[cfg.POINT_NUMBER],
                      floor=journal.max_id())
    return PaymentEngine(journal, client, retry_policy(settings), ids,
                         commission=settings.commission_rules,
                         sbp=make_sbp(settings, client))
