"""Numbers pasted into the form through the real clipboard (Ctrl+V, the paste slot), as
cashiers copy them from messages and spreadsheets: cleaned to what the field takes, with a
note under the field; what cannot be made a number stays as pasted, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cashier_app.emulator import EmulatorServer
from cashier_app.ui.cashier.payment.panel import Step
from tests.gui.helpers import log_in, make_rig, type_text
from tests.gui.test_payment_panel_layout import at_size
from tests.gui.test_workplace import checked


def ctrl_v(qtbot: QtBot, widget: object) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


@pytest.mark.parametrize(("pasted", "value", "note"), [
    (" 123 456 7890\n", "1234567890", "Вставлено без пробелов и перевода строки: 1234567890"),
    ("1234567890\r\n", "1234567890", "Вставлено без перевода строки: 1234567890"),
    ("+7 (905) 123-45-67", "9051234567",
     "Вставлено без пробелов, скобок, дефисов и +7: 9051234567"),
    ("9101234567 \n", "9101234567", "Вставлено без пробелов и перевода строки: 9101234567"),
])
def test_a_pasted_phone_number_goes_in_cleaned(qtbot: QtBot, loop: qasync.QEventLoop,
                                               emulator: EmulatorServer, tmp_path: Path,
                                               pasted: str, value: str, note: str) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.open_service("P1012")  # МТС: ^\d{10}$
    form = panel.form
    assert form is not None
    edit = form.rows[0].edit
    QApplication.clipboard().setText(pasted)
    edit.setFocus()
    ctrl_v(qtbot, edit)
    assert edit.text() == value
    assert form.note("account") == note
    assert form.message("account") == ""
    # the paste slot (context menu) does the same, replacing the selection
    edit.selectAll()
    edit.paste()
    assert edit.text() == value and form.note("account") == note
    # typing afterwards: the note was about the paste, it goes
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert form.note("account") == ""
    rig.close()


def test_a_paste_that_is_not_a_number_stays_and_says_why(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.open_service("P1012")
    form = panel.form
    assert form is not None
    edit = form.rows[0].edit
    QApplication.clipboard().setText("Номер: 905 123 45 67\n")
    edit.setFocus()
    ctrl_v(qtbot, edit)
    assert edit.text() == "Номер: 905 123 45 67"  # kept as pasted, not silently dropped
    assert form.note("account") == ("Вставлено как есть: в тексте есть буквы — исправьте "
                                    "вручную")
    assert form.message("account") == "«Номер телефона»: нужно ровно 10 цифр"
    assert window.grab().save(str(screenshots / "form_paste_refused.png"))
    # the cashier fixes it by hand: deleting the words leaves a number, which goes in
    edit.setSelection(0, len("Номер: "))
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    assert edit.text() == "9051234567"
    assert form.message("account") == ""
    # two numbers in one cell are not guessed between
    QApplication.clipboard().setText("9051234567\r\n9057654321\r\n")
    edit.selectAll()
    ctrl_v(qtbot, edit)
    assert edit.text() == "9051234567 9057654321"
    assert form.note("account") == ("Вставлено как есть: в тексте 20 цифр, а в поле 10 цифр — "
                                    "исправьте вручную")
    rig.close()


def test_pasted_then_checked_and_typed_with_a_leading_8(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.open_service("P1012")
    form = panel.form
    assert form is not None
    edit = form.rows[0].edit
    QApplication.clipboard().setText("+7 (910) 123-45-67")
    edit.setFocus()
    ctrl_v(qtbot, edit)
    assert window.grab().save(str(screenshots / "form_paste_cleaned.png"))
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # the only field: Enter checks
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    assert panel.record is not None and panel.record.account == "9101234567"
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    # typed: the eleventh digit of 8 910… shows the 8 was a prefix, and the field says so
    window.open_service("P1012")
    form = panel.form
    assert form is not None
    edit = form.rows[0].edit
    type_text(edit, "89101234567")
    assert edit.text() == "9101234567"
    assert form.note("account") == "Введено без 8 в начале: 9101234567"
    # a letter typed into a digits-only field is refused — and the field says so
    type_text(edit, "ж")
    assert edit.text() == "9101234567"
    assert form.note("account") == "В это поле — только цифры (10 цифр)"
    rig.close()


def test_a_free_text_field_keeps_inner_spaces(qtbot: QtBot, loop: qasync.QEventLoop,
                                              emulator: EmulatorServer, tmp_path: Path
                                              ) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window, panel = rig.window, rig.window.panel
    window.open_service("P3001")  # contract 6-8 digits + an optional e-mail
    form = panel.form
    assert form is not None
    contract, email = form.rows[0].edit, form.rows[1].edit
    QApplication.clipboard().setText("123 456\t\r\n")
    contract.setFocus()
    ctrl_v(qtbot, contract)
    assert contract.text() == "123456"
    QApplication.clipboard().setText("  petrov@example.ru\r\n")
    email.setFocus()
    ctrl_v(qtbot, email)
    assert email.text() == "petrov@example.ru"
    assert form.note("account1") == ("Вставлено без пробелов и перевода строки: "
                                      "petrov@example.ru")
    assert form.message("account1") == ""
    rig.close()
