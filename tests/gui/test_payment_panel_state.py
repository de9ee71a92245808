"""The panel says what is true now: F8/F9 live only when they would run, no total while the
invoice has an error, no receipt offered for a payment that did not go through, and every
banner following the payment as it changes in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import log_in, make_rig, type_text
from tests.gui.test_payment_panel_layout import at_size
from tests.gui.test_qr_window import qr_rig, show_code
from tests.gui.test_workplace import checked, fill
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import FakePrinter


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def printing_to(printer: FakePrinter) -> PrinterConfig:
    return PrinterConfig(kind="network", address=printer.address, profile="TM-T20II",
                         codepage=17, columns=48, timeout=1.0)


def face(button: QPushButton) -> QColor:
    """The colour the button is painted with (left of its text)."""
    image = button.grab().toImage()
    return image.pixelColor(6, image.height() // 2)


def looks_pressable(button: QPushButton) -> bool:
    """Blue (or green) like an active action button, not the grey of a disabled one."""
    color = face(button)
    return max(color.blue(), color.green()) - color.red() > 60


def test_f8_and_f9_are_live_only_when_they_would_run(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED
    # no amount yet: neither can run, and neither looks as if it could
    for button in (panel.pay_button, panel.qr_button):
        assert not button.isEnabled() and not looks_pressable(button)
    assert rig.window.grab().save(str(screenshots / "qr_button_disabled.png"))
    qtbot.keyClick(panel.amount_edit, Qt.Key.Key_F8)  # the key says why, sends nothing
    assert panel.step is Step.CHECKED
    assert panel.money_message.text() == "Укажите сумму к зачислению"
    type_text(panel.amount_edit, "12,345")  # not an amount
    assert not panel.qr_button.isEnabled() and not panel.pay_button.isEnabled()
    panel.amount_edit.setText("500")
    assert panel.qr_button.isEnabled() and looks_pressable(panel.qr_button)
    assert panel.pay_button.isEnabled()
    type_text(panel.cash_edit, "100")  # less than 510: cash cannot pay, QR can
    assert not panel.pay_button.isEnabled() and panel.qr_button.isEnabled()
    panel.cash_edit.clear()
    # while a cash payment is on its way, QR is off and F8 does nothing
    emulator.add_fault(method="pay", action="delay", seconds=1)
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.PAYING)
    assert not panel.qr_button.isEnabled() and not looks_pressable(panel.qr_button)
    qtbot.keyClick(panel, Qt.Key.Key_F8)
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert emulator.center.request_counts.get("qr-code/create", 0) == 0
    assert panel.banner.property("kind") == "paid"
    rig.close()


def test_a_contract_must_be_chosen_before_pay_is_live(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path
        ) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "банк пример", {"account": "770123456789"})
    checked(rig)
    panel.amount_edit.setText("1500")  # an amount, but no contract chosen
    assert not panel.pay_button.isEnabled()
    panel.start_pay()
    assert panel.step is Step.CHECKED and panel.money_message.text() == "Выберите договор"
    view = panel.result_view
    view.table.selectRow(0)  # type: ignore[union-attr]
    panel.amount_edit.setText("1500")
    assert panel.pay_button.isEnabled()
    assert [view.table.item(0, c).text() for c in (2, 3)] == [  # type: ignore[union-attr]
        "1 000,00", "15.02.2026"]
    rig.close()


def test_an_invoice_with_an_error_has_no_total(qtbot: QtBot, loop: qasync.QEventLoop,
                                               emulator: EmulatorServer, tmp_path: Path,
                                               screenshots: Path) -> None:
    from cashier_app.ui.cashier.payment.check_views import AMOUNT, NEW, PREV

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "жкх", {"account": "1000000001"})
    checked(rig)
    view = panel.result_view
    assert view.table.item(0, PREV).text() == "4 870"  # type: ignore[union-attr]
    view.set_cell(0, NEW, "4950")  # type: ignore[union-attr]
    view.set_cell(1, NEW, "318")  # type: ignore[union-attr]
    assert panel.amount_edit.text() == "2 317,50" and panel.pay_button.isEnabled()
    assert panel.from_label.text() == "2 340,68"
    # a reading below the previous one: there is no total to take cash for
    view.set_cell(0, NEW, "4860")  # type: ignore[union-attr]
    assert view.problem_label.text() == (  # type: ignore[union-attr]
        "Показания для «Электроэнергия» меньше предыдущих: 4 860 < 4 870")
    assert panel.amount_edit.text() == "—"
    assert view.total_label.text() == "Итого по квитанции: —"  # type: ignore[union-attr]
    assert panel.from_label.text() == "—" and panel.commission_label.text() == "—"
    assert panel.amount_message.text() == "Нет итога: исправьте квитанцию выше"
    assert not panel.pay_button.isEnabled()
    panel.start_pay()  # F9 / Enter: nothing is sent
    assert panel.step is Step.CHECKED and emulator.center.request_counts.get("pay", 0) == 0
    assert panel.money_message.isHidden()  # the reason is on screen once, not twice
    assert rig.window.grab().save(str(screenshots / "invoice_no_total.png"))
    # an amount out of a line's limits: the same
    view.set_cell(0, NEW, "4950")  # type: ignore[union-attr]
    view.set_cell(3, AMOUNT, "6000")  # type: ignore[union-attr]
    assert view.problem_label.text() == (  # type: ignore[union-attr]
        "Сумма за «Отопление» — не больше 5 000,00 ₽")
    assert panel.amount_edit.text() == "—" and not panel.pay_button.isEnabled()
    view.set_cell(3, AMOUNT, "925,20")  # type: ignore[union-attr]
    assert panel.amount_edit.text() == "2 317,50" and panel.amount_message.isHidden()
    assert panel.pay_button.isEnabled()
    rig.close()


def test_a_failed_payment_offers_no_receipt(qtbot: QtBot, loop: qasync.QEventLoop,
                                            emulator: EmulatorServer, printer: FakePrinter,
                                            tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=printing_to(printer))
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    emulator.add_fault(method="pay", action="code", result=7)  # final: refused
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    panel.amount_edit.setText("500")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "failed"
    assert panel.banner.text().startswith("Платёж не проведён: ")
    assert panel.banner.text().endswith("Верните клиенту 510,00 ₽.")
    assert not panel.print_button.isVisible() and not panel.preview_button.isVisible()
    assert panel.receipt_status.text() == "Платёж не проведён — чек не печатается."
    qtbot.keyClick(panel, Qt.Key.Key_F6)
    qtbot.keyClick(panel, Qt.Key.Key_F7)
    rig.run(asyncio.sleep(0.3))
    assert printer.received == [] and not hasattr(panel, "receipt_dialog")
    assert panel.next_button.isVisible()
    assert rig.window.grab().save(str(screenshots / "payment_failed_no_receipt.png"))
    rig.close()


def test_the_receipt_line_follows_a_payment_settled_in_the_background(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, printer: FakePrinter,
        tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=printing_to(printer))
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    fill(rig, qtbot, "билайн", {"account": "9039990001"})  # «в обработке» twice, then paid
    checked(rig)
    panel.amount_edit.setText("300")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    record = panel.record
    assert record is not None and record.state is State.PAYING
    first = rig.journal.latest_receipt(record.agent_transaction_id)
    assert first is not None
    assert panel.receipt_status.text() == f"Чек № {first.number} напечатан"
    assert "ПЛАТЁЖ В ОБРАБОТКЕ" in decode(printer.wait_received(1)[0]).text()
    window.start()  # the scheduler settles it while it is on screen
    rig.wait_for(lambda: panel.banner.property("kind") == "paid")
    # not «Чек не печатался»: the slip given was the «в обработке» one, a new one is due
    assert panel.receipt_status.text() == (
        f"Чек № {first.number} «в обработке» напечатан раньше. Платёж проведён — "
        "напечатайте чек о проведении (F6).")
    assert panel.print_button.text() == "Напечатать чек о проведении  F6"
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / "receipt_after_background_paid.png"))
    qtbot.keyClick(panel, Qt.Key.Key_F6)
    rig.wait_for(lambda: len(printer.received) == 2)
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    assert "ПЛАТЁЖ ПРОВЕДЁН" in decode(printer.received[1]).text()
    assert panel.receipt_status.text() == f"Чек № {first.number + 1} напечатан"
    assert panel.print_button.text() == "Напечатать копию  F6"
    rig.close()


def test_an_expired_code_stops_asking_to_wait(qtbot: QtBot, loop: qasync.QEventLoop,
                                             emulator: EmulatorServer, tmp_path: Path,
                                             screenshots: Path) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    at_size(rig, 1366, 768)
    show_code(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    view = panel.qr_view
    display = window.customer_display
    assert display is not None
    assert view.code.isVisible() and view.status.text().endswith("Ждём оплату…")
    # past the code's time by the clock, before the bank has said so
    later = datetime.now() + timedelta(minutes=10)
    panel.clock = view.clock = display.clock = lambda: later
    view.tick()
    assert not view.code.isVisible() and not view.demo_button.isVisible()
    assert view.timer_label.text() == "Срок кода истёк"
    assert view.status.text() == "Код больше не оплатить: ждём окончательного ответа банка…"
    assert display.headline.text() == "Срок кода истёк" and not display.code.isVisible()
    QApplication.processEvents()
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / "qr_expired_by_clock.png"))
    panel.clock = view.clock = display.clock = datetime.now
    view.tick()
    # the cancel question does not outlive a code that can no longer be paid
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.prompt_box.isVisible()
    record = panel.record
    assert record is not None
    emulator.center.bank("expire", tx_id=record.agent_transaction_id)
    rig.wait_for(lambda: panel.record is not None and panel.record.state is State.FAILED)
    assert not view.prompt_box.isVisible()
    assert view.status.text() == "Срок QR-кода истёк: оплата не поступила"
    assert view.timer_label.text().startswith("Деньги с клиента не списаны")
    assert panel.status.text() == ""
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # nothing to cancel any more: just leave
    assert panel.step is Step.EMPTY
    rig.close()


def test_amounts_in_the_outcome_are_written_for_people(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path
        ) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    panel.amount_edit.setText("4000")
    panel.cash_edit.setText("4000")
    assert panel.money_message.text() == (
        "Внесено 4 000,00 ₽, а к оплате 4 040,00 ₽: не хватает 40,00 ₽")
    panel.cash_edit.setText("5000")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.amount_edit.text() == "4 000,00"
    assert panel.banner.text().startswith("Оплачено: 4 000,00 ₽ на счёт 9101234567. "
                                          "Сдача: 960,00 ₽.")
    assert rig.journal.get(panel.record.agent_transaction_id).amount_to == Decimal(  # type: ignore[union-attr]
        "4000.00")
    rig.close()
