"""The supervisor's window against the real emulator, a real journal file and a receipt
printer on 127.0.0.1: PIN, the journal view with filters, totals and export; payment details
with «проверить сейчас», reprint and a void attempt; shifts closed with a cash count; the
agent balance; the audit and the integrity check after an edit with the sqlite3 shell."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentInput
from cashier_app.processing.retry import RetryPolicy
from cashier_app.ui.supervisor.shift_dialogs import CashCountDialog, SupervisorPinDialog
from cashier_app.ui.supervisor.window import SupervisorWindow
from tests.gui.helpers import CASHIERS, Rig, log_in, make_rig
from tests.gui.test_receipts_window import config, pay_mts
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import FakePrinter

SUPERVISOR = next(person for person in CASHIERS if person.role.supervises)


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def authorize(rig: Rig, pin: str = "9999") -> SupervisorWindow:
    """Ctrl+J at a cashier's desk: the supervisor's PIN, then the window."""
    window = rig.window
    window.supervisor_action.trigger()
    dialog = window.pin_dialog
    assert isinstance(dialog, SupervisorPinDialog) and dialog.isVisible()
    assert dialog.combo.currentText() == "Сидорова Мария — старший кассир"
    # the PIN is typed at once: the cursor waits in the PIN field, not on the name
    assert dialog.focusWidget() is dialog.pin
    dialog.pin.setText(pin)
    rig.run(dialog.check())
    assert window.supervisor_window is not None
    return window.supervisor_window


def audit_actions(rig: Rig) -> list[str]:
    today = date.today()
    return [entry.action for entry in reversed(rig.journal.audit_entries(today, today))]


def test_pin_journal_filters_totals_and_export(qtbot: QtBot, loop: qasync.QEventLoop,
                                               emulator: EmulatorServer, printer: FakePrinter,
                                               tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    log_in(rig, qtbot)
    pay_mts(rig, qtbot, "500")
    rig.window.panel.clear()
    pay_mts(rig, qtbot, "250")
    window = rig.window

    # a cashier's PIN is not a supervisor's: the window does not open
    window.supervisor_action.trigger()
    dialog = window.pin_dialog
    dialog.pin.setText("1111")
    rig.run(dialog.check())
    assert dialog.message.text() == "Неверный PIN. Осталось попыток: 4"
    assert window.supervisor_window is None and rig.time.slept == [1.0]
    assert dialog.grab().save(str(screenshots / "supervisor_pin.png"))
    today = date.today()
    failed = rig.journal.audit_entries(today, today)[0]  # audited against the supervisor
    assert (failed.action, failed.actor, failed.role, failed.target) == (
        "pin_failed", "Сидорова Мария", "supervisor", "старший кассир")
    dialog.reject()
    supervisor = authorize(rig)
    assert supervisor.actor.name == "Сидорова Мария"
    view = supervisor.journal_view
    rig.run(view.wait_totals())
    assert view.model.total == 2 and view.count_label.text() == "Показано платежей: 2"
    assert view.totals is not None and view.totals.all.amount_to == Decimal("750.00")
    assert view.totals.all.amount_from == Decimal("770.00")  # 1 %, at least 10 ₽ each
    assert view.totals.by_state[State.PAID].count == 2
    assert [(sid, name) for sid, name, _ in view.totals.by_service] == [("P1012", "МТС")]
    newest = view.model.data(view.model.index(0, 4))
    assert newest == "250,00"  # newest first
    assert view.model.data(view.model.index(0, 8)) == "оплачен"
    assert view.model.data(view.model.index(0, 2)) == "МТС (P1012)"
    assert view.totals_tree.topLevelItem(0).text(2) == "750,00"
    supervisor.resize(1280, 800)
    assert supervisor.grab().save(str(screenshots / "supervisor_journal.png"))

    view.amount_min.setText("300")
    view.apply()
    assert view.model.total == 1
    view.amount_min.setText("abc")
    view.apply()
    assert "Не сумма" in view.message.text() and view.model.total == 1  # kept, not lost
    view.amount_min.clear()
    record = rig.journal.get(int(view.model.data(view.model.index(0, 11))))
    view.search.setText(str(record.transaction_id))
    view.apply()
    assert view.model.total == 1 and view.selected_id() == record.agent_transaction_id
    view.search.setText("9101")  # the account's beginning
    view.apply()
    assert view.model.total == 2
    view.search.clear()
    view.state.setCurrentIndex(view.state.findData(str(State.FAILED)))
    assert view.model.total == 0
    view.state.setCurrentIndex(0)
    assert view.model.total == 2

    target = tmp_path / "export.csv"
    rig.run(view.start_export("csv", target))
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [r["К зачислению"] for r in rows] == ["500,00", "250,00"]  # oldest first in a file
    assert rows[0]["transactionId"] == str(record.transaction_id)  # the 500,00 found above
    book = tmp_path / "export.xlsx"
    rig.run(view.start_export("xlsx", book))
    sheet = load_workbook(book).active
    assert [c.value for c in sheet[3]][6] == 250 and sheet.cell(3, 7).data_type == "n"
    assert view.message.text().startswith("Выгружено платежей: 2")
    # the right PIN ends the run of failures (pin_ok), then the window's own log-in row
    assert audit_actions(rig) == ["pin_failed", "pin_ok", "supervisor_login", "export",
                                  "export"]
    supervisor.close()
    rig.close()


def pending_payment(rig: Rig, emulator: EmulatorServer) -> int:
    """A payment left «в обработке» in the cashier's shift (the center answers HTTP 502)."""
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    emulator.add_fault(method="pay", action="http", times=50)
    who, shift_id = rig.window.session.who()
    record = rig.run(rig.engine.check(PaymentInput(service, {"account": "9051234567"},
                                                   cashier=who, shift_id=shift_id)))
    record = rig.run(rig.engine.pay(record.agent_transaction_id,
                                    rig.engine.plan(record, amount=Decimal("100"))))
    assert record.state is State.PAYING
    return int(record.agent_transaction_id)


