"""The three schemes at the terminal, end to end with banknotes: a fixed sum (displays shown,
the change given as a voucher), a contract chosen from large buttons, and a ЖКХ invoice whose
lines are toggled, their amounts and meter readings typed on the keypad."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal.cash_in import CHANGE, VOUCHER
from tests.gui.kiosk.helpers import KioskRig, kiosk_rig, plain
from tests.unit.receipts.escpos_decode import decode

D = Decimal


def confirm_texts(rig: KioskRig) -> list[str]:
    confirm = rig.window.confirm
    return [plain(label.text()) for label in confirm.findChildren(type(confirm.note))]


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_a_fixed_sum_with_its_change_as_a_voucher(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.groups, "Товары по каталогам"))
        rig.touch(rig.tile(w.group.tiles, "Herbalife"))
        rig.on(w.form)
        rig.type_digits(w.form.digits, "1234567890")
        rig.touch(w.form.next_button)
        assert w.form.field_title.text() == "Номер заказа"
        rig.type_digits(w.form.digits, "0000012345")
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        texts = confirm_texts(rig)
        assert "Иванова Мария Петровна" in texts and "4 350,00 ₽" in texts
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        rig.insert(2000, 2000, 200, 100, 50, 10, 10, 10, 10)
        assert plain(w.cash_screen.message.text()) == "Осталось внести 3,50 ₽"
        assert not w.cash_screen.pay_button.isEnabled()
        assert "Принимаются купюры: 10 ₽" in plain(w.cash_screen.bills.text())
        rig.insert(10)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        detail = plain(w.result.detail.text())
        assert "Сдача 6,50 ₽ — ваучер" in detail
        rig.shoot(screenshots, "result_change")
        paid = rig.point.journal.in_state(State.PAID)[0]
        assert (paid.amount_to, paid.amount_from, paid.change) == (
            D("4350.00"), D("4393.50"), D("6.50"))
        change = next(s for s in rig.point.journal.cash_of_payment(paid.agent_transaction_id)
                      if s.purpose == CHANGE)
        assert change.state == VOUCHER and change.voucher in detail
        printed = [decode(data).text() for data in rig.receipts_printed()]
        assert any("ВАУЧЕР" in text and change.voucher in text for text in printed)
        assert any("Сдача ваучером" in text for text in printed)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_a_contract_chosen_from_large_buttons(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.popular, "Банк «Пример»"))
        rig.on(w.form)
        assert w.form.hint.text() == "12 цифр, набрано 0"
        rig.type_digits(w.form.digits, "770123456789")
        rig.touch(w.form.next_button)
        rig.on(w.contracts)
        assert [b.text().split("\n")[0] for b in w.contracts.buttons] == ["Петров"] * 3
        rig.shoot(screenshots, "contracts")
        rig.touch(w.contracts.buttons[1])
        rig.on(w.confirm)
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        rig.insert(1000, 1000)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        paid = rig.point.journal.in_state(State.PAID)[0]
        assert paid.extras["contractId"] == "000000588"
        assert (paid.amount_from, paid.amount_to) == (D("2000.00"), D("1980.20"))


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_invoice_lines_toggled_with_amounts_and_meter_readings(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.popular, "ЕРЦ «Городские коммунальные системы»"))
        rig.type_digits(w.form.digits, "1000000001")
        rig.touch(w.form.next_button)
        rig.on(w.invoice)
        assert [row.line.sub_service_name for row in w.invoice.rows] == [
            "Электроэнергия", "Холодная вода", "ТО газа", "Отопление", "Капитальный ремонт"]
        rig.shoot(screenshots, "invoice")
        # pay the electricity (with its meter) and the gas service only
        for index in (1, 3, 4):
            w.invoice.toggle(index)
        rig.touch(w.invoice.pay_button)
        assert "показания счётчика" in w.invoice.message.text()  # the engine's own words
        w.invoice.edit.emit(0, "reading")
        rig.on(w.number)
        assert "4 870" in plain(w.number.hint.text()) or "4870" in w.number.hint.text()
        rig.type_digits(w.number.pad, "4920")
        rig.touch(w.number.ok_button)
        rig.on(w.invoice)
        w.invoice.edit.emit(0, "amount")  # 359,80 → 360 (whole banknotes)
        rig.on(w.number)
        rig.key(w.number.pad, "Стереть")
        rig.type_digits(w.number.pad, "320")
        rig.touch(w.number.ok_button)
        rig.on(w.invoice)
        assert plain(w.invoice.total.text()) == "Итого: 400,00 ₽"
        rig.touch(w.invoice.pay_button)
        rig.on(w.confirm)
        rig.touch(w.confirm.cash_button)
        rig.on(w.cash_screen)
        rig.insert(200, 200)  # 400 and the 10 ₽ minimum commission: 410,00 ₽ due
        assert plain(w.cash_screen.message.text()) == "Осталось внести 10,00 ₽"
        rig.insert(10)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        paid = rig.point.journal.in_state(State.PAID)[0]
        assert paid.extra_services == [
            {"subServiceId": "36", "amount": "320.00", "lastCount": "4920"},
            {"subServiceId": "13", "amount": "80.00", "lastCount": None}]
        assert (paid.amount_to, paid.amount_from, paid.change) == (
            D("400.00"), D("410.00"), D("0.00"))
