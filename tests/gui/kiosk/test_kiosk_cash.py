"""A person pays at the terminal: touches only, the software validator on a pty takes the
banknotes, the emulator answers on loopback, the receipt goes to a printer on 127.0.0.1.
Each screen is photographed in landscape (1920×1080) and portrait (1080×1920)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal.cash_in import SPENT
from tests.gui.kiosk.helpers import SIZES, KioskRig, kiosk_rig, plain
from tests.unit.receipts.escpos_decode import decode

D = Decimal


def touch_targets_fit(rig: KioskRig) -> None:
    """Every button a person can touch on this screen is at least 48 px each way and
    inside the window (nothing cut off, nothing to scroll to)."""
    window = rig.window
    width, height = SIZES[rig.size]
    assert (window.width(), window.height()) == (width, height)  # it did not grow to fit
    screen = window.stack.currentWidget()
    for button in screen.findChildren(QPushButton):
        if not button.isVisible() or not button.isEnabled():
            continue
        assert button.width() >= 48 and button.height() >= 48, button.text()
        corner = button.mapTo(window, button.rect().bottomRight())
        assert corner.x() <= window.width() and corner.y() <= window.height(), button.text()


@pytest.mark.parametrize("size", ["landscape", "portrait", "square"])
def test_a_phone_paid_with_two_banknotes(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    shots = size != "square"  # 1280×1024 is checked for fit, not photographed

    def shoot(name: str) -> None:
        touch_targets_fit(rig)
        if shots:
            rig.shoot(screenshots, name)

    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        shoot("home")
        rig.touch(rig.tile(w.home.popular, "Билайн"))
        rig.on(w.form)
        assert w.form.keys.currentWidget() is w.form.digits  # a digits-only field
        rig.type_digits(w.form.digits, "905123")
        assert w.form.value.text() == "+7 (905) 123-__-__"
        rig.touch(w.form.next_button)
        assert "ровно 10 цифр" in w.form.message.text()  # the center's regexp, said plainly
        rig.type_digits(w.form.digits, "45678")  # an eleventh digit is not taken
        assert w.form.value.text() == "+7 (905) 123-45-67"
        shoot("form")
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        texts = [plain(label.text()) for label in w.confirm.findChildren(type(w.confirm.note))]
        assert "9051234567" in texts and "1 %, не меньше 10,00 ₽" in texts
        assert "Сдача не выдаётся" in w.confirm.note.text()
        shoot("confirm")
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        assert not w.cash_screen.pay_button.isEnabled()
        assert w.cash_screen.what.text() == "Билайн: 9051234567"
        assert "10, 50, 100, 200, 500, 1 000, 2 000, 5 000" in plain(w.cash_screen.bills.text())
        rig.insert(100, 50)
        assert plain(w.cash_screen.inserted.text()) == "Внесено: 150,00 ₽"
        assert w.cash_screen.cancel_button.text() == "Получить ваучер"
        assert w.cash_screen.pay_button.isEnabled()
        shoot("cash")
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        assert w.result.title.text() == "Платёж проведён"
        assert w.result.text.text() == "Заберите чек"
        assert "зачислено 140,00 ₽" in plain(w.result.detail.text())
        shoot("result")
        record = rig.point.journal.in_state(State.PAID)[0]
        assert (record.amount_from, record.amount_to, record.commission) == (
            D("150.00"), D("140.00"), D("10.00"))
        assert record.cashier == "Терминал 7"
        session = rig.point.journal.cash_of_payment(record.agent_transaction_id)[0]
        assert session.state == SPENT and session.total == D("150.00")
        assert rig.unit.cassette == [D("100.00"), D("50.00")]
        printed = decode(rig.receipts_printed()[-1]).text()
        assert "Терминал" in printed and "Сдача не выдаётся" in printed
        assert "Номер операции" in printed and "ПЛАТЁЖ ПРОВЕДЁН" in printed
        assert "+7 (800) 555-35-35" in printed
        rig.touch(w.result.done_button)
        rig.on(w.home)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_a_pending_payment_is_told_as_accepted_and_its_receipt_says_so(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        emulator.add_fault(method="pay", action="code", result=1, times=-1)  # «в обработке»
        rig.touch(rig.tile(w.home.popular, "МТС"))
        rig.type_digits(w.form.digits, "9151234567")
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        rig.insert(500)
        w.sale.pay_wait = 0.3  # type: ignore[union-attr]
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result, timeout=30)
        assert w.result.title.text() == "Платёж принят и будет проведён"
        assert "Сохраните чек" in w.result.detail.text()
        printed = decode(rig.receipts_printed()[-1]).text()
        assert "ПЛАТЁЖ ПРИНЯТ И БУДЕТ ПРОВЕДЁН" in printed
        rig.shoot(screenshots, "result_pending")
        assert rig.point.journal.in_state(State.PAYING)[0].amount_from == D("500.00")


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_search_with_the_on_screen_keyboard(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(w.home.search_button)
        rig.on(w.search)
        assert w.search.results.empty.text() == "Наберите первые буквы названия"
        for letter in "мег":
            rig.key(w.search.keyboard, letter)
        assert w.search.query.text() == "мег"
        assert w.search.results.visible_texts() == ["МегаФон"]
        touch_targets_fit(rig)
        rig.shoot(screenshots, "search")
        rig.touch(rig.tile(w.search.results, "МегаФон"))
        rig.on(w.form)
        assert w.form.title.text() == "МегаФон"


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_a_group_of_services_and_the_way_back(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.groups, "Сотовая связь"))
        rig.on(w.group)
        assert w.group.tiles.visible_texts() == ["Билайн", "МТС", "МегаФон", "Т2"]
        rig.shoot(screenshots, "group")
        rig.touch(rig.tile(w.group.tiles, "Т2"))
        rig.on(w.form)
        rig.touch(w.form.back_button)  # «Назад» on the first field: out of the form
        rig.on(w.home)
        assert rig.point.journal.unsettled() == []  # nothing was journaled for a form
