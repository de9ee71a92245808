"""Paying by card at the terminal, against the real card gateway emulator on loopback and the
processing emulator: the gateway's page as a QR code that a phone reads, 3-D Secure, a
declined card and an expired link with their next steps (cash, another card, home), nobody
left at the screen (the link cancelled, and paid after all still carried out), and the
saved cards of a phone (register, attach, pay, remove)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import qasync
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from cashier_app.card_api.client import CardClient
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.card import CardGateway
from cashier_app.emulator.demo import demo_card_phone
from cashier_app.engine.methods.card import CardSettings
from cashier_app.journal import PaymentRecord
from cashier_app.ui.kiosk.card_screens import HELD_TITLE, LINK_TITLE, SECURE_TITLE
from cashier_app.ui.kiosk.ui_map import UiMap
from cashier_app.workplace.card_desk import CardDesk
from tests.gui.kiosk.helpers import SIZES, KioskRig, kiosk_rig, plain
from tests.unit.receipts.escpos_decode import decode

D = Decimal
CARD_TOKEN = "kiosk-card-token"
SERVICE_CODE = "109-5804-1"
VISA, MIR_3DS = "4111111111111111", "2201382000000013"
PHONE = "9051234567"
ORIENTATIONS = ["landscape", "portrait", "square"]  # 1280×1024 is checked, not photographed


@contextmanager
def card_kiosk(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
               tmp_path: Path, *, hold: float = 0.3, lifetime: int = 900, **options: Any
               ) -> Iterator[tuple[KioskRig, CardGateway]]:
    """The kiosk rig with the card gateway's emulator as this point's gateway (status asked
    every 50 ms, so a test waits no longer than it must; ``hold``: how long the gateway
    holds the money before it is captured; ``lifetime``: of a link, seconds)."""
    gateway = CardGateway(token=CARD_TOKEN, hold_seconds=hold).start()
    options.setdefault("saved_cards", True)  # the terminal's setting, on for these tests
    try:
        with kiosk_rig(qtbot, loop, emulator, tmp_path, **options) as rig:
            rig.point.engine.use_card(CardClient(gateway.url, CARD_TOKEN, timeout=5),
                                      CardSettings(service_map={"*": SERVICE_CODE},
                                                   lifetime=lifetime, poll_seconds=0.05))
            yield rig, gateway
    finally:
        gateway.stop()


def fits(rig: KioskRig) -> None:
    """The window kept its size, and every button on the screen is whole, ≥ 48 px and
    inside it (no word cut, nothing to scroll to)."""
    window = rig.window
    assert (window.width(), window.height()) == SIZES[rig.size]
    screen = window.stack.currentWidget()
    assert screen is not None
    for button in screen.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= 48 and button.height() >= 48, button.text()
            assert button.width() >= button.sizeHint().width() - 2, button.text()
            corner = button.mapTo(window, button.rect().bottomRight())
            assert corner.x() <= window.width() and corner.y() <= window.height()


def scanned(widget: QWidget) -> list[str]:
    """What a QR decoder reads from the widget as it is painted on screen."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert widget.grab().save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data().data())))
    return [result.text for result in zxingcpp.read_barcodes(image)]


def to_card_screen(rig: KioskRig, amount: str = "500", phone: str = PHONE) -> PaymentRecord:
    """МТС, a phone, the confirmation, «Картой с телефона», the sum: the link on screen."""
    w = rig.window
    rig.touch(rig.tile(w.home.popular, "МТС"))
    rig.type_digits(w.form.digits, phone)
    rig.touch(w.form.next_button)
    rig.on(w.confirm)
    assert w.confirm.card_button.text() == "Картой с телефона"
    fits(rig)
    rig.touch(w.confirm.card_button)
    rig.on(w.number)  # a free sum: the person says how much, the card pays exactly that
    rig.type_digits(w.number.pad, amount)
    rig.touch(w.number.ok_button)
    rig.on(w.card)
    tx = w.flow.card.tx
    assert tx is not None
    return rig.point.journal.get(tx)


def reg_pay_num(rig: KioskRig, tx: int) -> str:
    number = rig.point.journal.get(tx).card_reg_pay_num
    assert number is not None
    return number


