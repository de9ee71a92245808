"""Payment by QR СБП in the cashier's window, against the real emulator: the code on screen
(and on the customer display) is read back by a real QR decoder (zxing-cpp) and must be
exactly the payload the center sent; paid → receipt; expired → a new code; cancel; restart."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.demo import demo_bank
from cashier_app.processing.sbp import SbpClient
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.ui.cashier.payment.panel import Step
from cashier_app.ui.widgets.qr_code import QUIET_ZONE, QrCodeWidget
from tests.gui.helpers import Rig, log_in, make_rig, type_text
from tests.gui.test_workplace import checked, fill
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import FakePrinter


def scanned(widget: QWidget) -> list[str]:
    """What a QR decoder reads from the widget as it is painted on screen."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data())))
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def qr_rig(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
           **options: object) -> Rig:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, customer_display="window",
                   bank=demo_bank(emulator.url), **options)
    rig.engine.sbp = SbpClient(rig.client, lifetime=120, poll_interval=0.05)
    return rig


def show_code(rig: Rig, qtbot: QtBot, amount: str = "500",
              screenshot: Path | None = None) -> None:
    """Log in, check an МТС payment, enter the amount, F8: the code on screen."""
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    assert panel.qr_button.isVisible()
    type_text(panel.amount_edit, amount)
    qtbot.keyClick(panel.amount_edit, Qt.Key.Key_Return)
    assert panel.qr_button.isEnabled()
    if screenshot is not None:
        assert rig.window.grab().save(str(screenshot))
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_F8)
    rig.wait_for(lambda: panel.record is not None and panel.record.qr_status == "CREATED")
    assert panel.step is Step.QR


def test_qr_payment_from_code_to_receipt(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, printer: FakePrinter,
                                         tmp_path: Path, screenshots: Path) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path, printer=PrinterConfig(
        kind="network", address=printer.address, profile="TM-T20II", codepage=17,
        columns=48, timeout=1.0))
    window, panel = rig.window, rig.window.panel
    show_code(rig, qtbot, screenshot=screenshots / "qr_choose.png")
    record = panel.record
    assert record is not None and record.state is State.QR_WAITING
    assert record.payment_method == "sbp" and record.cash_given is None
    payload = emulator.center.sbp.codes[record.agent_transaction_id].payload
    assert record.qr_payload == payload
    view = panel.qr_view
    assert view.isVisible() and not panel.money_box.isVisible()
    assert view.amount.text() == "К оплате по QR: 510,00 ₽"  # 500 + 1 %, at least 10 ₽
    assert "МТС" in view.service.text() and "9101234567" in view.service.text()
    assert view.timer_label.text().startswith("Код действует ещё 01:5")
    # the code on screen scans to exactly the payload, at the size it is shown and others
    assert scanned(view.code) == [payload]
    for side in (180, 520):
        probe = QrCodeWidget(minimum=side)
        probe.resize(side, side)
        probe.set_text(payload)
        area = probe.code_rect()
        modules = len(probe._matrix) + 2 * QUIET_ZONE
        assert area.width() % modules == 0  # whole pixels per module: no blur
        assert scanned(probe) == [payload]
    display = window.customer_display
    assert display is not None
    window.show_customer_display()
    assert display.isVisible() and display.amount.text() == "510,00 ₽"
    assert scanned(display.code) == [payload]
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "qr_payment.png"))
    assert display.grab().save(str(screenshots / "qr_customer_display.png"))

    # the person's bank pays (the demo button does what the bank app page does)
    qtbot.mouseClick(view.demo_button, Qt.MouseButton.LeftButton)
    rig.wait_for(lambda: panel.step is Step.DONE)
    paid = rig.journal.get(record.agent_transaction_id)
    assert paid.state is State.PAID and paid.transaction_id
    assert panel.banner.text().startswith("Оплачено по QR СБП: 500,00 ₽ на счёт 9101234567")
    assert "Сдача" not in panel.banner.text()
    assert display.headline.text() == "Оплачено. Спасибо!"
    rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
    paper = decode(printer.wait_received(1)[0]).text()
    assert "QR СБП" in paper and "ПЛАТЁЖ ПРОВЕДЁН" in paper and "Сдача" not in paper
    window.tabs.setCurrentWidget(window.today_page)
    window.today_page.reload()
    assert window.today_page.table.item(0, 6).text() == "оплачен (QR)"
    assert "из них по QR СБП 510,00 ₽" in window.today_page.summary.text()
    rig.close()


