"""The cashier's workplace end to end against the real emulator, offscreen: log in, open the
shift, pick a service, fill, check, choose, count the cash, pay, see the outcome."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.ui.payment_panel import Step
from tests.ui.helpers import Rig, log_in, make_rig, type_text


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
    assert window.login_page.message.text() == "Неверный PIN"
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
    assert window.balance_label.text() == "Баланс агента: 500 000,00 RUB"
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
    assert window.grab().save(str(screenshots / "payment_simple_paid.png"))
    [body] = pay_requests(emulator)
    assert body["amountTo"] == Decimal("500.00") and body["amountFrom"] == Decimal("510.00")
    [record] = rig.journal.cashier_day(__import__("datetime").date.today(), "Иванова Анна")
    assert record.state is State.PAID and record.shift_id == rig.journal.open_shift_now().id
    assert record.cash_given == Decimal("1000.00") and record.change == Decimal("490.00")
    qtbot.keyClick(panel, Qt.Key.Key_Escape)  # next person: back to the search
    assert panel.step is Step.EMPTY
    rig.close()
