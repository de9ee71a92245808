"""The supervisor's window as a supervisor uses it: closed from the keyboard, reports printed
from it say so in it, totals of money count only money that was kept, «Аннулировать…» says
what can be done for the payment as it stands."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentInput
from cashier_app.ui.supervisor.audit_view import detail_text
from cashier_app.ui.supervisor.window import SupervisorWindow
from tests.gui.helpers import CASHIERS, Rig, make_rig
from tests.gui.test_receipts_window import config
from tests.unit.receipts.helpers import FakePrinter, make_payment

SUPERVISOR = next(person for person in CASHIERS if person.role.supervises)


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def opened(rig: Rig, qtbot: QtBot) -> SupervisorWindow:
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    supervisor.activateWindow()
    rig.wait_for(lambda: QApplication.activeWindow() is supervisor, timeout=3)
    return supervisor


@pytest.mark.parametrize("keys", ["escape", "ctrl+w", "button"])
def test_the_window_closes_from_the_keyboard_and_its_button(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        keys: str) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    supervisor = opened(rig, qtbot)
    table = supervisor.journal_view.table
    table.setFocus()
    if keys == "escape":
        qtbot.keyClick(table, Qt.Key.Key_Escape)
    elif keys == "ctrl+w":
        qtbot.keyClick(table, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    else:
        assert supervisor.close_button.isVisible()
        assert supervisor.close_button.text() == "Закрыть  Esc"
        qtbot.mouseClick(supervisor.close_button, Qt.MouseButton.LeftButton)
    assert not supervisor.isVisible()
    assert rig.window.isVisible()  # the cashier's window stays
    rig.close()


def test_reports_printed_from_the_window_report_in_it(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        printer: FakePrinter, tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    rig.journal.open_shift("Иванова Анна")
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    supervisor.tabs.setCurrentWidget(supervisor.shifts_view)
    view = supervisor.shifts_view
    assert view.x_button.isEnabled()
    qtbot.mouseClick(view.x_button, Qt.MouseButton.LeftButton)
    rig.wait_for(lambda: view.message.property("kind") == "ok")
    assert view.message.text().startswith("X-отчёт № ") and "напечатан" in view.message.text()
    assert supervisor.statusBar().currentMessage() == view.message.text()
    assert "X-ОТЧЁТ" in printer.wait_received(1)[0].decode("cp866", "replace")
    supervisor.resize(1280, 720)
    assert supervisor.grab().save(str(screenshots / "supervisor_x_report.png"))

    printer.status = 0x72  # out of paper
    qtbot.mouseClick(view.x_button, Qt.MouseButton.LeftButton)
    rig.wait_for(lambda: view.message.property("kind") == "error")
    assert "не напечатан" in view.message.text() and "нет бумаги" in view.message.text()
    assert "не напечатан" in supervisor.statusBar().currentMessage()
    supervisor.close()
    rig.close()


def test_money_totals_count_only_what_was_kept(qtbot: QtBot, loop: qasync.QEventLoop,
                                               emulator: EmulatorServer, tmp_path: Path,
                                               screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    journal = rig.journal
    make_payment(journal, "simple", 1)  # paid: 200,00 + 10,00
    make_payment(journal, "simple", 2, state=State.PAYING)  # accepted, on its way
    make_payment(journal, "choice", 3, state=State.FAILED)  # 2 020,00 given back
    make_payment(journal, "simple", 4, state=State.QR_WAITING, method="sbp")  # not paid
    make_payment(journal, "simple", 5, state=State.FAILED, method="sbp")  # expired
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    view = supervisor.journal_view
    rig.run(view.wait_totals())
    everything = view.totals_tree.topLevelItem(0)
    assert everything.text(0) == "Всего"
    assert everything.text(1) == "5 (принято 2)"
    assert [everything.text(c) for c in (2, 3, 4)] == ["400,00", "420,00", "20,00"]
    states = view.totals_tree.topLevelItem(1)
    rows = {states.child(i).text(0): [states.child(i).text(c) for c in range(1, 5)]
            for i in range(states.childCount())}
    assert rows["не проведён"] == ["2", "—", "—", "—"]  # counted, no money kept
    assert rows["ждёт оплаты по QR"] == ["1", "—", "—", "—"]
    assert rows["в обработке"] == ["1", "200,00", "210,00", "10,00"]
    services = view.totals_tree.topLevelItem(2)
    by_service = {services.child(i).text(0): services.child(i).text(3)
                  for i in range(services.childCount())}
    assert by_service == {"Билайн (P1011)": "420,00", "Банк «Пример» (P0006)": "0,00"}
    supervisor.resize(1280, 720)
    assert supervisor.grab().save(str(screenshots / "supervisor_totals_accepted.png"))
    supervisor.close()
    rig.close()


def test_void_says_what_can_be_done_for_each_state(qtbot: QtBot, loop: qasync.QEventLoop,
                                                  emulator: EmulatorServer,
                                                  printer: FakePrinter, tmp_path: Path,
                                                  screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    journal = rig.journal
    make_payment(journal, "choice", 1, state=State.FAILED)
    make_payment(journal, "simple", 2, state=State.PAYING)
    make_payment(journal, "simple", 3)
    make_payment(journal, "simple", 4, state=State.FAILED, method="sbp")
    make_payment(journal, "simple", 5, state=State.QR_WAITING, method="sbp")
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    expected = {
        1: "Аннулировать нечего: платёж не проведён, с баланса агента ничего не списано, а "
           "деньги клиенту вернули, когда пришёл отказ",
        2: "Аннулировать нельзя: платёж в обработке, процессинг ещё не дал окончательного "
           "ответа. Дождитесь его (или нажмите «Проверить сейчас»): проведённый платёж "
           "возвращается через процессинговый центр, непроведённый — деньги клиенту "
           "возвращает кассир",
        3: "Аннулировать нельзя: платёж проведён. Протокол процессинга не отменяет проведённый "
           "платёж; вернуть деньги можно только через процессинговый центр — по номеру "
           "операции 1402779",
        4: "Аннулировать нечего: QR-код не оплачен, деньги с клиента не списаны",
        5: "Аннулировать нельзя: клиент может оплачивать QR-код прямо сейчас. Дождитесь "
           "оплаты или окончания срока кода",
    }
    for tx_id, text in expected.items():
        dialog = supervisor.open_details(tx_id)
        assert dialog.void_button.toolTip() == text
        dialog.ask_void()  # nothing to confirm: what can be done is said at once
        assert not dialog.findChildren(QMessageBox)
        assert dialog.message.text() == text
        assert dialog.message.property("kind") == "warn"
        if tx_id == 1:
            assert "возвращают клиенту" in dialog.receipt_note.text()  # no receipt either
            rig.run(asyncio.sleep(0.05))  # the rows made again are shown by the event loop
            assert dialog.grab().save(str(screenshots / "payment_details_failed_void.png"))
        dialog.close()
    assert [journal.get(tx_id).state for tx_id in expected] == [
        State.FAILED, State.PAYING, State.PAID, State.FAILED, State.QR_WAITING]

    # a payment that never reached pay is asked about, then voided
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    unsent = rig.run(rig.engine.check(PaymentInput(service, {"account": "9051234568"})))
    assert unsent.state is State.CHECKED
    dialog = supervisor.open_details(unsent.agent_transaction_id)
    dialog.ask_void()
    [box] = dialog.findChildren(QMessageBox)
    assert "Он не был отправлен на оплату" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    assert journal.get(unsent.agent_transaction_id).state is State.CANCELLED
    assert dialog.message.property("kind") == "ok"
    dialog.close()
    supervisor.close()
    rig.close()


def test_payment_details_speak_in_people_s_forms(qtbot: QtBot, loop: qasync.QEventLoop,
                                                 emulator: EmulatorServer,
                                                 tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    make_payment(rig.journal, "choice", 1)
    rig.journal.update(1, amount_to=Decimal("4000.00"))
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    dialog = supervisor.open_details(1)
    shown = {dialog.facts.itemAt(row, dialog.facts.ItemRole.LabelRole).widget().text():
             dialog.facts.itemAt(row, dialog.facts.ItemRole.FieldRole).widget().text()
             for row in range(dialog.facts.rowCount())}
    assert shown["К зачислению"] == "4 000,00 ₽"
    assert shown["  Договор"] == "000000588"  # not «contractId»
    assert shown["Создан"][2] == "." and "T" not in shown["Создан"]  # 01.12.2026 14:05:07
    assert "Номер платежа" in shown and "agentTransactionId" not in shown
    dialog.close()
    supervisor.close()
    rig.close()


def test_audit_details_in_people_s_words() -> None:
    assert detail_text({"state": "failed", "voided": False, "before": "paying",
                        "after": "paid", "result": 0}) == (
        "состояние: не проведён; аннулирован: нет; было: в обработке; стало: оплачен; код: 0")
    assert detail_text({"expected": "1510.00", "counted": "1500.00", "difference": "-10.00",
                        "cashier": "Иванова Анна"}) == (
        "ожидалось: 1 510,00 ₽; пересчитано: 1 500,00 ₽; расхождение: -10,00 ₽; "
        "кассир: Иванова Анна")
    assert detail_text({"failures": 5, "locked_until": "2026-12-01T14:20:00",
                        "retry_at": None, "command": "pay", "where": "командная строка"}) == (
        "неверных подряд: 5; заблокирован до: 01.12.2026 14:20; команда: платёж; "
        "где: командная строка")
    assert detail_text({"format": "xlsx", "payments": 2}) == "формат: XLSX; платежей: 2"