@pytest.mark.parametrize("size", ORIENTATIONS)
def test_paying_by_link_from_the_phone(size: str, qtbot: QtBot, loop: qasync.QEventLoop,
                                       emulator: EmulatorServer, tmp_path: Path,
                                       screenshots: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, size=size) as (rig, gateway):
        w = rig.window
        record = to_card_screen(rig)
        assert record.state is State.QR_WAITING and record.payment_method == "card"
        assert record.qr_payload and scanned(w.card.code) == [record.qr_payload]
        assert w.card.title.text() == LINK_TITLE
        assert plain(w.card.amount.text()) == "К оплате: 510,00 ₽"
        assert "зачислено 500,00 ₽, комиссия 10,00 ₽" in plain(w.card.sums.text())
        assert w.card.left.text().startswith("Код действует ещё 14:")  # card.lifetime 900 s
        assert w.card.cancel_button.isVisible() and w.card.saved_button.isVisible()
        assert not w.card.demo_button.isVisible()  # a demo's button, not a terminal's
        fits(rig)
        rig.shoot(screenshots, "card_link")
        ui = UiMap(tmp_path / "ui-map.json")  # what support and the Xvfb driver read
        ui.write(w.card, False)
        shown = json.loads((tmp_path / "ui-map.json").read_text(encoding="utf-8"))
        assert shown["screen"] == "kioskCard" and shown["codes"] == [record.qr_payload]
        assert "Сохранённой картой" in [button["text"] for button in shown["buttons"]]
        number = reg_pay_num(rig, record.agent_transaction_id)
        assert gateway.pay(number, VISA, "123") == "holded"  # the person's phone paid
        rig.on(w.result, timeout=15)
        assert w.result.title.text() == "Платёж проведён"
        assert "зачислено 500,00 ₽" in plain(w.result.detail.text())
        paid = rig.point.journal.get(record.agent_transaction_id)
        assert paid.state is State.PAID and paid.amount_to == D("500.00")
        assert paid.amount_from == D("510.00") and paid.card_state == "payed"
        books = gateway.books()[number]
        assert (books["amount"], books["commission"], books["charges"]) == (50000, 1000, 1)
        rig.wait_for(lambda: any("банковской картой" in decode(data).text()
                                 for data in rig.receipts_printed()))
        assert w.result.text.text() == "Заберите чек"


@pytest.mark.parametrize("size", ORIENTATIONS)
def test_3d_secure_is_shown_as_its_page_then_the_bank_confirms(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, size=size) as (rig, gateway):
        w = rig.window
        record = to_card_screen(rig)
        number = reg_pay_num(rig, record.agent_transaction_id)
        step, _ = gateway.ledger.submit_card(number, VISA, "12/30", "123")
        assert step == "3ds"
        rig.wait_for(lambda: w.card.stage == "secure")
        assert w.card.title.text() == SECURE_TITLE
        secure = rig.point.journal.get(record.agent_transaction_id).card_secure_url
        assert secure == f"{gateway.url}/3ds/{number}"
        assert scanned(w.card.code) == [secure]
        assert w.card.left.text().startswith("Код действует ещё")
        rig.shoot(screenshots, "card_3ds")
        gateway.ledger.submit_3ds(number, "12345678")
        rig.wait_for(lambda: w.card.stage == "held" or w.stack.currentWidget() is w.result)
        if w.stack.currentWidget() is w.card:  # held: nothing to cancel, no QR on screen
            assert w.card.title.text() == HELD_TITLE
            assert not w.card.code.isVisible() and not w.card.cancel_button.isVisible()
        rig.on(w.result, timeout=15)
        assert rig.point.journal.get(record.agent_transaction_id).state is State.PAID