def test_payment_details_check_now_reprint_and_void(qtbot: QtBot, loop: qasync.QEventLoop,
                                                    emulator: EmulatorServer,
                                                    printer: FakePrinter, tmp_path: Path,
                                                    screenshots: Path) -> None:
    # retries far apart: only «проверить сейчас» sends the next attempt during the test
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer),
                   retry=RetryPolicy(60, 2, 120))
    log_in(rig, qtbot)
    tx_id = pending_payment(rig, emulator)
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    dialog = supervisor.open_details(tx_id)
    assert dialog.check_button.isEnabled()
    methods = [dialog.attempts.item(row, 1).text() for row in range(dialog.attempts.rowCount())]
    assert methods == ["проверка", "оплата"]  # in words; the bodies keep the protocol's
    assert '"agentTransactionId"' in dialog.request.toPlainText()  # the pay body as sent
    assert dialog.body_titles[0].text() == "Запрос как отправлен (pay)"
    assert dialog.answer.toPlainText() == "—"  # HTTP 502: no answer
    dialog.attempts.selectRow(0)
    assert '"result": 0' in dialog.answer.toPlainText()  # the check's answer, as received
    dialog.tabs.setCurrentIndex(1)
    assert dialog.grab().save(str(screenshots / "payment_details.png"))

    emulator.clear_faults()
    rig.run(dialog.check_now())
    assert rig.journal.get(tx_id).state is State.PAID
    assert dialog.message.text().startswith("Проверено: оплачен")
    assert not dialog.check_button.isEnabled()
    assert [dialog.attempts.item(r, 1).text() for r in range(dialog.attempts.rowCount())] == [
        "проверка", "оплата", "оплата"]

    dialog.tabs.setCurrentIndex(2)
    assert "К зачислению" in dialog.receipt_view.plain_text()
    assert dialog.grab().save(str(screenshots / "payment_details_receipt.png"))
    before = len(printer.received)
    rig.run(dialog.reprint())
    paper = decode(printer.wait_received(before + 1)[-1]).text()
    assert str(tx_id) in paper and "100,00" in paper

    text = dialog.void()
    assert text.startswith("Аннулировать нельзя: платёж проведён")
    assert f"по номеру операции {rig.journal.get(tx_id).transaction_id}" in text
    assert rig.journal.get(tx_id).state is State.PAID
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    unsent = rig.run(rig.engine.check(PaymentInput(service, {"account": "9051234568"})))
    other = supervisor.open_details(unsent.agent_transaction_id)
    assert other.void().startswith("Платёж аннулирован")
    assert rig.journal.get(unsent.agent_transaction_id).state is State.CANCELLED
    actions = audit_actions(rig)
    assert actions == ["supervisor_login", "check_now", "reprint", "void_attempt",
                       "void_attempt"]
    today = date.today()
    voids = [e for e in rig.journal.audit_entries(today, today) if e.action == "void_attempt"]
    assert [e.details["voided"] for e in voids] == [True, False]  # newest first
    supervisor.close()
    rig.close()


