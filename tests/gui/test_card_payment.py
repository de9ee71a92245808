"""«Картой по ссылке» at the cashier's desk, against the real card gateway emulator (HTTP on
loopback) and the real processing emulator, on a real journal: the link's code on screen (and
on the customer display) scans to exactly the gateway's payUrl; the person pays it on the
gateway's page → «Оплачено картой» and the receipt; a wrong CVC → declined, then a new link
and another way of paying; an expired link; 3-D Secure shown as the bank page's code; the
cashier's cancel with the question; a returning customer's saved cards (register, attach on
the gateway's page, pay, remove). Screenshots at 1366×768."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from cashier_app import settings as cfg
from cashier_app.bootstrap import point_for
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.card import CardGateway
from cashier_app.emulator.demo import demo_card_phone
from cashier_app.engine.methods.card import CardSettings
from cashier_app.journal import PaymentRecord
from cashier_app.processing.sbp import SbpClient
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.cashier.main_window import MainWindow
from cashier_app.ui.cashier.payment.panel import Step
from cashier_app.ui.cashier.saved_cards import SavedCardsDialog
from tests.conftest import TOKEN
from tests.gui.helpers import CASHIERS, COMMISSION_SETTING, FakeTime, Rig, log_in, type_text
from tests.gui.test_qr_window import scanned
from tests.gui.test_workplace import checked, fill
from tests.unit.receipts.escpos_decode import decode
from tests.unit.receipts.helpers import FakePrinter

CARD_TOKEN = "test-card-token"
TEST_CARD = "4111111111111111"
MIR_3DS = "2201382000000013"  # the emulator's card that always asks for 3-D Secure
PHONE = "9051234567"


@pytest.fixture
def gateway() -> Iterator[CardGateway]:
    server = CardGateway(token=CARD_TOKEN, hold_seconds=0.3).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


def card_rig(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
             gateway: CardGateway, data_dir: Path, *, printer: FakePrinter | None = None,
             customer_display: str = "off", demo_phone: bool = True,
             lifetime: int = 900, sbp: bool = False) -> Rig:
    """The window as the program wires it, with cards on (the gateway emulator, every
    service to its default serviceCode); status asked every 50 ms instead of every 2 s."""
    settings = cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: emulator.url, cfg.PROCESSING_TOKEN: TOKEN,
        cfg.PROCESSING_TIMEOUT: 2.0, cfg.DATA_DIR: str(data_dir), cfg.RETRY_INITIAL: 0.05,
        cfg.RETRY_FACTOR: 2, cfg.RETRY_MAX: 0.2, cfg.COMMISSION: COMMISSION_SETTING,
        cfg.CARD_URL: gateway.url, cfg.CARD_TOKEN: CARD_TOKEN,
        cfg.CARD_SERVICE_MAP: {"*": "109-5804-1"}})
    point = point_for(settings, "window")
    assert point.engine.card is not None
    point.engine.card.settings = CardSettings(service_map={"*": "109-5804-1"},
                                              lifetime=lifetime, poll_seconds=0.05)
    if printer is not None:
        from tests.unit.receipts.helpers import SETTINGS

        point.receipts = ReceiptService(point.journal, SETTINGS, PrinterConfig(
            kind="network", address=printer.address, profile="TM-T20II", codepage=17,
            columns=48, timeout=1.0), events=point.events)
    if sbp:  # QR СБП beside the card, as in the demo
        point.engine.sbp = SbpClient(point.client, lifetime=120, poll_interval=0.05)
    window = MainWindow(point, cashiers=CASHIERS, demo=True, customer_display=customer_display,
                        card_phone=demo_card_phone(gateway.url) if demo_phone else None)
    time = FakeTime()
    window.pin_guard.clock, window.pin_guard.sleep = time.clock, time.sleep
    qtbot.addWidget(window)
    window.show()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1366, 768)
    return Rig(window, point, loop, time)


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def key(qtbot: QtBot, widget: QWidget, which: Qt.Key) -> None:
    qtbot.keyClick(widget, which)  # type: ignore[no-untyped-call]


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item.text()


def to_amounts(rig: Rig, qtbot: QtBot, amount: str = "500") -> None:
    """Log in, check an МТС payment, type the amount: the card button is pressable."""
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    type_text(panel.amount_edit, amount)
    key(qtbot, panel.amount_edit, Qt.Key.Key_Return)
    assert panel.card_button.isVisible() and panel.card_button.isEnabled()
    assert panel.card_button.text() == "Картой по ссылке  F7"
    # every way of paying fits beside «Следующий платёж» at 1366×768, none cut
    for button in (panel.pay_button, panel.qr_button, panel.card_button,
                   panel.saved_card_button):
        assert button.width() >= button.sizeHint().width(), button.text()


def show_link(rig: Rig, qtbot: QtBot, amount: str = "500",
              choose: Path | None = None) -> PaymentRecord:
    """…then F7: the link's code on screen (``choose``: a snapshot of the amounts first)."""
    to_amounts(rig, qtbot, amount)
    panel = rig.window.panel
    if choose is not None:
        assert rig.window.grab().save(str(choose))
    key(qtbot, panel.cash_edit, Qt.Key.Key_F7)
    rig.wait_for(lambda: panel.record is not None and panel.record.qr_payload is not None)
    assert panel.step is Step.QR and panel.card_view.isVisible()
    assert not panel.qr_view.isVisible() and not panel.money_box.isVisible()
    record = panel.record
    assert record is not None and record.by_card and record.card_reg_pay_num
    return record


