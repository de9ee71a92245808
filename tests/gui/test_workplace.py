"""The cashier's workplace end to end against the real emulator, offscreen: log in, open the
shift, pick a service, fill, check, choose, count the cash, pay, see the outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal.query import JournalFilter, records
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import Rig, log_in, make_rig, type_text


def pay_requests(emulator: EmulatorServer) -> list[dict]:
    """Every pay body the processing center received, decoded with exact amounts."""
    from cashier_app.core.wire import decode_body

    return [decode_body(raw) for transaction in emulator.center.state()["transactions"]
            for raw in [r.encode() for r in transaction["payRequests"]]]


def fill(rig: Rig, qtbot: QtBot, query: str, values: dict[str, str]) -> None:
    """Search, Enter to the top hit, type each field and Enter to the next; the last Enter
    runs the check."""
    window = rig.window
    window.search_action.trigger()
    window.search_box.clear()
    type_text(window.search_box, query)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    form = window.panel.form
    assert form is not None
    for name, value in values.items():
        edit = next(row.edit for row in form.rows if row.spec.name == name)
        edit.setFocus()
        type_text(edit, value)
    last = form.edits()[-1]
    qtbot.keyClick(last, Qt.Key.Key_Return)


def checked(rig: Rig) -> None:
    rig.wait_for(lambda: rig.window.panel.step is not Step.CHECKING
                 and not rig.window.panel.tasks)


def test_log_in_and_open_the_shift(qtbot: QtBot, loop: qasync.QEventLoop,
                                   emulator: EmulatorServer, tmp_path: Path,
                                   screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    rig.run(window.refresh())
    assert window.pages.currentWidget() is window.login_page
    assert window.payment_blocker() == "Смена не открыта: платежи не принимаются"
    assert [window.login_page.combo.itemText(i) for i in range(2)] == ["Иванова Анна",
                                                                       "Петров Олег"]
    assert window.grab().save(str(screenshots / "login.png"))
    window.login_page.pin.setText("1112")
    rig.run(window.login_page.login())
    assert window.login_page.message.text() == "Неверный PIN. Осталось попыток: 4"
    assert rig.time.slept == [1.0]
    assert window.pages.currentWidget() is window.login_page
    assert window.login_page.pin.text() == ""  # a wrong PIN is not left on screen
    window.login_page.pin.setText("1111")
    qtbot.keyClick(window.login_page.pin, Qt.Key.Key_Return)
    rig.wait_for(lambda: window.pages.currentWidget() is window.shift_page)
    assert "смена не открыта" in window.shift_page.text.text()
    assert window.grab().save(str(screenshots / "shift.png"))
    qtbot.mouseClick(window.shift_page.open_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.work_page
    shift = rig.journal.open_shift_now()
    assert shift is not None and shift.cashier == "Иванова Анна"
    assert window.cashier_label.text() == "Кассир: Иванова Анна"
    assert window.shift_label.text().startswith(f"Смена №{shift.id} с ")
    assert window.balance_label.text().startswith("Баланс агента: 500 000,00 ₽")
    assert window.payment_blocker() is None
    # another cashier cannot open a second shift on the same drawer
    window.logout()
    window.login_page.combo.setCurrentText("Петров Олег")
    window.login_page.pin.setText("2222")
    rig.run(window.login_page.login())
    assert window.pages.currentWidget() is window.shift_page
    assert "открыта смена кассира Иванова Анна" in window.shift_page.text.text()
    assert not window.shift_page.open_button.isEnabled()
    rig.close()


def test_wrong_pins_pause_longer_then_lock_even_after_a_restart(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    page = rig.window.login_page
    page.combo.setCurrentText("Петров Олег")
    seen: list[tuple[bool, bool, str]] = []
    rig.time.during = lambda: seen.append((page.pin.isEnabled(), page.button.isEnabled(),
                                           page.message.text()))
    for left in (4, 3, 2, 1):
        page.pin.setText("0000")
        qtbot.keyClick(page.pin, Qt.Key.Key_Return)
        expected = f"Неверный PIN. Осталось попыток: {left}"
        rig.wait_for(lambda text=expected: page.message.text() == text)
        assert page.pin.text() == "" and page.pin.isEnabled()
    assert rig.time.slept == [1, 2, 4, 8]  # the pause grows …
    # … and the field is disabled while it lasts, with the wait on screen
    assert [(field, button) for field, button, _ in seen] == [(False, False)] * 4
    assert seen[3][2] == "Неверный PIN. Осталось попыток: 1 (следующая — через 8 с)"
    today = date.today()
    failed = [e for e in reversed(rig.journal.audit_entries(today, today))]
    assert [(e.action, e.actor, e.role, e.target, e.details["failures"]) for e in failed] == [
        ("pin_failed", "Петров Олег", "cashier", "вход", n) for n in (1, 2, 3, 4)]

    page.pin.setText("0000")
    rig.run(page.login())  # the fifth in a row locks
    locked = page.message.text()
    assert locked.startswith("Вход кассира Петров Олег заблокирован до ")
    assert locked.endswith(" после 5 неверных PIN подряд. Обратитесь к старшему кассиру.")
    assert rig.time.slept == [1, 2, 4, 8]  # no pause: the lockout says it all
    assert page.unlock_button.isVisible()
    page.pin.setText("2222")  # the right PIN is refused now, and not even checked
    rig.run(page.login())
    assert rig.window.pages.currentWidget() is page and page.message.text() == locked
    assert len(rig.journal.audit_entries(today, today)) == 5
    rig.window.resize(1280, 800)
    assert rig.window.grab().save(str(screenshots / "login_locked.png"))
    # another cashier may still log in
    page.combo.setCurrentText("Иванова Анна")
    assert page.message.text() == "" and not page.unlock_button.isVisible()
    rig.close()

    # a restart: a new window on the same journal is still locked
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, time=rig.time)
    page = rig.window.login_page
    page.combo.setCurrentText("Петров Олег")
    assert page.message.text() == locked  # shown as soon as he is picked
    page.pin.setText("2222")
    rig.run(page.login())
    assert rig.window.pages.currentWidget() is page and page.message.text() == locked

    # the supervisor lifts the lockout early with her PIN
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    dialog = rig.window.pin_dialog
    assert [dialog.combo.itemText(i) for i in range(dialog.combo.count())] == [
        "Сидорова Мария — старший кассир"]
    dialog.pin.setText("9999")
    rig.run(dialog.check())
    assert page.message.text() == "Блокировка снята (Сидорова Мария): Петров Олег может войти"
    assert not page.unlock_button.isVisible()
    unlock = rig.journal.audit_entries(today, today)[0]
    assert (unlock.action, unlock.actor, unlock.role, unlock.target) == (
        "pin_unlock", "Сидорова Мария", "supervisor", "Петров Олег")
    page.pin.setText("2222")
    rig.run(page.login())
    assert rig.window.pages.currentWidget() is rig.window.shift_page
    rig.close()


def test_simple_payment_end_to_end(qtbot: QtBot, loop: qasync.QEventLoop,
                                   emulator: EmulatorServer, tmp_path: Path,
                                   screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    assert panel.service is not None and panel.service.service_id == "P1012"
    assert panel.amount_edit.hasFocus() or not window.isActiveWindow()
    type_text(panel.amount_edit, "500")
    qtbot.keyClick(panel.amount_edit, Qt.Key.Key_Return)  # on to the cash
    type_text(panel.cash_edit, "1000")
    assert panel.commission_label.text() == "10,00"
    assert panel.from_label.text() == "510,00"
    assert panel.change_label.text() == "490,00"
    assert window.grab().save(str(screenshots / "payment_simple_checked.png"))
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_Return)  # Enter in the cash field pays
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid"
    assert "Оплачено: 500,00 ₽ на счёт 9101234567. Сдача: 490,00 ₽" in panel.banner.text()
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "payment_simple_paid.png"))
    [body] = pay_requests(emulator)
    assert body["amountTo"] == Decimal("500.00") and body["amountFrom"] == Decimal("510.00")
    today = date.today()
    [record] = records(rig.journal, JournalFilter(today, today, cashier="Иванова Анна"))
    assert record.state is State.PAID and record.shift_id == rig.journal.open_shift_now().id
    assert record.cash_given == Decimal("1000.00") and record.change == Decimal("490.00")
    qtbot.keyClick(panel, Qt.Key.Key_Escape)  # next person: back to the search
    assert panel.step is Step.EMPTY
    rig.close()


def test_fixed_amount_service(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                              tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "herbalife", {"account": "1234567890", "ev_account1": "0000012346"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    view = panel.result_view
    assert view.rows == {"ФИО": "Иванова Мария Петровна",  # type: ignore[union-attr]
                         "Сумма к оплате": "Сумма к оплате 1200.50 руб.",
                         "Сумма к оплате (фиксированная)": "1 200,50 ₽"}
    assert panel.amount_edit.text() == "1 200,50" and panel.amount_edit.isReadOnly()
    assert panel.from_label.text() == "1 212,51"  # 1 % commission, half up
    assert rig.window.grab().save(str(screenshots / "payment_fixed_amount.png"))
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_F9)
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid"
    [body] = pay_requests(emulator)
    assert body["amountTo"] == Decimal("1200.50") and body["extras"] == {
        "ev_account1": "0000012346"}
    rig.close()


def test_choice_of_contract(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                            tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "банк пример", {"account": "770123456789"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    view = panel.result_view
    table = view.table  # type: ignore[union-attr]
    assert table.rowCount() == 3
    assert [table.item(1, c).text() for c in range(4)] == ["Петров", "2/00-Ф", "2 000,00",
                                                           "16.02.2026"]
    assert view.current() is None  # three contracts: the cashier must pick one
    assert not panel.pay_button.isEnabled()
    table.selectRow(1)
    assert panel.amount_edit.text() == "2 000,00"  # the contract's sum is proposed
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter: on to the amount
    panel.amount_edit.setText("1500")  # the person pays part of it
    assert panel.from_label.text() == "1 515,00"
    assert rig.window.grab().save(str(screenshots / "payment_choice.png"))
    qtbot.mouseClick(panel.pay_button, Qt.MouseButton.LeftButton)
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid", panel.banner.text()
    [body] = pay_requests(emulator)
    assert body["extras"] == {"contractId": "000000588"}
    assert body["amountTo"] == Decimal("1500.00")
    rig.close()


def test_complex_invoice(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                         tmp_path: Path, screenshots: Path) -> None:
    from cashier_app.ui.cashier.payment.check_views import AMOUNT, NEW

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "жкх", {"account": "1000000001"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    view = panel.result_view
    header = view.findChild(type(panel.title), "invoiceHeader")  # type: ignore[union-attr]
    assert "Иванов Иван Иванович" in header.text() and "микрорайон 2, дом 42" in header.text()
    assert "оплатить до 30.11.2026" in header.text()
    names = [line.sub_service_name for line in view.lines]  # type: ignore[union-attr]
    assert names == ["Электроэнергия", "Холодная вода", "ТО газа", "Отопление",
                     "Капитальный ремонт"]
    # meters need readings before the bill can be paid
    assert "Укажите показания счётчика для «Электроэнергия»" in view.problem_label.text()
    assert not panel.pay_button.isEnabled()
    view.set_cell(0, NEW, "4950")
    view.set_cell(1, NEW, "300")  # below the previous reading
    assert "Показания для «Холодная вода» меньше предыдущих" in view.problem_label.text()
    view.set_cell(1, NEW, "318")
    view.set_included(2, False)  # the person does not pay the gas check-up this time
    view.set_cell(3, AMOUNT, "6000")  # above maxSum 5000
    assert view.problem_label.text() == "Сумма за «Отопление» — не больше 5 000,00 ₽"
    assert panel.amount_edit.text() == "—" and not panel.pay_button.isEnabled()
    view.set_cell(3, AMOUNT, "1000,00")
    assert view.problem_label.text() == ""
    total = Decimal("359.80") + Decimal("412.50") + Decimal("1000.00") + Decimal("540.00")
    assert view.total_label.text() == "Итого по квитанции: 2 312,30 ₽"
    assert panel.amount_edit.text() == "2 312,30" and panel.amount_edit.isReadOnly()
    panel.cash_edit.setText("2500")
    assert panel.from_label.text() == "2 335,42" and panel.change_label.text() == "164,58"
    assert rig.window.grab().save(str(screenshots / "payment_complex.png"))
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_Return)
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid", panel.banner.text()
    [body] = pay_requests(emulator)
    assert body["amountTo"] == total
    assert [(s["subServiceId"], s["amount"], s.get("lastCount"))
            for s in body["extraServices"]] == [
        ("36", Decimal("359.80"), "4950"), ("37", Decimal("412.50"), "318"),
        ("2", Decimal("1000.00"), None), ("45", Decimal("540.00"), None)]
    rig.close()


def test_validation_messages_and_nothing_sent(qtbot: QtBot, loop: qasync.QEventLoop,
                                              emulator: EmulatorServer, tmp_path: Path,
                                              screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.open_service("P3001")  # contract 6-8 digits + an optional e-mail
    form = panel.form
    assert form is not None
    account, email = form.rows[0].edit, form.rows[1].edit
    assert account.placeholderText() == "от 6 до 8 цифр"
    type_text(account, "12ab3")  # the mask keeps letters out of a digits-only field
    assert account.text() == "123"
    type_text(email, "not-an-email")
    qtbot.keyClick(email, Qt.Key.Key_Return)  # last field: Enter runs the check
    assert panel.step is Step.FORM
    assert form.message("account") == "«Номер договора»: от 6 до 8 цифр"
    assert form.message("account1") == "«E-mail для чека»: неверный формат"
    assert account.hasFocus() or not window.isActiveWindow()  # the first invalid field
    assert panel.status.text() == "Исправьте выделенные поля"
    assert window.grab().save(str(screenshots / "form_validation.png"))
    assert emulator.center.request_counts.get("check", 0) == 0
    assert rig.journal.max_id() == 0  # nothing journaled either
    account.setText("123456")
    assert form.message("account") == ""  # fixed as the cashier types
    email.clear()  # optional: empty is fine
    assert form.message("account1") == ""
    window.open_service("P1011")
    qtbot.keyClick(panel.form.rows[0].edit, Qt.Key.Key_Return)  # type: ignore[union-attr]
    assert panel.form.message("account") == "Заполните поле «Номер телефона»"  # type: ignore[union-attr]
    rig.close()


def test_check_error_is_shown_next_to_the_field(qtbot: QtBot, loop: qasync.QEventLoop,
                                                emulator: EmulatorServer, tmp_path: Path,
                                                screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "билайн", {"account": "9030000000"})  # not found at the provider
    checked(rig)
    assert panel.step is Step.FORM
    assert "(код 5)" in panel.form.message("account")  # type: ignore[union-attr]
    assert panel.status.text().startswith("Платёж не принят: ")
    assert rig.window.grab().save(str(screenshots / "check_not_found.png"))
    [record] = rig.journal.in_state(State.CHECK_FAILED)
    assert record.result == 5
    # the cashier corrects the number and checks again: a new payment, the old one stays
    edit = panel.form.rows[0].edit  # type: ignore[union-attr]
    edit.setText("9031112233")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    checked(rig)
    assert panel.step is Step.CHECKED
    assert panel.form.message("account") == ""  # type: ignore[union-attr]
    rig.close()


def test_pending_payment_is_finished_in_the_background(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.start()  # the scheduler runs as in the program
    fill(rig, qtbot, "билайн", {"account": "9039990001"})  # the center answers «1» twice
    checked(rig)
    panel.amount_edit.setText("300")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "pending"
    assert "Можно обслуживать следующего клиента" in panel.banner.text()
    # the count follows the bridge's coalesced refresh
    rig.wait_for(lambda: window.pending_label.text() == "В обработке: 1")
    assert window.grab().save(str(screenshots / "payment_pending.png"))
    record = panel.record
    assert record is not None
    qtbot.keyClick(panel, Qt.Key.Key_Escape)  # the next person; the payment goes on
    assert panel.step is Step.EMPTY
    rig.wait_for(lambda: rig.journal.get(record.agent_transaction_id).state is State.PAID)
    assert window.notice_row.isVisible()
    assert window.notice.text().startswith("Платёж из обработки проведён: Билайн, счёт "
                                           "9039990001, 300,00 ₽")
    rig.wait_for(lambda: window.pending_label.text() == "В обработке: нет")
    assert emulator.center.transaction(record.agent_transaction_id).debits == 1
    rig.close()


def test_pending_banner_turns_paid_while_still_on_screen(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.start()
    fill(rig, qtbot, "билайн", {"account": "9039990001"})
    checked(rig)
    panel.amount_edit.setText("300")
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "pending"
    rig.wait_for(lambda: panel.banner.property("kind") == "paid")
    assert "Оплачено: 300,00 ₽" in panel.banner.text()
    rig.close()


def test_double_submit_creates_one_payment(qtbot: QtBot, loop: qasync.QEventLoop,
                                           emulator: EmulatorServer, tmp_path: Path) -> None:
    emulator.add_fault(method="pay", action="delay", seconds=0.5)  # a slow answer invites it
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "т2", {"account": "9001234567"})
    checked(rig)
    panel.amount_edit.setText("100")
    qtbot.mouseDClick(panel.pay_button, Qt.MouseButton.LeftButton)
    panel.start_pay()  # Enter in the cash field
    qtbot.keyClick(panel.cash_edit, Qt.Key.Key_F9)  # and F9
    panel.pay_button.click()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid"
    assert len(pay_requests(emulator)) == 1
    assert emulator.center.request_counts["pay"] == 1
    assert len(rig.journal.in_state(State.PAID)) == 1
    rig.close()


def test_processing_center_down(qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path,
                                screenshots: Path) -> None:
    from tests.conftest import TOKEN

    # the money is taken, the payment waits «в обработке»
    with EmulatorServer(token=TOKEN) as server:
        rig = make_rig(qtbot, loop, server.url, tmp_path)
        log_in(rig, qtbot)
        panel = rig.window.panel
        fill(rig, qtbot, "мтс", {"account": "9101234567"})
        checked(rig)
        assert panel.step is Step.CHECKED
        panel.amount_edit.setText("200")
        # the center goes away between check and pay: every connection is cut
        server.add_fault(method="*", action="reset", times=-1)
        panel.start_pay()
        rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "pending"
    [record] = rig.journal.pending()
    assert record.amount_to == Decimal("200.00")
    # and a new check says plainly that there is no answer; nothing is left half-done
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.FORM
    assert panel.status.text().startswith("Нет ответа процессинга: ")
    assert panel.status.property("kind") == "error"
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert rig.window.grab().save(str(screenshots / "processing_down.png"))
    assert [r.state for r in rig.journal.in_state(State.CHECK_FAILED)] == [State.CHECK_FAILED]
    rig.close()


def test_cancel_a_slow_check(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                             tmp_path: Path) -> None:
    emulator.add_fault(method="check", action="delay", seconds=2)
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    rig.wait_for(lambda: panel.step is Step.CHECKING)
    assert panel.progress.isVisible() and "Esc — отменить" in panel.status.text()
    assert panel.escape_shortcut.key().toString() == "Esc"
    # Esc arrives from Qt's event loop while the asyncio loop runs, as in the program
    rig.loop.call_soon(panel.escape_shortcut.activated.emit)
    rig.wait_for(lambda: panel.step is Step.FORM)
    assert panel.status.text().startswith("Проверка отменена")
    [record] = rig.journal.in_state(State.CANCELLED)
    assert record.result_message == "Проверка отменена кассиром"
    assert panel.form.values() == {"account": "9101234567"}  # type: ignore[union-attr]
    rig.close()


def test_changing_data_after_check_needs_a_new_check(qtbot: QtBot, loop: qasync.QEventLoop,
                                                     emulator: EmulatorServer,
                                                     tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    first = panel.record
    assert panel.step is Step.CHECKED and first is not None
    panel.form.rows[0].edit.setText("9107654321")  # type: ignore[union-attr]
    assert panel.step is Step.FORM and not panel.money_box.isVisible()
    assert rig.journal.get(first.agent_transaction_id).state is State.CANCELLED
    rig.close()


def test_today_list_with_attempts(qtbot: QtBot, loop: qasync.QEventLoop,
                                  emulator: EmulatorServer, tmp_path: Path,
                                  screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    for account, amount in (("9101234567", "150"), ("9039990001", "75")):
        fill(rig, qtbot, "мтс" if account.startswith("910") else "билайн",
             {"account": account})
        checked(rig)
        panel.amount_edit.setText(amount)
        panel.start_pay()
        rig.wait_for(lambda: panel.step is Step.DONE)
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
    window.today_action.trigger()  # Ctrl+2
    page = window.today_page
    assert window.tabs.currentWidget() is page
    table = page.table
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in (1, 2, 3, 6)] == ["Билайн", "9039990001",
                                                                "75,00", "в обработке"]
    assert [table.item(1, c).text() for c in (1, 2, 3, 4, 5, 6)] == [
        "МТС", "9101234567", "150,00", "10,00", "160,00", "оплачен"]
    assert page.summary.text() == ("Сегодня: оплачено 1, в обработке 1, не проведено 0; "
                                   "принято 245,00 ₽")
    table.selectRow(0)
    assert page.attempts.rowCount() == 2  # check, then the first pay answered «в обработке»
    assert [page.attempts.item(r, 1).text() for r in range(2)] == ["проверка", "оплата"]
    assert page.attempts.item(1, 4).text().startswith("код 1")
    rig.redrawn()  # the pending count follows the coalesced refresh
    assert window.grab().save(str(screenshots / "today.png"))
    page.only_pending.setChecked(True)
    assert table.rowCount() == 1
    rig.close()


def test_low_balance_warns_and_blocks(qtbot: QtBot, loop: qasync.QEventLoop,
                                      emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    emulator.center.set_balance(Decimal("5000"))  # below the 10 000 notification level
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    assert window.balance_label.text().startswith("Баланс агента: 5 000,00 ₽")
    assert window.balance_label.text().endswith(" — баланс на исходе")
    assert window.balance_label.property("state") == "warn"
    assert window.payment_blocker() is None
    emulator.center.set_balance(Decimal("0"))  # at the overdraft level: the center stops
    rig.run(window.refresh_balance())
    assert window.balance_label.property("state") == "error"
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.FORM
    assert panel.status.text().startswith("Приём платежей остановлен: баланс агента 0,00 ₽")
    assert emulator.center.request_counts.get("check", 0) == 0
    rig.close()


def test_identity_fields_when_settings_ask_for_them(qtbot: QtBot, loop: qasync.QEventLoop,
                                                    emulator: EmulatorServer,
                                                    tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, identity_fields=True)
    log_in(rig, qtbot)
    panel = rig.window.panel
    rig.window.open_service("P1012")
    form = panel.form
    assert form is not None and set(form.identity) == {"identityCard", "fullName"}
    form.rows[0].edit.setText("9101234567")
    form.identity["identityCard"].setText("4510 123456")
    form.identity["fullName"].setText("Сидоров Пётр")
    panel.start_check()
    checked(rig)
    assert panel.step is Step.CHECKED
    record = panel.record
    assert record is not None
    assert (record.identity_card, record.full_name) == ("4510 123456", "Сидоров Пётр")
    rig.close()