@pytest.mark.parametrize("size", ORIENTATIONS)
def test_a_declined_card_says_no_money_was_taken_and_cash_pays_instead(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, size=size) as (rig, gateway):
        w = rig.window
        record = to_card_screen(rig)
        number = reg_pay_num(rig, record.agent_transaction_id)
        assert gateway.pay(number, VISA, "999") == "declined"  # a wrong CVC: RC 05
        rig.on(w.card_failed, timeout=10)
        assert w.card_failed.title.text() == "Банк отклонил оплату. Деньги не списаны"
        assert "код 05" in w.card_failed.detail.text()
        for button in (w.card_failed.cash_button, w.card_failed.again_button,
                       w.card_failed.home_button):
            assert button.isVisible() and button.isEnabled()
        fits(rig)
        rig.shoot(screenshots, "card_declined")
        failed = rig.point.journal.get(record.agent_transaction_id)
        assert failed.state is State.FAILED and failed.card_state == "declined"
        rig.touch(w.card_failed.cash_button)
        rig.on(w.cash_screen, timeout=10)
        rig.insert(100)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result, timeout=15)
        paid = rig.point.journal.in_state(State.PAID)
        assert len(paid) == 1 and paid[0].payment_method == "cash"
        assert paid[0].agent_transaction_id != record.agent_transaction_id  # checked anew
        assert paid[0].account == PHONE and paid[0].amount_from == D("100.00")
        assert gateway.books()[number]["charges"] == 0


def test_another_card_is_a_new_link_and_an_expired_one_leads_home(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path) as (rig, gateway):
        w = rig.window
        first = to_card_screen(rig)
        gateway.pay(reg_pay_num(rig, first.agent_transaction_id), VISA, "999")
        rig.on(w.card_failed, timeout=10)
        rig.touch(w.card_failed.again_button)  # «Другой картой»
        rig.on(w.card, timeout=10)
        second = rig.point.journal.get(w.flow.card.tx or 0)
        assert second.agent_transaction_id != first.agent_transaction_id
        assert second.check is not None and second.amount_to == D("500.00")
        assert second.qr_payload != first.qr_payload
        assert scanned(w.card.code) == [second.qr_payload]
        number = reg_pay_num(rig, second.agent_transaction_id)
        assert gateway.expire(number) == "expired"  # nobody paid it in time
        rig.on(w.card_failed, timeout=10)
        assert w.card_failed.title.text() == "Срок оплаты истёк. Деньги не списаны"
        rig.touch(w.card_failed.home_button)
        rig.on(w.home)
        ended = rig.point.journal.get(second.agent_transaction_id)
        assert ended.state is State.FAILED and ended.card_state == "expired"
        assert not w.flow.busy_with_money()


def test_nobody_at_the_link_cancels_it_and_a_late_payment_is_still_carried_out(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, idle=0.3, cash_idle=0.8,
                    countdown=0.8) as (rig, gateway):
        w = rig.window
        first = to_card_screen(rig)
        rig.wait_for(w.idle_overlay.isVisible, timeout=5)  # «Вы ещё здесь?» over the code
        assert "главный экран" in w.idle_overlay.detail.text()
        rig.on(w.home, timeout=5)  # nobody answered: the code is off the screen …
        rig.wait_for(lambda: rig.point.journal.get(
            first.agent_transaction_id).cancel_requested_at is not None)
        # … the link cannot be withdrawn: the phone that had read it pays anyway
        assert gateway.pay(reg_pay_num(rig, first.agent_transaction_id), VISA, "123") \
            == "holded"
        rig.wait_for(lambda: rig.point.journal.get(
            first.agent_transaction_id).state is State.PAID, timeout=15)
        assert w.stack.currentWidget() is w.home  # nobody is there to be told

        second = to_card_screen(rig, phone="9057654321")
        rig.touch(w.card.cancel_button)  # «Отмена»
        rig.on(w.home, timeout=10)
        gateway.expire(reg_pay_num(rig, second.agent_transaction_id))
        rig.wait_for(lambda: rig.point.journal.get(
            second.agent_transaction_id).state is State.CANCELLED, timeout=15)
        assert w.stack.currentWidget() is w.home


def attach(rig: KioskRig, gateway: CardGateway, pan: str) -> None:
    """A card attached to PHONE outside the kiosk (as on the desk): the page paid."""
    desk = CardDesk(rig.point.engine)
    page = rig.run(desk.add_card(PHONE))
    gateway.pay(page.reg_pay_num, pan, "123")


