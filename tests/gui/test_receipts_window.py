"""Receipts in the cashier's window, printed through the network backend to a printer on
127.0.0.1: printed after pay; a failing printer leaves the payment paid and F6 prints again;
the receipt on screen; X and Z reports; the test page."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import Rig, log_in, make_rig, type_text
from tests.gui.test_workplace import checked, fill
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import FakePrinter


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def config(printer: FakePrinter) -> PrinterConfig:
    return PrinterConfig(kind="network", address=printer.address, profile="TM-T20II",
                         codepage=17, columns=48, timeout=1.0)


def pay_mts(rig: Rig, qtbot: QtBot, amount: str = "500") -> None:
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    type_text(panel.amount_edit, amount)
    qtbot.keyClick(panel.amount_edit, Qt.Key.Key_Return)
    type_text(panel.cash_edit, "1000")
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_Return)
    rig.wait_for(lambda: panel.step is Step.DONE)


def test_receipt_prints_after_pay(qtbot: QtBot, loop: qasync.QEventLoop,
                                  emulator: EmulatorServer, printer: FakePrinter,
                                  tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    log_in(rig, qtbot)
    panel = rig.window.panel
    pay_mts(rig, qtbot)
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    record = panel.record
    assert record is not None and record.state is State.PAID
    paper = decode(printer.wait_received(1)[0]).text()
    assert "МТС (P1012)" in paper and "9101234567" in paper
    assert "К зачислению" in paper and "500,00" in paper and "Сдача" in paper
    assert str(record.agent_transaction_id) in paper and str(record.transaction_id) in paper
    assert panel.receipt_status.text().startswith("Чек № ")
    assert panel.print_button.text().startswith("Напечатать копию")
    assert rig.journal.get(record.agent_transaction_id).receipt_printed_at
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / "receipt_printed.png"))
    rig.close()


def test_printer_failure_keeps_the_payment_and_f6_prints_again(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        printer: FakePrinter, tmp_path: Path, screenshots: Path) -> None:
    printer.status = 0x72  # out of paper
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    pay_mts(rig, qtbot)
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "error")
    record = panel.record
    assert record is not None
    assert rig.journal.get(record.agent_transaction_id).state is State.PAID
    assert panel.banner.property("kind") == "paid"  # the payment's outcome is unchanged
    assert "нет бумаги" in panel.receipt_status.text()
    assert panel.print_button.text() == "Напечатать чек ещё раз  F6"
    assert panel.print_button.hasFocus() or not window.isActiveWindow()
    assert rig.journal.get(record.agent_transaction_id).receipt_error
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "receipt_failed.png"))

    printer.status = 0x12  # paper in
    qtbot.keyClick(panel, Qt.Key.Key_F6)
    qtbot.keyClick(panel, Qt.Key.Key_F6)  # a second F6 while printing: still one receipt
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    received = printer.wait_received(2)
    assert "ПЛАТЁЖ ПРОВЕДЁН" in decode(received[1]).text()
    assert "КОПИЯ" not in decode(received[1]).text()  # the first print that worked
    rig.run(__import__("asyncio").sleep(0.3))
    assert len(printer.received) == 2
    stored = rig.journal.get(record.agent_transaction_id)
    assert stored.receipt_printed_at and stored.receipt_error is None

    # «Сегодня» shows it printed; Ctrl+P there prints a copy
    window.today_action.trigger()
    page = window.today_page
    assert page.table.item(0, 9).text() == "напечатан"
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    rig.wait_for(lambda: len(printer.received) == 3)
    assert "КОПИЯ" in decode(printer.received[2]).text()
    rig.close()


def test_receipt_on_screen_is_what_prints(qtbot: QtBot, loop: qasync.QEventLoop,
                                          emulator: EmulatorServer, printer: FakePrinter,
                                          tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    log_in(rig, qtbot)
    panel = rig.window.panel
    pay_mts(rig, qtbot)
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    qtbot.keyClick(panel, Qt.Key.Key_F7)
    dialog = panel.receipt_dialog
    assert dialog.isVisible()
    shown = dialog.view.plain_text()
    assert "*** КОПИЯ ***" in shown  # printed once: the next print is a copy
    dialog.print_button.click()
    rig.wait_for(lambda: len(printer.received) == 2)
    paper = decode(printer.received[1]).text().rstrip("\n")
    assert paper == shown.rstrip("\n")
    assert dialog.grab().save(str(screenshots / "receipt_preview.png"))
    dialog.close()
    rig.close()


def test_x_report_and_z_report_at_shift_close(qtbot: QtBot, loop: qasync.QEventLoop,
                                              emulator: EmulatorServer, printer: FakePrinter,
                                              tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    log_in(rig, qtbot)
    window = rig.window
    pay_mts(rig, qtbot, "500")
    qtbot.keyClick(window.panel, Qt.Key.Key_Escape)
    pay_mts(rig, qtbot, "300")
    rig.wait_for(lambda: len(printer.received) == 2)
    window.x_report_action.trigger()
    rig.wait_for(lambda: len(printer.received) == 3)
    x = decode(printer.received[2]).text()
    assert "X-ОТЧЁТ" in x and "Проведено: 2" in x and "МТС (P1012)" in x
    assert "НАЛИЧНЫХ В КАССЕ" in x and "820,00" in x  # 510 + 310 (commission 1 %, min 10)
    window.close_shift(Decimal("820.00"))
    rig.wait_for(lambda: len(printer.received) == 4)
    z = decode(printer.received[3]).text()
    assert "Z-ОТЧЁТ" in z and "Закрыта" in z and "820,00" in z
    assert window.pages.currentWidget() is window.shift_page
    window.z_again_action.trigger()
    rig.wait_for(lambda: len(printer.received) == 5)
    assert "КОПИЯ" in decode(printer.received[4]).text()
    rig.close()


def test_test_page_from_the_printer_menu(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, printer: FakePrinter,
                                         tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    window = rig.window
    window.test_page_action.trigger()
    dialog = window.receipt_dialog
    assert "12345678901234567890123456789012345678901234567" in dialog.view.plain_text()
    assert dialog.grab().save(str(screenshots / "printer_test_page.png"))
    dialog.print_button.click()
    rig.wait_for(lambda: len(printer.received) == 1)
    text = decode(printer.received[0]).text()
    assert "ПРОБНАЯ СТРАНИЦА" in text and "80 АБВГДЕЖЗИЙКЛМНОП" in text
    rig.wait_for(lambda: "Пробная страница отправлена" in window.notice.text())
    rig.close()