def wait_state(rig: Rig, record: PaymentRecord, state: State) -> PaymentRecord:
    rig.wait_for(lambda: rig.journal.get(record.agent_transaction_id).state is state)
    return rig.journal.get(record.agent_transaction_id)


def test_paid_by_link_from_the_code_to_the_receipt(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, gateway: CardGateway,
        printer: FakePrinter, tmp_path: Path, screenshots: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path, printer=printer,
                   customer_display="window", sbp=True)
    window, panel = rig.window, rig.window.panel
    try:
        record = show_link(rig, qtbot, choose=tmp_path / "choose.png")
        book = gateway.books()[record.card_reg_pay_num or ""]
        assert book["total"] == 51000 and book["amount"] == 50000  # 500 + 1 %, at least 10 ₽
        view = panel.card_view
        assert view.amount.text() == "К оплате картой: 510,00 ₽"
        assert "МТС" in view.service.text() and "9101234567" in view.service.text()
        assert view.timer_label.text().startswith("Ссылка действует ещё 14:5")
        assert view.status.text() == "Ждём оплаты картой по ссылке"
        assert record.qr_payload == f"{gateway.url}/pay/{record.card_reg_pay_num}"
        assert scanned(view.code) == [record.qr_payload]  # the code is exactly the payUrl
        assert view.demo_button.isVisible() and view.decline_button.isVisible()
        display = window.customer_display
        assert display is not None
        window.show_customer_display()
        assert display.headline.text() == "Оплата картой" and display.amount.text() == "510,00 ₽"
        assert scanned(display.code) == [record.qr_payload]
        rig.redrawn()
        assert window.grab().save(str(screenshots / "card_link.png"))
        assert rig.journal.get(record.agent_transaction_id).qr_payload == record.qr_payload
        assert display.grab().save(str(screenshots / "card_customer_display.png"))

        # the person pays on the gateway's page: held, then payed
        assert gateway.pay(record.card_reg_pay_num or "", TEST_CARD, "123") == "holded"
        rig.wait_for(lambda: panel.step is Step.DONE)
        paid = rig.journal.get(record.agent_transaction_id)
        assert paid.state is State.PAID and paid.card_state == "payed"
        assert panel.banner.text() == (f"Оплачено картой: 500,00 ₽ на счёт 9101234567. Номер "
                                       f"платежа в шлюзе {record.card_reg_pay_num}.")
        assert panel.banner.property("kind") == "paid"
        assert display.headline.text() == "Оплачено. Спасибо!"
        rig.wait_for(lambda: panel.receipt_status.property("kind") == "ok")
        paper = decode(printer.wait_received(1)[0]).text()
        assert "ПЛАТЁЖ ПРОВЕДЁН" in paper and "Сдача" not in paper
        assert gateway.books()[record.card_reg_pay_num or ""]["charges"] == 1
        rig.redrawn()
        assert window.grab().save(str(screenshots / "card_paid.png"))
        # no v20 pay for a card payment: the provider is credited by the gateway alone
        assert emulator.center.request_counts.get("pay", 0) == 0
    finally:
        rig.close()


