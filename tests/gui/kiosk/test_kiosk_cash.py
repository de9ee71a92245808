"""A person pays at the terminal: touches only, the software validator on a pty takes the
banknotes, the emulator answers on loopback, the receipt goes to a printer on 127.0.0.1."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal.cash_in import SPENT
from tests.gui.kiosk.helpers import kiosk_rig
from tests.unit.receipts.escpos_decode import decode

D = Decimal


def test_a_phone_paid_with_two_banknotes(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, tmp_path: Path,
                                         screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path) as rig:
        w = rig.window
        rig.shoot(screenshots, "kiosk_home")
        rig.touch(rig.tile(w.home.popular, "Билайн"))
        rig.on(w.form)
        assert w.form.keys.currentWidget() is w.form.digits
        rig.type_digits(w.form.digits, "905123")
        assert w.form.value.text() == "+7 (905) 123-__-__"
        rig.touch(w.form.next_button)
        assert "ровно 10 цифр" in w.form.message.text()
        rig.type_digits(w.form.digits, "4567")
        rig.shoot(screenshots, "kiosk_form")
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        texts = [label.text() for label in w.confirm.findChildren(type(w.confirm.note))]
        assert "9051234567" in texts and "Комиссия 1 %, не меньше 10,00 ₽" in texts
        assert "Сдача не выдаётся" in w.confirm.note.text()
        rig.shoot(screenshots, "kiosk_confirm")
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        assert not w.cash_screen.pay_button.isEnabled()
        rig.insert(100, 50)
        assert w.cash_screen.inserted.text() == "Внесено: 150,00 ₽"
        assert w.cash_screen.pay_button.isEnabled()
        rig.shoot(screenshots, "kiosk_cash")
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        assert w.result.title.text() == "Платёж проведён"
        assert w.result.text.text() == "Заберите чек"
        rig.shoot(screenshots, "kiosk_result")
        record = rig.point.journal.in_state(State.PAID)[0]
        assert (record.amount_from, record.amount_to, record.commission) == (
            D("150.00"), D("140.00"), D("10.00"))
        assert record.cashier == "Терминал 7"
        session = rig.point.journal.cash_of_payment(record.agent_transaction_id)[0]
        assert session.state == SPENT and session.total == D("150.00")
        printed = decode(rig.receipts_printed()[-1]).text()
        assert "Терминал" in printed and "Сдача не выдаётся" in printed
        assert "Номер операции" in printed and "ПЛАТЁЖ ПРОВЕДЁН" in printed
        rig.touch(w.result.done_button)
        rig.on(w.home)