@pytest.mark.parametrize("size", ORIENTATIONS)
def test_saved_cards_register_attach_remove_and_pay(
        size: str, qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path, screenshots: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, size=size) as (rig, gateway):
        w = rig.window
        link = to_card_screen(rig)
        rig.touch(w.card.saved_button)
        rig.on(w.card_phone)
        rig.type_digits(w.card_phone.pad, "905")
        rig.touch(w.card_phone.next_button)
        assert "10 цифр" in w.card_phone.message.text()  # not sent: short
        rig.type_digits(w.card_phone.pad, "1234567")
        assert plain(w.card_phone.value.text()) == "+7 (905) 123-45-67"
        rig.touch(w.card_phone.next_button)
        rig.on(w.card_register)  # a new phone: registration offered, and explained
        assert "+7 (905) 123-45-67" in plain(w.card_register.text.text())
        assert "данные карт хранит банк" in w.card_register.detail.text()
        rig.touch(w.card_register.yes_button)  # «Зарегистрироваться»
        rig.on(w.saved_cards)
        assert "79051234567" in gateway.ledger.users()
        assert w.saved_cards.title.text() == "Сохранённых карт нет"
        assert not w.saved_cards.remove_button.isVisible()
        rig.touch(w.saved_cards.add_button)  # «Привязать карту»
        rig.on(w.card_add)
        number = w.flow.card._add_reg_pay_num
        assert number is not None
        assert scanned(w.card_add.code) == [f"{gateway.url}/pay/{number}"]
        gateway.pay(number, VISA, "123")  # the card typed on the phone, at the bank's page
        rig.on(w.saved_cards, timeout=10)  # the list came back by itself
        assert "Visa •••• 1111" in w.saved_cards.message.text()
        assert [t.text().split("\n")[0] for t in w.saved_cards.tiles] == ["Visa •••• 1111"]
        attach(rig, gateway, MIR_3DS)
        rig.run(w.flow.card.show_cards())
        assert [t.text().split("\n")[0] for t in w.saved_cards.tiles] == [
            "Visa •••• 1111", "Мир •••• 0013"]
        fits(rig)
        rig.shoot(screenshots, "card_saved")

        rig.touch(w.saved_cards.remove_button)  # «Удалить карту» → which one → sure?
        assert w.saved_cards.title.text() == "Какую карту удалить?"
        rig.touch(w.saved_cards.tiles[1])
        rig.on(w.card_remove)
        assert w.card_remove.text.text() == "Мир •••• 0013"
        rig.touch(w.card_remove.yes_button)
        rig.on(w.saved_cards, timeout=10)
        assert [t.text().split("\n")[0] for t in w.saved_cards.tiles] == ["Visa •••• 1111"]
        cards = gateway.ledger.users()["79051234567"]["cards"]
        assert [c["state"] for c in cards] == ["active", "inactive"]

        rig.touch(w.saved_cards.tiles[0])  # pay with the Visa
        rig.on(w.result, timeout=15)
        assert w.result.title.text() == "Платёж проведён"
        paid = rig.point.journal.in_state(State.PAID)
        assert len(paid) == 1 and paid[0].card_token == cards[0]["cardToken"]
        assert paid[0].agent_transaction_id != link.agent_transaction_id
        assert paid[0].amount_to == D("500.00") and paid[0].amount_from == D("510.00")
        # the link shown before the saved card was cancelled first (followed to its end)
        assert rig.point.journal.get(link.agent_transaction_id).cancel_requested_at


def test_a_saved_card_with_3d_secure_shows_its_page(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path) as (rig, gateway):
        w = rig.window
        rig.run(CardDesk(rig.point.engine).register_user(PHONE))
        attach(rig, gateway, MIR_3DS)
        to_card_screen(rig)
        rig.touch(w.card.saved_button)
        rig.on(w.card_phone)
        rig.type_digits(w.card_phone.pad, PHONE)
        rig.touch(w.card_phone.next_button)
        rig.on(w.saved_cards, timeout=10)  # registered before: straight to the cards
        rig.touch(w.saved_cards.tiles[0])
        rig.on(w.card, timeout=10)
        rig.wait_for(lambda: w.card.stage == "secure")
        tx = w.flow.card.tx
        assert tx is not None
        number = reg_pay_num(rig, tx)
        assert scanned(w.card.code) == [f"{gateway.url}/3ds/{number}"]
        assert w.card.title.text() == SECURE_TITLE
        gateway.ledger.submit_3ds(number, "12345678")
        rig.on(w.result, timeout=15)
        assert rig.point.journal.get(tx).state is State.PAID