def test_declined_then_a_new_link_and_another_way(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, gateway: CardGateway,
        tmp_path: Path, screenshots: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path, customer_display="window")
    window, panel = rig.window, rig.window.panel
    try:
        first = show_link(rig, qtbot)
        view = panel.card_view
        click(qtbot, view.decline_button)  # the demo's phone types a wrong CVC
        failed = wait_state(rig, first, State.FAILED)
        assert failed.card_state == "declined"
        rig.wait_for(lambda: view.status.text().startswith("Оплата картой отклонена"))
        assert "код 05" in view.status.text() and "Деньги не списаны" in view.status.text()
        assert view.status.property("kind") == "error" and not view.code.isVisible()
        assert view.timer_label.text() == ("Деньги с клиента не списаны. F7 — новая ссылка, "
                                           "F9 — другой способ оплаты, Esc — следующий клиент")
        assert view.renew_button.isVisible() and view.other_button.isVisible()
        assert not view.cancel_button.isVisible()
        assert window.customer_display is not None
        assert window.customer_display.headline.text() == "Оплата не прошла"
        rig.redrawn()
        assert window.grab().save(str(screenshots / "card_declined.png"))

        # F7: a new payment (checked again), a new link, the same amounts
        key(qtbot, view, Qt.Key.Key_F7)
        rig.wait_for(lambda: panel.record is not None and panel.record.qr_payload is not None
                     and panel.record.agent_transaction_id != first.agent_transaction_id)
        second = panel.record
        assert second is not None and second.amount_from == first.amount_from
        assert second.qr_payload != first.qr_payload
        assert scanned(view.code) == [second.qr_payload]
        gateway.pay(second.card_reg_pay_num or "", TEST_CARD, "999")
        wait_state(rig, second, State.FAILED)
        rig.wait_for(lambda: view.other_button.isVisible())

        # F9: another way — checked again, back at the amounts; cash is taken
        key(qtbot, view, Qt.Key.Key_F9)
        rig.wait_for(lambda: panel.step is Step.CHECKED and not panel.tasks)
        third = panel.record
        assert third is not None and third.agent_transaction_id not in (
            first.agent_transaction_id, second.agent_transaction_id)
        assert panel.amount_edit.text() == "500"  # the amount typed stays
        assert panel.pay_button.isEnabled() and panel.card_button.isEnabled()
        assert window.customer_display.headline.text() == "Добро пожаловать"
        key(qtbot, panel.cash_edit, Qt.Key.Key_F9)
        rig.wait_for(lambda: panel.step is Step.DONE)
        assert rig.journal.get(third.agent_transaction_id).state is State.PAID
        assert panel.banner.text().startswith("Оплачено: 500,00 ₽ на счёт 9101234567. Сдача")
    finally:
        rig.close()


def test_expired_link(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                      gateway: CardGateway, tmp_path: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path, customer_display="window")
    window, panel = rig.window, rig.window.panel
    try:
        record = show_link(rig, qtbot)
        assert gateway.expire(record.card_reg_pay_num or "") == "expired"
        wait_state(rig, record, State.FAILED)
        view = panel.card_view
        rig.wait_for(lambda: view.status.text() == "Срок оплаты по ссылке истёк: деньги не "
                                                   "списаны")
        assert view.renew_button.isVisible() and not view.code.isVisible()
        assert window.customer_display is not None
        assert window.customer_display.headline.text() == "Оплата не прошла"
        key(qtbot, view, Qt.Key.Key_Escape)  # nothing can be paid any more: just leave
        assert panel.step is Step.EMPTY
        assert window.customer_display.headline.text() == "Добро пожаловать"
    finally:
        rig.close()


