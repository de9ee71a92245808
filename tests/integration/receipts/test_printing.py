"""Printing through the real network backend to a printer on 127.0.0.1, and what the cashier
and the journal see when the printer refuses, stalls or has no paper."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.states import State
from cashier_app.journal import Journal
from cashier_app.receipts.document import ReceiptError
from cashier_app.receipts.layout import COPY_MARK
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import SETTINGS, FakePrinter, free_port, make_payment


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def service_for(tmp_path: Path, address: str, **changes: object) -> ReceiptService:
    config = PrinterConfig(kind="network", address=address, profile="TM-T20II", codepage=17,
                           columns=48, timeout=1.0)
    return ReceiptService(Journal(tmp_path / "j.sqlite3"), SETTINGS, replace(config, **changes))


def test_paid_receipt_reaches_the_printer_then_reprints_as_a_copy(
        tmp_path: Path, printer: FakePrinter) -> None:
    service = service_for(tmp_path, printer.address)
    make_payment(service.journal, "complex")
    first = asyncio.run(service.print_payment(1000001))
    assert first.printed and first.message == f"Чек № {first.receipt.number} напечатан"
    paper = decode(printer.wait_received(1)[0])
    assert paper.status_queries == 2  # the paper sensor before and after
    assert "ЧЕК №" in paper.text() and "Электроэнергия" in paper.text()
    assert COPY_MARK not in paper.text()
    record = service.journal.get(1000001)
    assert record.receipt_printed_at and record.receipt_error is None
    assert record.state is State.PAID

    again = asyncio.run(service.print_payment(1000001))
    assert again.printed and again.message.startswith("Копия чека")
    assert again.receipt.number == first.receipt.number  # the same document
    copy = decode(printer.wait_received(2)[1])
    assert copy.lines[0].text.strip() == COPY_MARK
    # identical to the original apart from the marks
    body = [line.text for line in copy.lines[1:]]
    body.remove(COPY_MARK.center(48).rstrip())
    assert body == [line.text for line in paper.lines]


def test_no_paper_keeps_the_payment_paid_and_print_again_works(
        tmp_path: Path, printer: FakePrinter) -> None:
    printer.status = 0x72  # paper end
    service = service_for(tmp_path, printer.address)
    make_payment(service.journal, "simple")
    failed = asyncio.run(service.print_payment(1000001))
    assert not failed.printed and "нет бумаги" in failed.message
    assert b"\x1d\x56" not in printer.wait_received(1)[0]  # nothing printed, nothing cut
    record = service.journal.get(1000001)
    assert record.state is State.PAID and record.receipt_error == failed.message
    assert record.receipt_printed_at is None

    printer.status = 0x12
    retried = asyncio.run(service.print_payment(1000001))
    assert retried.printed and retried.message.startswith("Чек №")  # the original, not a copy
    assert "ЧЕК №" in decode(printer.wait_received(2)[1]).text()
    assert service.journal.get(1000001).receipt_error is None


def test_refused_connection_gives_a_clear_message_and_retry_prints(tmp_path: Path) -> None:
    port = free_port()
    service = service_for(tmp_path, f"127.0.0.1:{port}")
    make_payment(service.journal, "simple")
    failed = asyncio.run(service.print_payment(1000001))
    assert not failed.printed
    assert "не принимает соединение" in failed.message and f"127.0.0.1:{port}" in failed.message
    assert "Traceback" not in failed.message
    printer = FakePrinter(port=port)  # the printer is switched on
    try:
        assert asyncio.run(service.print_payment(1000001)).printed
        assert "ПЛАТЁЖ ПРОВЕДЁН" in decode(printer.wait_received(1)[0]).text()
    finally:
        printer.close()


def test_stalled_printer_times_out_with_a_message_and_retry_prints(
        tmp_path: Path, printer: FakePrinter) -> None:
    printer.stall = True
    service = service_for(tmp_path, printer.address, timeout=0.5)
    make_payment(service.journal, "simple")
    failed = asyncio.run(service.print_payment(1000001))
    assert not failed.printed and "не отвечает" in failed.message
    assert service.journal.get(1000001).state is State.PAID
    printer.stall = False
    assert asyncio.run(service.print_payment(1000001)).printed


def test_pending_receipt_then_a_new_one_once_paid(tmp_path: Path, printer: FakePrinter) -> None:
    service = service_for(tmp_path, printer.address)
    make_payment(service.journal, "simple", state=State.PAYING)
    pending = asyncio.run(service.print_payment(1000001))
    assert "ПЛАТЁЖ В ОБРАБОТКЕ" in decode(printer.wait_received(1)[0]).text()
    service.journal.transition(1000001, State.PAID, result=0, transaction_id=555)
    paid = asyncio.run(service.print_payment(1000001))
    assert paid.receipt.number != pending.receipt.number and paid.message.startswith("Чек №")
    assert "ПЛАТЁЖ ПРОВЕДЁН" in decode(printer.wait_received(2)[1]).text()


def test_no_receipt_for_a_payment_that_took_no_money(tmp_path: Path) -> None:
    service = service_for(tmp_path, "127.0.0.1:9")
    journal = service.journal
    journal.create(agent_transaction_id=5, service_id="P1", account="1",
                   agent_transaction_date="2026-11-23T10:00:00")
    with pytest.raises(ReceiptError, match="только для принятого"):
        service.payment_document(5)
    assert journal.latest_receipt(5) is None


def test_file_backend_gets_the_same_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    service = service_for(tmp_path, str(target), kind="file")
    make_payment(service.journal, "choice")
    assert asyncio.run(service.print_payment(1000001)).printed
    assert "Договор: Петров" in decode(target.read_bytes()).text()


def test_x_and_z_reports(tmp_path: Path, printer: FakePrinter) -> None:
    service = service_for(tmp_path, printer.address)
    journal = service.journal
    shift = journal.open_shift("Иванова Анна")
    make_payment(journal, "simple", 1, shift_id=shift.id)                       # 210.00
    make_payment(journal, "simple", 2, shift_id=shift.id)                       # 210.00
    make_payment(journal, "complex", 3, shift_id=shift.id, state=State.PAYING)  # 1297.85
    make_payment(journal, "choice", 4, shift_id=shift.id, state=State.FAILED)   # returned
    make_payment(journal, "choice", 5, shift_id=None)                           # other shift
    make_payment(journal, "simple", 6, shift_id=shift.id, method="sbp")         # QR 210.00
    make_payment(journal, "simple", 7, shift_id=shift.id, method="sbp",
                 state=State.QR_WAITING)                                        # not yet
    make_payment(journal, "simple", 8, shift_id=shift.id, method="sbp",
                 state=State.FAILED)                                            # expired
    x = asyncio.run(service.print_receipt(service.x_report(shift.id)))
    text = decode(printer.wait_received(1)[0]).text()
    assert x.printed and "X-ОТЧЁТ" in text
    assert "Проведено: 3" in text and "В обработке: 1" in text and "Не проведено: 2" in text
    assert "Ждут оплаты клиентом: 1" in text
    # accepted by method; QR money is not in the drawer
    rows = dict(re.findall(r"^(\S.*?)\s{2,}(\S.*)$", text, re.MULTILINE))
    assert rows["Наличными: 3"] == "1 717,85" and rows["По QR СБП: 1"] == "210,00"
    assert "Билайн (P1011)" in text and "платежей: 3" in text
    expected = Decimal("210.00") * 2 + Decimal("1297.85")
    assert f"НАЛИЧНЫХ В КАССЕ{'1 717,85':>32}" in text and expected == Decimal("1717.85")
    journal.close_shift(shift.id)
    z = service.z_report(shift.id)
    assert asyncio.run(service.print_receipt(z)).printed
    assert "Z-ОТЧЁТ" in decode(printer.wait_received(2)[1]).text()
    again = asyncio.run(service.print_receipt(service.z_report(shift.id)))
    assert again.receipt.number == z.number and "(копия)" in again.message


def test_a_cash_voucher_reaches_the_printer_with_its_code_and_sum(
        tmp_path: Path, printer: FakePrinter) -> None:
    """Cash that became no payment: the printer receives the voucher — its code, the bills,
    the sum, what the person can do, the code as QR — and never a «принято» receipt."""
    from cashier_app.journal.cash_in import STACKED, VOUCHER

    service = service_for(tmp_path, printer.address)
    journal = service.journal
    session = journal.open_cash_session("payment", "SM-RU1353 EMU0000001")
    for bill_type, amount in ((2, "100"), (3, "500"), (3, "500")):
        journal.bill_resolved(journal.bill_stacking(session.id, bill_type, Decimal(amount),
                                                    "RUB").id, STACKED)
    with pytest.raises(ReceiptError):  # an open session is no voucher yet
        asyncio.run(service.print_voucher(journal.cash_session(session.id)))
    closed = journal.close_cash_session(session.id, VOUCHER)
    said = asyncio.run(service.print_voucher(closed))
    assert said == f"Ваучер {closed.voucher} на 1100.00 напечатан"
    text = decode(b"".join(printer.wait_received(1))).text()
    assert "ВАУЧЕР" in text and re.search(rf"Код\s+{closed.voucher}", text)
    # (× is printed as x: CP866 has no multiplication sign)
    assert re.search(r"100,00 x 1\s+100,00", text) and re.search(r"500,00 x 2\s+1 000,00", text)
    assert re.search(r"СУММА\s+1 100,00", text)
    assert "Платёж по этим деньгам не проведён" in text and "ПРИНЯТО" not in text
    assert "до зачисления платежа" not in text  # the point's payment footer is not on it
    assert f"[QR: VOUCHER:{closed.voucher}:1100.00]" in text
    service.close()