def test_the_countdown_takes_the_code_off_the_screen_when_it_runs_out(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, lifetime=2) as (rig, gateway):
        w = rig.window
        # the gateway's clock a little behind the terminal's: the terminal's countdown ends
        # first, and the gateway's word comes later
        gateway.ledger.now = lambda: time.time() - 3
        record = to_card_screen(rig)
        assert w.card.left.text().startswith("Код действует ещё 0:0")
        rig.wait_for(lambda: w.card.stage == "checking", timeout=10)
        assert not w.card.code.isVisible() and w.card.code.text == ""  # nothing to scan
        assert w.card.title.text() == "Срок кода истёк"
        rig.on(w.card_failed, timeout=15)  # the gateway's last word: not paid
        assert w.card_failed.title.text() == "Срок оплаты истёк. Деньги не списаны"
        ended = rig.point.journal.get(record.agent_transaction_id)
        assert ended.state is State.CANCELLED and ended.card_state == "expired"
        assert gateway.books()[reg_pay_num(rig, record.agent_transaction_id)]["charges"] == 0


def test_money_held_long_is_told_as_accepted_and_carried_out_later(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path, hold=3.0) as (rig, gateway):
        w = rig.window
        assert w.sale is not None
        w.sale.pay_wait = 0.5  # the screen's patience with a payment the bank holds
        record = to_card_screen(rig)
        gateway.pay(reg_pay_num(rig, record.agent_transaction_id), VISA, "123")
        rig.wait_for(lambda: w.card.stage == "held")
        assert w.card.title.text() == HELD_TITLE and not w.card.cancel_button.isVisible()
        rig.on(w.result, timeout=10)
        assert w.result.title.text() == "Платёж принят и будет проведён"
        assert f"Номер операции {record.agent_transaction_id}" in w.result.detail.text()
        assert rig.receipts_printed() == []  # a card's receipt: only once it is paid
        rig.wait_for(lambda: rig.point.journal.get(
            record.agent_transaction_id).state is State.PAID, timeout=15)
        assert not w.flow.busy_with_money()  # the screen let it go to the scheduler


def test_the_demo_phone_button_pays_the_link(qtbot: QtBot, loop: qasync.QEventLoop,
                                             emulator: EmulatorServer, tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path) as (rig, gateway):
        w = rig.window
        w.flow.card.set_demo(demo_card_phone(gateway.url))  # as launch.py does in --demo
        record = to_card_screen(rig)
        assert w.card.demo_button.isVisible()
        assert w.card.demo_button.text() == "Демо: оплатить с телефона"
        rig.touch(w.card.demo_button)
        rig.on(w.result, timeout=15)
        assert rig.point.journal.get(record.agent_transaction_id).state is State.PAID


def test_a_link_the_gateway_never_gave_leads_back_to_cash(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    with card_kiosk(qtbot, loop, emulator, tmp_path) as (rig, gateway):
        w = rig.window
        gateway.add_fault(method="anonymous", action="drop", when="after")  # answer lost
        rig.touch(rig.tile(w.home.popular, "МТС"))
        rig.type_digits(w.form.digits, PHONE)
        rig.touch(w.form.next_button)
        rig.on(w.confirm)
        rig.touch(w.confirm.card_button)
        rig.on(w.number)
        rig.type_digits(w.number.pad, "500")
        rig.touch(w.number.ok_button)
        rig.on(w.confirm, timeout=15)  # no link: the choice again, with why
        assert "ссылку никто не видел" in w.confirm.message.text()
        lost = rig.point.journal.in_state(State.FAILED)
        assert len(lost) == 1 and lost[0].payment_method == "card"
        rig.touch(w.confirm.cash_button)  # the sale was checked again: cash takes it
        rig.on(w.cash_screen, timeout=10)
        rig.insert(100)
        rig.touch(w.cash_screen.pay_button)
        rig.on(w.result, timeout=15)
        paid = rig.point.journal.in_state(State.PAID)
        assert len(paid) == 1 and paid[0].agent_transaction_id != lost[0].agent_transaction_id


def test_saved_cards_are_off_unless_the_terminal_is_set_to_offer_them(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    # a terminal does not know who stands at it: a card found by a phone alone is not offered
    with card_kiosk(qtbot, loop, emulator, tmp_path, saved_cards=False) as (rig, _gateway):
        w = rig.window
        to_card_screen(rig)
        assert w.card.cancel_button.isVisible()
        assert not w.card.saved_button.isVisible()