def test_shifts_closed_with_a_cash_count(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, printer: FakePrinter,
                                         tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, printer=config(printer))
    window = rig.window
    rig.run(window.refresh())
    page = window.login_page
    page.pin.setText("1111")
    rig.run(page.login())
    window.shift_page.opening.setText("1000")
    window.open_shift()
    assert window.shift is not None and window.shift.opening_cash == Decimal("1000.00")
    pay_mts(rig, qtbot, "500")  # 510,00 taken in cash
    window.panel.clear()

    window.close_shift_action.trigger()
    count = window.count_dialog
    assert isinstance(count, CashCountDialog)
    assert "1\u00a0510,00\u00a0₽" in count.expected_label.text()  # never split by a wrap
    count.by_pieces.setChecked(True)
    count.pieces["1000"].setValue(1)
    count.pieces["500"].setValue(1)
    assert count.amount.text() == "1 500,00"
    assert count.difference.text() == "Недостача: 10,00 ₽"
    assert count.difference.property("kind") == "error"  # a shortage is red
    count.pieces["10"].setValue(1)
    assert count.difference.text() == "Сходится: расхождения нет"
    assert count.difference.property("kind") == "ok"  # green, not red
    assert count.grab().save(str(screenshots / "cash_count_exact.png"))
    count.pieces["10"].setValue(2)
    assert count.difference.text() == "Излишек: 10,00 ₽"
    assert count.difference.property("kind") == "warn"  # amber
    count.pieces["10"].setValue(0)
    assert count.grab().save(str(screenshots / "cash_count.png"))
    count.finish()
    closed = rig.journal.shift(1)
    assert (closed.expected_cash, closed.counted_cash, closed.cash_difference) == (
        Decimal("1510.00"), Decimal("1500.00"), Decimal("-10.00"))
    assert closed.denominations == {"1000": 1, "500": 1}
    assert window.pages.currentWidget() is window.shift_page
    assert "Недостача: 10,00 ₽" in window.shift_page.message.text()
    assert window.shift_page.message.property("kind") == "error"
    rig.wait_for(lambda: len(printer.received) >= 2)  # the payment's receipt, then the Z
    z_paper = decode(printer.received[1]).text()
    assert "Z-ОТЧЁТ" in z_paper and "Пересчитано" in z_paper
    assert "Расхождение (недостача)" in z_paper and "-10,00" in z_paper

    # the next cashier's shift is closed by the supervisor from the supervisor's window
    window.logout()
    page.combo.setCurrentText("Петров Олег")
    page.pin.setText("2222")
    rig.run(page.login())
    window.open_shift()
    assert window.shift is not None and window.shift.id == 2
    supervisor = window.show_supervisor(SUPERVISOR)
    supervisor.tabs.setCurrentWidget(supervisor.shifts_view)
    shifts_view = supervisor.shifts_view
    assert shifts_view.selected() is not None and shifts_view.selected().id == 2
    assert shifts_view.close_button.isEnabled()
    closed_two = shifts_view.close_shift(2, Decimal("0.00"), None)
    assert closed_two is not None and closed_two.closed_by == "Сидорова Мария"
    assert window.shift is None and window.pages.currentWidget() is window.shift_page
    assert "закрыл(а) Сидорова Мария" in window.notices[-1]
    shifts_view.table.selectRow(1)  # shift 1: fixed totals and its count
    assert "итоги зафиксированы" in shifts_view.details.text()
    assert "Недостача: 10,00 ₽" in shifts_view.details.text()
    assert shifts_view.table.item(1, 7).data(Qt.ItemDataRole.UserRole) == "error"
    assert shifts_view.table.item(0, 7).data(Qt.ItemDataRole.UserRole) == "ok"  # 0,00
    assert shifts_view.message.text() == "Смена №2 закрыта. Сходится: расхождения нет"
    assert shifts_view.message.property("kind") == "ok"
    supervisor.tabs.setCurrentWidget(supervisor.audit_view)
    details = [supervisor.audit_view.table.item(row, 5).text()
               for row in range(supervisor.audit_view.table.rowCount())]
    assert any("ожидалось: 1 510,00 ₽; пересчитано: 1 500,00 ₽; расхождение: -10,00 ₽"
               in text for text in details), details
    assert not any("1510.00" in text for text in details)
    supervisor.tabs.setCurrentWidget(shifts_view)
    supervisor.resize(1280, 800)
    assert supervisor.grab().save(str(screenshots / "supervisor_shifts.png"))
    assert audit_actions(rig) == ["shift_close", "supervisor_login", "shift_close"]
    supervisor.close()
    rig.close()


