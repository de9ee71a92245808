"""The QR СБП adapter alone: bodies in the center's names, answers read back, bad answers."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from cashier_app.core.wire import decode_body
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import TransportError
from cashier_app.processing.sbp import QrAnswer, QrStatus, SbpClient, SbpProtocol, qr_request

RENAMED = SbpProtocol.from_lists(field_names=["qrId=qrcId", "payload=qrUrl"],
                                 status_names=["PAID=ACWP", "CREATED=NTST"])


def test_request_is_the_pay_body_with_lifetime_and_exact_amounts() -> None:
    body = qr_request(service_id="P1011", account="9051234567", agent_transaction_id=7,
                      agent_transaction_date="2026-11-23T10:00:00", amount_to=Decimal("200"),
                      amount_from=Decimal("210.5"), lifetime=300, qr_id="BS1")
    encoded = SbpClient(ProcessingClient("http://x"), RENAMED).encode(body)
    assert encoded.startswith(b'{"qrcId":"BS1","serviceId":"P1011"')
    assert b'"amountTo":200.00,"amountFrom":210.50' in encoded
    assert decode_body(encoded)["lifetime"] == 300
    with pytest.raises(ValueError):
        qr_request(service_id="P", account="1", agent_transaction_id=7,
                   agent_transaction_date="2026-11-23T10:00:00", amount_to=Decimal(1),
                   amount_from=Decimal(1), lifetime=0)


def test_answers_are_read_in_our_names() -> None:
    answer = QrAnswer.parse({"result": 0, "qrcId": "AD1", "qrUrl": "https://qr.nspk.ru/AD1",
                             "status": "ACWP", "transactionId": "42",
                             "paidAt": "2026-11-23T10:01:02.345"}, RENAMED)
    assert (answer.qr_id, answer.payload, answer.status) == ("AD1", "https://qr.nspk.ru/AD1",
                                                             QrStatus.PAID)
    assert answer.transaction_id == 42 and answer.paid_at is not None
    odd = QrAnswer.parse({"result": 0, "status": "WHATEVER"}, RENAMED)
    assert odd.status is None and odd.status_word == "WHATEVER" and odd.problems


def test_an_answer_without_result_is_no_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v20/qr-code/checkstatus"
        return httpx.Response(200, json={"status": "PAID"})

    client = ProcessingClient("http://center", transport=httpx.MockTransport(handler))
    sbp = SbpClient(client)

    async def ask() -> None:
        try:
            await sbp.send("status", sbp.status_body("AD1", 7))
        finally:
            await client.aclose()

    with pytest.raises(TransportError):
        asyncio.run(ask())


def test_bad_names_are_refused() -> None:
    with pytest.raises(ValueError, match="наше=их"):
        SbpProtocol.from_lists(field_names=["qrId"])
    with pytest.raises(ValueError, match="неизвестный статус"):
        SbpProtocol.from_lists(status_names=["DONE=X"])
    with pytest.raises(ValueError):
        SbpClient(ProcessingClient("http://x"), mode="card")
