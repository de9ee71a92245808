"""The status bar tells the truth about the processing center and the balance, and the notice
row does not contradict the screen — against the real emulator, offscreen.

The connection field follows every request's outcome (check, pay, QR, catalog, balance), so
a pay that fails for lack of connection turns it red at once, and a paid payment turns it
green again; the balance follows payments and keeps its last known value (with its time)
when a refresh fails."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.core.text import money
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentInput, RequestAnswered
from cashier_app.journal import PaymentRecord
from cashier_app.processing.sbp import SbpClient
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import Rig, log_in, make_rig, type_text


def service(emulator: EmulatorServer, service_id: str = "P1011") -> ServiceDefinition:
    wire = next(s for s in emulator.center.catalog["services"] if s["serviceId"] == service_id)
    return ServiceDefinition.from_wire(wire)


def checked_payment(rig: Rig, emulator: EmulatorServer, account: str) -> PaymentRecord:
    record = rig.run(rig.engine.check(PaymentInput(service(emulator), {"account": account})))
    assert isinstance(record, PaymentRecord) and record.state is State.CHECKED
    return record


def pay(rig: Rig, emulator: EmulatorServer, account: str, amount: str = "100") -> PaymentRecord:
    record = checked_payment(rig, emulator, account)
    paid = rig.run(rig.engine.pay(record.agent_transaction_id,
                                  rig.engine.plan(record, amount=Decimal(amount))))
    assert isinstance(paid, PaymentRecord)
    return paid


def online(rig: Rig) -> bool:
    label = rig.window.connection_label
    return label.property("state") == "ok" and label.text() == "Процессинг: на связи"


def test_a_pay_without_connection_turns_the_indicator_red_and_a_paid_one_green(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    assert online(rig)
    # every pay is cut off: the catalog was fine a minute ago, the payments are not
    emulator.add_fault(method="pay", action="drop", times=-1)
    record = pay(rig, emulator, "9051112233")
    assert record.state is State.PAYING
    label = window.connection_label
    assert label.property("state") == "error"
    assert label.text() == "Связь с процессингом прервалась"
    assert "последний ответ процессинга" in label.toolTip()
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "status_pay_failed.png"))
    # the center is back: the next attempt is paid, and the field says so without waiting
    # for the next catalog refresh
    emulator.clear_faults()
    again = rig.run(rig.engine.attempt(record.agent_transaction_id))
    assert isinstance(again, PaymentRecord) and again.state is State.PAID
    assert online(rig)
    assert emulator.center.request_counts["services"] == 1  # no refresh was needed for it
    rig.close()


def test_after_a_failed_refresh_a_paid_payment_turns_the_indicator_green(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    emulator.add_fault(method="services", action="http", status=502, times=1)
    emulator.add_fault(method="balance", action="http", status=502, times=1)
    rig.run(rig.window.refresh())
    assert rig.window.connection_label.property("state") == "error"
    assert rig.window.connection_label.text() == "Процессинг ответил ошибкой HTTP 502"
    assert pay(rig, emulator, "9051112234").state is State.PAID
    assert online(rig)
    rig.close()


def test_the_check_and_the_qr_polls_move_the_indicator(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    rig.engine.sbp = SbpClient(rig.client, lifetime=120, poll_interval=0.05)
    log_in(rig, qtbot)
    emulator.add_fault(method="check", action="reset", times=-1)
    record = rig.run(rig.engine.check(PaymentInput(service(emulator), {"account": "9051112235"}),
                                      attempts=1))
    assert isinstance(record, PaymentRecord) and record.state is State.CHECK_FAILED
    assert rig.window.connection_label.property("state") == "error"
    emulator.clear_faults()
    record = checked_payment(rig, emulator, "9051112236")
    assert online(rig)
    plan = rig.engine.plan(record, amount=Decimal("300"))
    waiting = rig.run(rig.engine.start_qr(record.agent_transaction_id, plan.money))
    assert isinstance(waiting, PaymentRecord) and waiting.qr_status == "CREATED"
    emulator.add_fault(method="qr-code/checkstatus", action="drop", times=1)
    rig.run(rig.engine.poll_qr(record.agent_transaction_id))
    assert rig.window.connection_label.property("state") == "error"
    rig.run(rig.engine.poll_qr(record.agent_transaction_id))  # a poll that is answered
    assert online(rig)
    rig.run(rig.engine.cancel_qr(record.agent_transaction_id))
    rig.close()


def test_a_broken_request_listener_does_not_break_a_payment(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    seen: list[str] = []

    def broken(event: RequestAnswered) -> None:
        seen.append(event.sent.outcome)
        raise RuntimeError("an observer with a bug")

    rig.engine.events.subscribe(RequestAnswered, broken)
    log_in(rig, qtbot)
    assert pay(rig, emulator, "9051112237").state is State.PAID
    assert seen == ["answer", "answer"]  # told once per request: the check, the pay
    assert online(rig)  # the window's own listener still ran
    rig.close()


def test_the_balance_follows_payments_at_most_once_per_gap(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    window.balance_gap = 1.0
    log_in(rig, qtbot)
    counts = emulator.center.request_counts
    assert counts["balance"] == 1
    for number in range(3):  # a busy minute: three paid payments in a row
        assert pay(rig, emulator, f"905111224{number}", "250").state is State.PAID
    expected = Decimal(str(emulator.center.state()["balance"]))
    assert expected < Decimal("500000")
    rig.wait_for(lambda: money(expected) in window.balance_label.text(), timeout=5)
    assert counts["balance"] == 2  # one answer for all three
    assert window.balance_label.text() == (
        f"Баланс агента: {money(expected)} (на {datetime.now():%H:%M})")
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "status_balance_after_payments.png"))
    rig.run(__import__("asyncio").sleep(1.2))
    assert counts["balance"] == 2  # nothing more to ask
    rig.close()


def test_a_failed_balance_refresh_keeps_the_last_balance_with_its_time(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    shown = window.balance_label.text()
    assert shown.startswith("Баланс агента: 500 000,00 ₽ (на ")
    emulator.add_fault(method="balance", action="http", status=503, times=1)
    rig.run(window.refresh_balance())
    assert window.balance_label.text() == shown  # not «нет данных»
    assert window.balance_label.property("state") == "ok"
    assert "не обновился" in window.balance_label.toolTip()
    assert "HTTP 503" in window.balance_label.toolTip()
    assert window.connection_label.property("state") == "error"
    assert window.grab().save(str(screenshots / "status_balance_kept.png"))
    rig.close()


def test_a_notice_about_a_payment_goes_once_the_payment_moves_on(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    emulator.add_fault(method="check", action="delay", seconds=0.6, times=1)
    window.open_service("P1011")
    assert panel.form is not None
    type_text(panel.form.rows[0].edit, "9051112250")
    panel.start_check()
    rig.wait_for(lambda: panel.step is Step.CHECKING)
    assert not window.open_service("P1012")  # another service while the check is on its way
    assert window.notice_row.isVisible()
    assert window.notice.text() == "Дождитесь ответа по текущему платежу или нажмите Esc"
    rig.wait_for(lambda: panel.step is not Step.CHECKING and not panel.tasks)
    # the check is answered: «дождитесь ответа» is no longer true, and is not left up
    assert not window.notice_row.isVisible()
    assert window.open_service("P1012")
    rig.close()


def test_a_notice_is_seen_on_every_page_and_leaves_the_status_fields_alone(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    rig.run(rig.window.refresh())
    window = rig.window
    assert window.pages.currentWidget() is window.login_page
    window.show_notice("Файл настроек /home/kassa/.config/cashier-app/config.toml читают "
                       "другие пользователи компьютера", "warn")
    assert window.notice_row.isVisible()  # on the log-in page too
    assert window.statusBar().currentMessage() == ""  # the fields are not covered by it
    for label in (window.cashier_label, window.connection_label, window.catalog_label,
                  window.pending_label, window.balance_label):
        assert label.isVisible(), label.objectName()
    assert window.grab().save(str(screenshots / "notice_on_login.png"))
    qtbot.mouseClick(window.notice_close, Qt.MouseButton.LeftButton)
    assert not window.notice_row.isVisible()
    rig.close()