def test_three_d_secure_shown_as_the_bank_pages_code(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, gateway: CardGateway,
        tmp_path: Path, screenshots: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path, customer_display="window")
    window, panel = rig.window, rig.window.panel
    try:
        record = show_link(rig, qtbot)
        number = record.card_reg_pay_num or ""
        # the person typed the card on the page; the bank asks for its code now
        assert gateway.ledger.submit_card(number, TEST_CARD, "12/30", "123")[0] == "3ds"
        secure = f"{gateway.url}/3ds/{number}"
        rig.wait_for(lambda: panel.record is not None
                     and panel.record.card_secure_url == secure)
        view = panel.card_view
        rig.wait_for(lambda: view.status.text() == ("Подтвердите оплату в приложении или на "
                                                     "странице банка (3-D Secure)"))
        assert scanned(view.code) == [secure]
        assert view.caption.text().startswith("Код страницы банка")
        assert not view.decline_button.isVisible()
        assert window.customer_display is not None
        assert window.customer_display.headline.text() == "Подтвердите оплату"
        assert scanned(window.customer_display.code) == [secure]
        rig.redrawn()
        assert window.grab().save(str(screenshots / "card_3ds.png"))
        gateway.ledger.submit_3ds(number, "12345678")
        rig.wait_for(lambda: panel.step is Step.DONE)
        assert rig.journal.get(record.agent_transaction_id).state is State.PAID
    finally:
        rig.close()


def test_cancel_asks_and_a_late_payment_is_reported(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, gateway: CardGateway,
        tmp_path: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path, customer_display="window")
    window, panel = rig.window, rig.window.panel
    try:
        record = show_link(rig, qtbot)
        view = panel.card_view
        key(qtbot, view, Qt.Key.Key_Escape)
        assert panel.step is Step.QR and view.prompt_box.isVisible()
        assert view.prompt.text() == ("Клиент может платить прямо сейчас. Отменить ссылку? Esc "
                                      "ещё раз — отменить, любая другая клавиша — продолжить "
                                      "ждать")
        QApplication.processEvents()
        key(qtbot, view, Qt.Key.Key_Space)  # any other key: keep waiting
        assert not view.prompt_box.isVisible() and view.code.isVisible()
        assert rig.journal.get(record.agent_transaction_id).cancel_requested_at is None
        assert window.open_service("P1011") is False  # a link on screen is not left by a click
        key(qtbot, view, Qt.Key.Key_Escape)
        key(qtbot, view, Qt.Key.Key_Escape)
        rig.wait_for(lambda: panel.step is Step.EMPTY)
        assert window.customer_display is not None
        assert window.customer_display.headline.text() == "Добро пожаловать"
        assert window.notices[-1].startswith("Оплата картой отменена на кассе, но ссылку "
                                             "отозвать нельзя")
        left = rig.journal.get(record.agent_transaction_id)
        assert left.state is State.QR_WAITING and left.cancel_requested_at  # still payable
        gateway.pay(record.card_reg_pay_num or "", TEST_CARD, "123")  # paid after all
        wait_state(rig, record, State.PAID)
        rig.wait_for(lambda: window.notices[-1].startswith("Пришла оплата картой по ссылке"))
        # a link left and never paid ends cancelled, with no news
        to_again = rig.window.panel
        fill(rig, qtbot, "мтс", {"account": "9101234567"})
        checked(rig)
        type_text(to_again.amount_edit, "100")
        key(qtbot, to_again.cash_edit, Qt.Key.Key_F7)
        rig.wait_for(lambda: to_again.record is not None
                     and to_again.record.qr_payload is not None)
        second = to_again.record
        assert second is not None
        key(qtbot, to_again.card_view, Qt.Key.Key_Escape)
        key(qtbot, to_again.card_view, Qt.Key.Key_Escape)
        rig.wait_for(lambda: to_again.step is Step.EMPTY)
        gateway.expire(second.card_reg_pay_num or "")
        assert wait_state(rig, second, State.CANCELLED).result_message
    finally:
        rig.close()