def test_expired_code_then_a_new_one(qtbot: QtBot, loop: qasync.QEventLoop,
                                     emulator: EmulatorServer, tmp_path: Path,
                                     screenshots: Path) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    panel = rig.window.panel
    show_code(rig, qtbot)
    rig.redrawn()  # the status bar names a waiting code as such, not «в обработке»
    assert rig.window.pending_label.text() == "Ждут оплаты клиентом: 1"
    first = panel.record
    assert first is not None
    emulator.center.bank("expire", tx_id=first.agent_transaction_id)
    rig.wait_for(lambda: panel.record is not None and panel.record.state is State.FAILED)
    view = panel.qr_view
    assert panel.step is Step.QR and not view.code.isVisible()
    assert view.status.text() == "Срок QR-кода истёк: оплата не поступила"
    assert view.renew_button.isVisible() and not view.cancel_button.isVisible()
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / "qr_expired.png"))
    qtbot.keyClick(view, Qt.Key.Key_F8)  # a new code
    rig.wait_for(lambda: panel.record is not None and panel.record.qr_status == "CREATED"
                 and panel.record.agent_transaction_id != first.agent_transaction_id)
    second = panel.record
    assert second is not None and second.amount_from == first.amount_from
    assert scanned(view.code) == [second.qr_payload] and second.qr_payload != first.qr_payload
    emulator.center.bank("reject", tx_id=second.agent_transaction_id)
    rig.wait_for(lambda: panel.record is not None and panel.record.state is State.FAILED)
    assert view.status.text() == "Оплата по QR отклонена: Банк клиента отклонил операцию"
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # nothing can be paid any more: just leave
    assert panel.step is Step.EMPTY
    rig.close()


def test_cancel_asks_until_answered_and_a_late_payment_is_reported(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = qr_rig(qtbot, loop, emulator, tmp_path)
    window, panel = rig.window, rig.window.panel
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 768)
    show_code(rig, qtbot)
    record = panel.record
    assert record is not None
    view = panel.qr_view
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert panel.step is Step.QR and view.prompt_box.isVisible()
    assert view.prompt.text() == ("Клиент может платить прямо сейчас. Отменить код? Esc ещё "
                                  "раз — отменить, любая другая клавиша — продолжить ждать")
    assert view.confirm_button.isVisible() and view.wait_button.isVisible()
    QApplication.processEvents()  # the buttons' row laid out anew before the snapshot
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "qr_cancel_question.png"))
    # no hidden time limit: the question waits for its answer, and the code stays payable
    rig.run(asyncio.sleep(1.2))
    assert view.prompt_box.isVisible() and view.code.isVisible()
    assert window.open_service("P1011") is False  # a code on screen is not left by a click
    # any other key: keep waiting — the question goes, nothing is cancelled
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert not view.prompt_box.isVisible() and view.code.isVisible()
    assert rig.journal.get(record.agent_transaction_id).cancel_requested_at is None
    # so does the button, with the mouse
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert view.prompt_box.isVisible()
    qtbot.mouseClick(view.wait_button, Qt.MouseButton.LeftButton)
    assert not view.prompt_box.isVisible() and panel.step is Step.QR
    # Esc, then Esc again: cancelled
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    rig.wait_for(lambda: panel.step is Step.EMPTY)
    assert window.customer_display is not None
    assert window.customer_display.headline.text() == "Добро пожаловать"
    assert "Оплата по QR отменена" in window.notices[-1]
    left = rig.journal.get(record.agent_transaction_id)
    assert left.state is State.QR_WAITING and left.cancel_requested_at  # still payable
    emulator.center.bank("pay", tx_id=record.agent_transaction_id)  # paid after all
    rig.wait_for(lambda: rig.journal.get(record.agent_transaction_id).state is State.PAID)
    rig.wait_for(lambda: window.notices[-1].startswith("Пришла оплата по QR-коду"))
    rig.close()


def test_a_code_paid_while_the_program_was_down(qtbot: QtBot, loop: qasync.QEventLoop,
                                                emulator: EmulatorServer,
                                                tmp_path: Path) -> None:
    first = qr_rig(qtbot, loop, emulator, tmp_path)
    show_code(first, qtbot)
    record = first.window.panel.record
    assert record is not None
    first.window.stop_background()
    first.close()
    emulator.center.bank("pay", tx_id=record.agent_transaction_id)
    again = qr_rig(qtbot, loop, emulator, tmp_path)
    # a code not yet known paid is not a payment in processing: named as what it is
    assert again.window.pending_label.text() == "Ждут оплаты клиентом: 1"
    again.start()  # start-up: looked up before any new work
    rig_record = again.journal.get(record.agent_transaction_id)
    assert rig_record.state is State.PAID
    again.wait_for(lambda: again.window.pending_label.text() == "В обработке: нет")
    assert again.window.notices[-1].startswith("Пришла оплата по QR-коду")
    again.close()


def test_without_sbp_there_is_no_qr_button(qtbot: QtBot, loop: qasync.QEventLoop,
                                           emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED and not panel.qr_button.isVisible()
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_F8)
    assert panel.step is Step.CHECKED
    assert rig.window.customer_display is None
    rig.close()
