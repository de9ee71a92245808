"""What demo mode (``--demo``) shows: demo cashiers, the receipt's texts, a file as the
printer, the person's "bank" that pays a QR code. The composition root
(:func:`cashier_app.bootstrap.demo_environment`) starts the embedded emulator and points the
program at it; production never loads this."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

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

#: The partner's credentials the demo's wallet service takes (not secrets: demo only).
DEMO_WALLET = {"client_id": "demo-partner", "client_secret": "demo-secret-not-a-secret",
               "partner_id": "demo"}
#: The demo catalog's service «пополнение кошелька наличными» (a v20 service: account = phone).
DEMO_WALLET_SERVICE = "P5001"


#: The card gateway's shop token in demo mode, and the gateway's serviceCode for every demo
#: service (the emulator credits the provider by it).
DEMO_CARD_TOKEN = "demo-card-token-not-a-secret"
DEMO_CARD_SERVICES = {"*": "109-5804-1"}


#: The receipt's texts in demo mode (setting keys → values), unless the settings give them.
DEMO_RECEIPT = {
    "receipt.agent_name": "ООО «Демо-агент»",
    "receipt.agent_inn": "7700000000",
    "receipt.point_address": "демо-режим, платежи не настоящие",
    "receipt.support_phone": "8 800 000-00-00",
}


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


def demo_wallet_bank(wallet_url: str) -> Callable[[str], Awaitable[str]]:
    """Demo mode: the person's bank confirming a wallet refill's СБП link (``payload``), as
    the wallet emulator's refill page does. Returns what went wrong ("" when credited)."""

    async def confirm(payload: str) -> str:
        import httpx

        refill_id = payload.split("qr.nspk.ru/", 1)[-1].split("?", 1)[0]
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = await http.post(
                    f"{wallet_url}/_emulator/wallet/refills/{refill_id}/pay")
        except httpx.HTTPError as error:
            return f"Демо-банк не ответил: {error}"
        return "" if answer.status_code == 200 else f"Демо-банк: отказ ({answer.status_code})"

    return confirm


def demo_card_phone(gateway_url: str) -> Callable[[str, bool], Awaitable[str]]:
    """Demo mode: the person's phone paying a card link on the gateway emulator's page with
    the seed's test card (4111 1111 1111 1111, CVC 123, 3-D Secure code 12345678) — or with a
    wrong CVC (``decline``: RC 05). Returns what went wrong ("" when the page took it)."""

    async def pay(reg_pay_num: str, decline: bool = False) -> str:
        import httpx

        card = {"regPayNum": reg_pay_num, "pan": "4111111111111111",
                "cvc": "999" if decline else "123", "code3ds": "12345678"}
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = await http.post(f"{gateway_url}/_emulator/card/pay", json=card)
        except httpx.HTTPError as error:
            return f"Демо-телефон не достучался до шлюза: {error}"
        return "" if answer.status_code == 200 else f"Демо-шлюз: отказ ({answer.status_code})"

    return pay
