"""Journal rows for receipts, made the way the engine makes them, from seed 003's answers; and a
receipt printer on loopback (TCP, port-9100 style) that records what it receives."""

from __future__ import annotations

import socket
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from cashier_app.core.states import State
from cashier_app.core.wire import decode_body
from cashier_app.journal import Journal, PaymentRecord
from cashier_app.receipts.document import ReceiptSettings
from tests.conftest import seed_bytes

SETTINGS = ReceiptSettings(
    agent_name="ООО «Платёжный агент»",
    agent_inn="7701234567",
    agent_address="г. Москва, ул. Тверская, д. 1",
    point_address="г. Москва, ул. Ленина, д. 10 — павильон № 3",
    support_phone="+7 (800) 555-35-35",
    header=("Пункт приёма платежей «У дома»",),
    footer=("Спасибо! Сохраняйте чек до зачисления платежа",),
    qr_template="https://check.example.ru/?id={transaction_id}",
)


def seed_answer(name: str) -> dict[str, Any]:
    answer: dict[str, Any] = decode_body(seed_bytes(name))
    return answer


CASES: dict[str, dict[str, Any]] = {
    "simple": dict(
        service_id="P1011", service_name="Билайн", scheme="simple", account="9051234567",
        extras={}, titles={"inputs": {"account": "Номер телефона"}, "displays": {}},
        answer={"result": 0, "resultMessage": "ok", "transactionId": 1402779},
        amounts=("200.00", "10.00", "210.00", "500.00", "290.00")),
    "displays": dict(
        service_id="P3001", service_name="Интернет «Сеть-Дом»", scheme="simple",
        account="123456", extras={"account1": "petrov@example.ru"},
        titles={"inputs": {"account": "Номер договора", "account1": "E-mail для чека"},
                "displays": {"fio": "Абонент", "address": "Адрес", "info": "Задолженность"}},
        answer=seed_answer("check_answer_displays"),
        amounts=("650.00", "10.00", "660.00", "1000.00", "340.00")),
    "choice": dict(
        service_id="P0006", service_name="Банк «Пример»", scheme="choice",
        account="7701234567", extras={"contractId": "000000588"},
        titles={"inputs": {"account": "Введите ИНН"}, "displays": {}},
        answer=seed_answer("check_answer_choice"),
        amounts=("2000.00", "20.00", "2020.00", "2020.00", "0.00")),
    "complex": dict(
        service_id="P0005", service_name="ЕРЦ «Городские коммунальные системы»",
        scheme="complex", account="1000000001", extras={},
        titles={"inputs": {"account": "Номер лицевого счета"}, "displays": {}},
        answer=seed_answer("check_answer_complex"),
        lines=[{"subServiceId": "36", "amount": "359.80", "lastCount": "4950"},
               {"subServiceId": "2", "amount": "925.20", "lastCount": None}],
        amounts=("1285.00", "12.85", "1297.85", "1300.00", "2.15")),
}


def make_payment(journal: Journal, case: str, tx_id: int = 1000001, *,
                 state: State = State.PAID, shift_id: int | None = 3,
                 cashier: str = "Иванова Анна", method: str = "cash") -> PaymentRecord:
    """A journal row for ``case`` as the engine leaves it in ``state``; ``method="sbp"``:
    paid by a QR СБП code (no cash, no change)."""
    spec = CASES[case]
    amount_to, commission, amount_from, cash, change = (Decimal(a) for a in spec["amounts"])
    journal.create(agent_transaction_id=tx_id, service_id=spec["service_id"],
                   service_name=spec["service_name"], scheme=spec["scheme"],
                   account=spec["account"], extras=spec["extras"],
                   agent_transaction_date="2026-11-23T14:05:07", check_body=b"{}",
                   cashier=cashier, shift_id=shift_id, field_titles=spec["titles"])
    journal.transition(tx_id, State.CHECKING)
    journal.transition(tx_id, State.CHECKED, check_answer=spec["answer"])
    if method == "sbp":
        journal.transition(tx_id, State.QR_WAITING, payment_method="sbp", qr_mode="qr",
                           qr_body=b"{}", qr_id="AD1000000000000000000000000000042",
                           qr_payload="https://qr.nspk.ru/AD1000000000000000000000000000042",
                           qr_status="CREATED", amount_to=amount_to, commission=commission,
                           amount_from=amount_from, extra_services=spec.get("lines"))
        if state is State.PAID:
            return journal.transition(tx_id, State.PAID, result=0, qr_status="PAID",
                                      result_message="Оплачено по QR СБП",
                                      transaction_id=spec["answer"].get("transactionId",
                                                                        1402779))
        if state is State.FAILED:
            return journal.transition(tx_id, State.FAILED, qr_status="EXPIRED",
                                      result_message="Срок QR-кода истёк")
        return journal.get(tx_id)
    journal.transition(tx_id, State.PAYING, pay_body=b"{}", amount_to=amount_to,
                       commission=commission, amount_from=amount_from, cash_given=cash,
                       change=change, extra_services=spec.get("lines"))
    if state is State.PAID:
        return journal.transition(tx_id, State.PAID, result=0, result_message="Успешно",
                                  transaction_id=spec["answer"].get("transactionId", 1402779))
    if state is State.FAILED:
        return journal.transition(tx_id, State.FAILED, result=7,
                                  result_message="Платёж запрещён поставщиком")
    return journal.get(tx_id)


class FakePrinter:
    """A receipt printer on 127.0.0.1: records every byte; answers the paper sensor query
    (DLE EOT 4) with ``status`` — 0x12 paper present, 0x72 paper end — or, when ``stall``,
    accepts the connection and never answers nor reads."""

    def __init__(self, status: int = 0x12, port: int = 0) -> None:
        self.status = status
        self.stall = False
        self.received: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", port))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        data = bytearray()
        with conn:
            if self.stall:
                self._stop.wait(30)
                return
            conn.settimeout(5)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                # answer each status query as it arrives, as a printer does
                for _ in range(chunk.count(b"\x10\x04\x04")):
                    conn.sendall(bytes([self.status]))
        self.received.append(bytes(data))

    def wait_received(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The first ``count`` connections' bytes, once those connections have closed."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) >= count, f"{len(self.received)} of {count} received"
        return self.received[:count]

    def close(self) -> None:
        self._stop.set()
        self._server.close()


def free_port() -> int:
    """A port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def golden_path(name: str) -> Path:
    return Path(__file__).parent / "golden" / name