def saved_cards(rig: Rig, qtbot: QtBot) -> SavedCardsDialog:
    panel = rig.window.panel
    assert panel.saved_card_button.isVisible() and panel.saved_card_button.isEnabled()
    click(qtbot, panel.saved_card_button)
    dialog = panel.saved_cards_dialog
    assert isinstance(dialog, SavedCardsDialog) and dialog.isVisible()
    return dialog


def run(rig: Rig, dialog: SavedCardsDialog) -> None:
    assert dialog.task is not None
    rig.run(dialog.task)
    rig.wait_for(lambda: not dialog.tasks)


def test_saved_cards_register_attach_pay_remove(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, gateway: CardGateway,
        tmp_path: Path, screenshots: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    window, panel = rig.window, rig.window.panel
    try:
        to_amounts(rig, qtbot)
        dialog = saved_cards(rig, qtbot)
        # a phone that is not one: said at the field, nothing sent
        dialog.phone.setText("12345")
        click(qtbot, dialog.find_button)
        run(rig, dialog)
        assert dialog.phone_error.isVisibleTo(dialog)
        assert dialog.phone_error.text().startswith("Телефон покупателя")
        dialog.phone.clear()
        type_text(dialog.phone, "+7 905 123-45-67")
        assert not dialog.phone_error.isVisibleTo(dialog)
        key(qtbot, dialog.phone, Qt.Key.Key_Return)
        run(rig, dialog)
        assert "не зарегистрирован" in dialog.who.text()
        assert dialog.register_button.isVisibleTo(dialog)
        # registering asks first; a wrong e-mail is said at its field
        dialog.email.setText("not-an-email")
        click(qtbot, dialog.register_button)
        assert dialog.question.isVisibleTo(dialog) and dialog.task is not None
        assert "Зарегистрировать клиента с телефоном +7 905 123-45-67" in dialog.question.text()
        click(qtbot, dialog.register_button)
        run(rig, dialog)
        assert dialog.email_error.isVisibleTo(dialog)
        assert dialog.email_error.text() == "Адрес почты — вида name@example.ru"
        assert not gateway.ledger.users()
        dialog.email.setText("ana@example.ru")
        click(qtbot, dialog.register_button)
        click(qtbot, dialog.register_button)
        run(rig, dialog)
        assert "7" + PHONE in gateway.ledger.users()
        assert dialog.user_token is not None and not dialog.cards
        assert "Сохранённых карт нет" in dialog.message.text() or "зарегистрирован" in (
            dialog.message.text())
        assert not dialog.pay_button.isEnabled() and dialog.add_button.isEnabled()
        # a new card: the gateway's page as a code; the person attaches the test card there
        click(qtbot, dialog.add_button)
        run(rig, dialog)
        registration = dialog.registration
        assert registration is not None and dialog.new_card_box.isVisibleTo(dialog)
        assert scanned(dialog.new_card_code) == [registration.pay_url]
        gateway.pay(registration.reg_pay_num, TEST_CARD, "123")
        click(qtbot, dialog.refresh_button)
        run(rig, dialog)
        masks: list[str] = [saved.card_mask for saved in dialog.cards]
        assert masks == ["411111******1111"]
        assert cell(dialog.table, 0, 1) == "Visa"
        assert not dialog.new_card_box.isVisibleTo(dialog)  # attached: the code goes
        assert dialog.message.text() == "Карта Visa 411111******1111 привязана"
        # a second card, attached by the demo's phone button: the 3-D Secure card
        click(qtbot, dialog.add_button)
        run(rig, dialog)
        second = dialog.registration
        assert second is not None
        assert dialog.demo_attach_button.isVisibleTo(dialog)
        dialog.resize(820, 600)
        QApplication.processEvents()
        assert dialog.grab().save(str(screenshots / "card_saved.png"))
        gateway.pay(second.reg_pay_num, MIR_3DS, "123")
        dialog.start_refresh()
        run(rig, dialog)
        assert len(dialog.cards) == 2 and dialog.chosen() is not None
        chosen = dialog.chosen()
        assert chosen is not None and chosen.card_mask == "220138******0013"
        dialog.table.selectRow(0)

        # pay with the Visa: money moves at once
        chosen = dialog.chosen()
        assert chosen is not None and chosen.card_mask == "411111******1111"
        click(qtbot, dialog.pay_button)
        assert not dialog.isVisible()
        rig.wait_for(lambda: panel.step is Step.DONE)
        record = panel.record
        assert record is not None and record.state is State.PAID and record.card_token
        assert record.qr_payload is None
        assert gateway.books()[record.card_reg_pay_num or ""]["kind"] == "recurrent"
        assert panel.banner.text().startswith("Оплачено картой: 500,00 ₽")

        # the next person: the Mir card asks for 3-D Secure, shown as its page's code
        key(qtbot, panel.next_button, Qt.Key.Key_Escape)
        fill(rig, qtbot, "мтс", {"account": "9101234567"})
        checked(rig)
        type_text(panel.amount_edit, "200")
        dialog = saved_cards(rig, qtbot)
        dialog.phone.setText(PHONE)
        dialog.start_lookup()
        run(rig, dialog)
        assert len(dialog.cards) == 2
        dialog.table.selectRow(1)
        click(qtbot, dialog.pay_button)
        rig.wait_for(lambda: panel.record is not None
                     and panel.record.card_secure_url is not None)
        view = panel.card_view
        rig.wait_for(lambda: view.status.text().startswith("Подтвердите оплату"))
        secured = panel.record
        assert secured is not None and scanned(view.code) == [secured.card_secure_url]
        gateway.pay(secured.card_reg_pay_num or "", MIR_3DS, "123")
        rig.wait_for(lambda: panel.step is Step.DONE)
        assert panel.record is not None and panel.record.state is State.PAID

        # remove a card: asked first
        key(qtbot, panel.next_button, Qt.Key.Key_Escape)
        fill(rig, qtbot, "мтс", {"account": "9101234567"})
        checked(rig)
        type_text(panel.amount_edit, "100")
        dialog = saved_cards(rig, qtbot)
        dialog.phone.setText(PHONE)
        dialog.start_lookup()
        run(rig, dialog)
        dialog.table.selectRow(0)
        click(qtbot, dialog.remove_button)
        assert "Удалить карту Visa 411111******1111" in dialog.question.text()
        assert gateway.ledger.users()["7" + PHONE]["cards"][0]["state"] == "active"
        click(qtbot, dialog.remove_button)
        run(rig, dialog)
        assert gateway.ledger.users()["7" + PHONE]["cards"][0]["state"] == "inactive"
        assert dialog.message.text() == "Карта Visa 411111******1111 удалена"
        assert cell(dialog.table, 0, 2) == "отключена"
        dialog.table.selectRow(0)
        assert not dialog.pay_button.isEnabled()  # an inactive card cannot pay
        dialog.reject()
        assert window.panel.step is Step.CHECKED
    finally:
        rig.close()


def test_without_a_gateway_there_is_no_card_button(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.gui.helpers import make_rig

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    try:
        log_in(rig, qtbot)
        panel = rig.window.panel
        fill(rig, qtbot, "мтс", {"account": "9101234567"})
        checked(rig)
        assert panel.step is Step.CHECKED
        assert not panel.card_button.isVisible() and not panel.saved_card_button.isVisible()
        type_text(panel.amount_edit, "100")
        key(qtbot, panel.cash_edit, Qt.Key.Key_F7)
        assert panel.step is Step.CHECKED
    finally:
        rig.close()
