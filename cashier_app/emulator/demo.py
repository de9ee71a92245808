"""Demo mode (``--demo``): the embedded emulator, a throwaway data directory, demo cashiers, a
file as the printer, the person's "bank" that pays a QR code — everything a demo needs and
production never loads."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cashier_app import settings as cfg

from .server import EmulatorServer

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


@contextmanager
def demo_environment(settings: cfg.Settings) -> Iterator[cfg.Settings]:
    """Start the emulator in-process, point the program at it, use a throwaway data dir."""
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