def test_balance_and_integrity_check_after_a_shell_edit(qtbot: QtBot, loop: qasync.QEventLoop,
                                                        emulator: EmulatorServer,
                                                        tmp_path: Path,
                                                        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot, name="Сидорова Мария", pin="9999")  # a supervisor at the desk
    pay_mts(rig, qtbot, "300")
    record = rig.window.panel.record
    assert record is not None and record.state is State.PAID
    rig.window.supervisor_action.trigger()  # no PIN asked again: the supervisor is logged in
    supervisor = rig.window.supervisor_window
    assert supervisor is not None and supervisor.actor.name == "Сидорова Мария"

    supervisor.tabs.setCurrentWidget(supervisor.balance_view)
    balance = supervisor.balance_view
    rig.run(balance.start_refresh())
    expected = format(emulator.center.balance.quantize(Decimal("0.01")), ",.2f").replace(
        ",", " ").replace(".", ",")
    assert balance.values["balance"].text() == f"{expected} ₽"  # the rouble as «₽», not RUB
    assert "RUB" not in balance.values["overdraft"].text()
    assert balance.values["level"].text() == "в норме"
    assert "Проведено платежей: 1" in balance.movement.text()
    assert "300,00" in balance.movement.text()
    assert balance.history.rowCount() >= 1
    supervisor.resize(1100, 700)
    assert supervisor.grab().save(str(screenshots / "supervisor_balance.png"))

    supervisor.tabs.setCurrentWidget(supervisor.audit_view)
    audit = supervisor.audit_view
    whole = rig.run(audit.start_verify())
    assert whole.ok and audit.result.property("kind") == "ok"
    sqlite3 = shutil.which("sqlite3")
    assert sqlite3 is not None
    subprocess.run([sqlite3, str(rig.journal.path), "update payments set state = 'failed' "
                    f"where agent_transaction_id = {record.agent_transaction_id}"],
                   check=True, timeout=30)
    broken = rig.run(audit.start_verify())
    assert not broken.ok and audit.result.property("kind") == "error"
    assert audit.result.text().startswith("НАРУШЕНА ЦЕЛОСТНОСТЬ ЖУРНАЛА")
    assert audit.problems.item(0).text().startswith(
        f"Платёж {record.agent_transaction_id}: запись изменена вне программы")
    assert audit.table.rowCount() == 3  # login, two checks
    assert audit.table.item(0, 3).text() == "проверка целостности"
    assert supervisor.grab().save(str(screenshots / "supervisor_audit.png"))
    supervisor.close()
    rig.close()
