"""What a terminal does with nobody helping: «Вы ещё здесь?» and back home — or, with cash in,
a printed voucher, never a silent reset; out of service when the validator jams or the
printer has no paper, and back when they are fixed; the service menu behind a hidden
gesture and a PIN; a restart after a crash; and QR СБП as the second way to pay."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.journal.cash_in import EMPTY, OPEN, VOUCHER
from tests.gui.kiosk.helpers import KioskRig, kiosk_rig, plain
from tests.unit.receipts.escpos_decode import decode

D = Decimal


def to_cash_screen(rig: KioskRig, phone: str = "9051234567") -> None:
    w = rig.window
    rig.touch(rig.tile(w.home.popular, "Билайн"))
    rig.type_digits(w.form.digits, phone)
    rig.touch(w.form.next_button)
    rig.on(w.confirm)
    rig.touch(w.confirm.cash_button)
    rig.on(w.cash_screen)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_idle_without_cash_asks_then_goes_home(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size, idle=0.6, countdown=1.0) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.popular, "Билайн"))
        rig.type_digits(w.form.digits, "905")
        rig.wait_for(w.idle_overlay.isVisible, timeout=5)
        assert "вернётся на главный экран" in w.idle_overlay.detail.text()
        rig.shoot(screenshots, "idle")
        rig.touch(w.idle_overlay.yes)  # «Да»: the form stays as it was
        assert not w.idle_overlay.isVisible() and w.stack.currentWidget() is w.form
        assert w.form.text == "905"
        rig.on(w.home, timeout=5)  # nobody touches again: home
        assert not w.idle_overlay.isVisible()


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_idle_with_cash_never_resets_silently_it_prints_a_voucher(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size, idle=0.5, cash_idle=1.0,
                   countdown=1.0) as rig:
        w = rig.window
        to_cash_screen(rig)
        rig.insert(100)
        rig.wait_for(w.idle_overlay.isVisible, timeout=5)
        assert "будет напечатан ваучер" in w.idle_overlay.detail.text()
        rig.on(w.voucher, timeout=5)
        code = w.voucher.code.text().removeprefix("Код ваучера: ")
        assert plain(w.voucher.amount.text()) == "Внесено: 100,00 ₽"
        rig.shoot(screenshots, "voucher")
        session = rig.point.journal.voucher(code)
        assert session is not None and session.state == VOUCHER
        assert session.total == D("100.00")
        assert any(code in decode(data).text() for data in rig.receipts_printed())
        record = rig.point.journal.get(session.agent_transaction_id) if (
            session.agent_transaction_id) else None
        assert record is None  # no payment was made of it
        assert rig.point.journal.in_state(State.CANCELLED)  # the checked payment closed


def test_giving_up_before_any_bill_leaves_nothing(qtbot: QtBot, loop: qasync.QEventLoop,
                                                  emulator: EmulatorServer,
                                                  tmp_path: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path) as rig:
        w = rig.window
        to_cash_screen(rig)
        assert w.cash_screen.cancel_button.text() == "Отмена"
        rig.touch(w.cash_screen.cancel_button)
        rig.on(w.home)
        sessions = list(rig.point.journal.db.query("select state from cash_sessions"))
        assert [row["state"] for row in sessions] == [EMPTY]
        assert rig.unit.enabled == set()


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_out_of_service_when_the_validator_jams_and_back_when_cleared(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.unit.jam()
        rig.on(w.out_of_service, timeout=10)
        assert "Терминал № 7" in w.out_of_service.contact.text()
        assert "+7 (800) 555-35-35" in plain(w.out_of_service.contact.text())
        assert "Купюроприёмник" in w.out_of_service.reason.text()
        rig.shoot(screenshots, "out_of_service")
        rig.unit.clear()
        rig.on(w.home, timeout=10)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_out_of_paper_refuses_or_goes_on_with_the_receipt_on_screen(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path / "refuse", size=size,
                   printer_status=0x72) as rig:
        rig.on(rig.window.out_of_service)
        assert "бумаги" in rig.window.out_of_service.reason.text()
    with kiosk_rig(qtbot, loop, emulator, tmp_path / "screen", size=size, printer_status=0x72,
                   paper_out="screen") as rig:
        w = rig.window
        rig.on(w.home)
        to_cash_screen(rig)
        rig.insert(100)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        assert w.result.title.text() == "Платёж проведён"
        assert w.result.receipt_row.isVisible()
        assert "ЧЕК №" in w.result.receipt.plain_text()
        assert "agentTransactionId=" in w.result.qr.text
        rig.shoot(screenshots, "receipt_on_screen")


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_the_service_menu_behind_a_gesture_and_a_pin(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        corner = QPoint(w.width() - 20, 20)
        for _ in range(4):
            rig.touch_at(w.home, corner)
        assert w.stack.currentWidget() is w.home  # four touches are not the gesture
        rig.touch_at(w.home, corner)
        rig.on(w.menu)
        assert w.menu.people.visible_texts() == ["Сидорова Мария"]  # supervisors only
        rig.touch(rig.tile(w.menu.people, "Сидорова Мария"))
        rig.type_digits(w.menu.pad, "1234")
        rig.touch(w.menu.enter)
        rig.wait_for(lambda: "Неверный PIN" in w.menu.message.text())
        assert w.menu.pages.currentIndex() == 1
        today = date.today()
        assert "pin_failed" in [e.action for e in rig.point.journal.audit_entries(today, today)]
        w.menu.guard.sleep = lambda _s: asyncio.sleep(0)  # the pause after a wrong PIN
        w.menu.guard.clock = lambda: datetime.now() + timedelta(seconds=5)
        rig.type_digits(w.menu.pad, "9999")
        rig.touch(w.menu.enter)
        rig.wait_for(lambda: w.menu.pages.currentWidget() is w.menu.menu_page)
        rig.touch(w.menu.buttons["status"])
        assert "Купюроприёмник: SM-RU1353-EMU" in w.menu.output.text()
        rig.shoot(screenshots, "service_menu")
        rig.touch(w.menu.buttons["pending"])
        assert w.menu.output.text() == "Платежей в обработке нет"
        rig.touch(w.menu.buttons["collect"])
        rig.wait_for(lambda: "Инкассация № 1" in w.menu.output.text())
        assert len(rig.point.journal.collections()) == 1
        closed: list[int] = []
        w.closed.connect(closed.append)
        rig.touch(w.menu.buttons["restart"])
        assert closed == [75]
        actions = [e.action for e in rig.point.journal.audit_entries(today, today)]
        for action in ("kiosk_service_opened", "kiosk_status", "kiosk_pending", "encashment",
                       "kiosk_restart"):
            assert action in actions, action


def test_a_restart_shows_the_voucher_of_the_interrupted_cash_first(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with SoftwareValidator() as unit:
        with kiosk_rig(qtbot, loop, emulator, tmp_path, unit=unit) as rig:
            to_cash_screen(rig)
            rig.insert(500)
            session_id = rig.window.cash.intake.session.id  # type: ignore[union-attr]
        # the program stopped with the session open (the e2e test kills it)
        with kiosk_rig(qtbot, loop, emulator, tmp_path, unit=unit, start=False) as rig:
            assert rig.point.journal.cash_session(session_id).state == OPEN
            rig.run(rig.window.start())
            rig.on(rig.window.voucher)
            assert "прервана" in rig.window.voucher.detail.text()
            assert rig.point.journal.cash_session(session_id).state == VOUCHER


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_qr_sbp_as_the_second_way_to_pay(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size=size) as rig:
        w = rig.window
        rig.touch(rig.tile(w.home.popular, "МТС"))
        rig.type_digits(w.form.digits, "9151234567")
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        rig.touch(w.confirm.qr_button)
        rig.on(w.number)  # a free sum: the person says how much
        rig.type_digits(w.number.pad, "5")
        rig.touch(w.number.ok_button)
        assert "не меньше 10,00 ₽" in plain(w.number.message.text())
        rig.type_digits(w.number.pad, "00")
        rig.touch(w.number.ok_button)
        rig.on(w.qr)
        assert w.qr.code.text.startswith("https://")
        assert plain(w.qr.amount.text()) == "К оплате: 510,00 ₽"
        assert w.qr.left.text().startswith("Код действует ещё 1:")  # 120 s lifetime
        rig.shoot(screenshots, "qr")
        record = rig.point.journal.in_state(State.QR_WAITING)[0]
        emulator.center.bank("pay", tx_id=record.agent_transaction_id)
        rig.on(w.result, timeout=15)
        assert w.result.title.text() == "Платёж проведён"
        paid = rig.point.journal.get(record.agent_transaction_id)
        assert paid.state is State.PAID and paid.amount_to == D("500.00")


def test_lockdown_no_key_and_no_close_gets_past_the_kiosk(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, lockdown=True) as rig:
        w = rig.window
        assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert w.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
        assert w.cursor().shape() is Qt.CursorShape.BlankCursor
        rig.touch(rig.tile(w.home.popular, "Билайн"))
        rig.on(w.form)
        for key, modifiers in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                               (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
                               (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
                               (Qt.Key.Key_Tab, Qt.KeyboardModifier.AltModifier),
                               (Qt.Key.Key_5, Qt.KeyboardModifier.NoModifier)):
            qtbot.keyClick(w.form.value, key, modifiers)
        assert w.stack.currentWidget() is w.form and w.form.text == ""  # nothing typed
        assert not w.close()  # Alt+F4 from the window manager: refused
        assert w.isVisible()


def test_an_idle_slideshow_and_a_touch_back(qtbot: QtBot, loop: qasync.QEventLoop,
                                            emulator: EmulatorServer, tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage

    folder = tmp_path / "slides"
    folder.mkdir()
    for index, colour in enumerate(("#0b5cad", "#0a6b2d")):
        image = QImage(320, 180, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        assert image.save(str(folder / f"{index}.png"))
    (folder / "notes.txt").write_text("не картинка")
    with kiosk_rig(qtbot, loop, emulator, tmp_path, slideshow=str(folder),
                   slideshow_after=0.5) as rig:
        w = rig.window
        assert [p.name for p in w.slideshow.images] == ["0.png", "1.png"]
        rig.wait_for(w.slideshow.isVisible, timeout=5)
        assert w.slideshow.pixmap() is not None and not w.slideshow.pixmap().isNull()
        rig.touch_at(w.slideshow, QPoint(10, 10))
        assert not w.slideshow.isVisible() and w.stack.currentWidget() is w.home


def test_out_of_service_when_the_center_is_unreachable_and_back(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, offline_minutes=0.0005) as rig:
        w = rig.window
        w.health.processing(False)  # a request came back without an answer …
        rig.on(w.out_of_service, timeout=5)  # … and none has since, for the set minutes
        assert w.out_of_service.reason.text() == "Нет связи с процессингом"
        w.health.processing(True)  # the periodic balance request got its answer
        rig.on(w.home, timeout=5)


def test_a_voucher_is_spent_at_the_terminal_with_new_cash(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path) as rig:
        w = rig.window
        to_cash_screen(rig)
        rig.insert(100)
        rig.touch(w.cash_screen.cancel_button)  # «Получить ваучер»
        rig.on(w.voucher)
        code = w.voucher.code.text().removeprefix("Код ваучера: ")
        rig.touch(w.voucher.done_button)
        rig.on(w.home)

        to_cash_screen(rig, phone="9057654321")
        rig.touch(w.cash_screen.voucher_button)
        rig.on(w.number)
        rig.type_digits(w.number.pad, "111122223333")
        rig.touch(w.number.ok_button)
        rig.wait_for(lambda: "Такого ваучера нет" in w.number.message.text())
        rig.key(w.number.pad, "Стереть")
        rig.type_digits(w.number.pad, code.replace("-", ""))
        rig.touch(w.number.ok_button)
        rig.on(w.cash_screen)
        assert plain(w.cash_screen.inserted.text()) == "Внесено: 100,00 ₽"
        assert not w.cash_screen.voucher_button.isVisible()
        assert w.cash_screen.cancel_button.text() == "Отмена"  # the voucher stays valid
        rig.shoot(screenshots, "cash_voucher")
        rig.insert(50)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result)
        paid = rig.point.journal.in_state(State.PAID)[0]
        assert paid.amount_from == D("150.00") and paid.account == "9057654321"
        spent = rig.point.journal.voucher(code)
        assert spent is not None and spent.spent_by == paid.agent_transaction_id
        assert rig.point.journal.unpaid_vouchers() == []
