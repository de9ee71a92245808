"""The cashier's «Кошелёк» tab against the real e-wallet emulator (HTTP on loopback) and a real
journal: find by phone, open a wallet, the card, identification with the passport checked, an
СБП refill credited when the person's bank pays, a payment, a refusal kept in its dialog, field
errors at their fields, a withdrawal, the report's filter and pages, limits, closing; the
hand-over to the ordinary cash payment form. Screenshots at 1366×768."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from cashier_app import settings as cfg
from cashier_app.bootstrap import point_for
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.demo import demo_wallet_bank
from cashier_app.emulator.wallet import WalletServer
from cashier_app.emulator.wallet_books import field_error
from cashier_app.engine.methods.wallet import WalletTiming
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.ui.cashier.main_window import MainWindow
from cashier_app.ui.cashier.wallet import WalletPage
from cashier_app.ui.cashier.wallet.action_dialog import ActionDialog
from cashier_app.ui.cashier.wallet.dialogs import (
    CloseDialog,
    IdentifyDialog,
    LimitsDialog,
    PayDialog,
    RefillDialog,
    RegisterDialog,
    WithdrawDialog,
)
from tests.conftest import TOKEN
from tests.gui.helpers import CASHIERS, COMMISSION_SETTING, FakeTime, Rig, log_in, make_rig
from tests.gui.test_qr_window import scanned

PARTNER = {"client_id": "test-partner", "client_secret": "test-secret", "partner_id": "test"}
PHONE = "9051234567"


@pytest.fixture
def wallets() -> Iterator[WalletServer]:
    server = WalletServer(client_id=PARTNER["client_id"], client_secret=PARTNER["client_secret"],
                          partner_id=PARTNER["partner_id"]).start()
    try:
        yield server
    finally:
        server.stop()


def wallet_rig(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
               wallets: WalletServer, data_dir: Path, *, reconcile_minutes: float = 5.0,
               customer_display: str = "off", demo_bank: bool = False,
               printer: Path | None = None) -> Rig:
    """The window as the program wires it, with e-wallets on (the emulator) and the demo's
    wallet cash service; the refill watched every 50 ms instead of every 3 s."""
    settings = cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: emulator.url, cfg.PROCESSING_TOKEN: TOKEN,
        cfg.PROCESSING_TIMEOUT: 2.0, cfg.DATA_DIR: str(data_dir), cfg.RETRY_INITIAL: 0.05,
        cfg.RETRY_FACTOR: 2, cfg.RETRY_MAX: 0.2, cfg.COMMISSION: COMMISSION_SETTING,
        cfg.WALLET_URL: wallets.url, cfg.WALLET_CLIENT_ID: PARTNER["client_id"],
        cfg.WALLET_CLIENT_SECRET: PARTNER["client_secret"],
        cfg.WALLET_PARTNER_ID: PARTNER["partner_id"], cfg.WALLET_TIMEOUT: 3.0,
        cfg.WALLET_CASH_SERVICE: "P5001"})
    point = point_for(settings, "window")
    if printer is not None:  # receipts into a file, as the demo's printer
        from tests.unit.receipts.helpers import SETTINGS

        point.receipts = ReceiptService(point.journal, SETTINGS, PrinterConfig(
            kind="file", address=str(printer)), events=point.events)
    assert point.engine.wallet is not None
    point.engine.wallet.timing = WalletTiming(refill_minutes=10.0,
                                              reconcile_minutes=reconcile_minutes,
                                              poll_seconds=0.05)
    window = MainWindow(point, cashiers=CASHIERS, demo=True,
                        customer_display=customer_display,
                        wallet_bank=demo_wallet_bank(wallets.url) if demo_bank else None)
    time = FakeTime()
    window.pin_guard.clock, window.pin_guard.sleep = time.clock, time.sleep
    qtbot.addWidget(window)
    window.show()
    window.resize(1366, 768)
    return Rig(window, point, loop, time)


def wallet_tab(rig: Rig, qtbot: QtBot) -> WalletPage:
    """Log in, open the shift, Ctrl+3."""
    log_in(rig, qtbot)
    window = rig.window
    qtbot.keyClick(window, Qt.Key.Key_3,  # type: ignore[no-untyped-call]
                   Qt.KeyboardModifier.ControlModifier)
    page = window.wallet_page
    assert page is not None and window.tabs.currentWidget() is page
    return page


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item.text()


def confirm(rig: Rig, qtbot: QtBot, dialog: ActionDialog) -> None:
    """The two presses: the question, then the action; wait for its end."""
    click(qtbot, dialog.ok_button)
    assert dialog.armed, dialog.message.text()
    assert dialog.question_label.isVisibleTo(dialog)
    click(qtbot, dialog.ok_button)
    assert dialog.task is not None
    rig.run(dialog.task)


def settle(rig: Rig, page: WalletPage) -> None:
    """Let the page's own follow-ups (a card asked again) finish."""
    rig.wait_for(lambda: not page.tasks)


def search(rig: Rig, page: WalletPage, text: str) -> None:
    page.search_edit.setText(text)
    rig.run(page.start_search())
    settle(rig, page)


def register(rig: Rig, qtbot: QtBot, page: WalletPage, phone: str = PHONE) -> str:
    page.search_edit.setText(phone)
    dialog = page.ask_register()
    assert dialog.phone.text() == phone  # what the cashier searched for
    confirm(rig, qtbot, dialog)
    assert dialog.result is not None, dialog.message.text()
    settle(rig, page)
    assert page.card is not None
    return page.card.entry.wallet_id


def known_wallet(rig: Rig, page: WalletPage, wallets: WalletServer, *,
                 balance: str = "1000.00", phone: str = "9161112233") -> str:
    """A wallet with money on it that the service knows and the point does not yet: found
    by its walletId (asked of the service), then in the point's directory."""
    wallet_id = wallets.ledger.add_wallet(PARTNER["partner_id"], phone,
                                          balance=Decimal(balance))
    search(rig, page, wallet_id)
    assert page.card is not None and page.card.entry.wallet_id == wallet_id
    return wallet_id


def books(wallets: WalletServer, wallet_id: str) -> dict[str, Any]:
    found: dict[str, Any] = wallets.books()[wallet_id]
    return found


def test_no_wallet_tab_when_wallets_are_off(qtbot: QtBot, loop: qasync.QEventLoop,
                                           emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    try:
        assert rig.window.wallet_page is None
        titles = [rig.window.tabs.tabText(i) for i in range(rig.window.tabs.count())]
        assert not any("Кошел" in title for title in titles)
        assert not rig.window.wallet_action.isVisible()
    finally:
        rig.close()


def test_find_by_phone_register_and_card(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, wallets: WalletServer,
                                         tmp_path: Path, screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        search(rig, page, "+7 (905) 123-45-67")
        assert page.results.count() == 0
        assert "кошельков на кассе нет" in page.search_message.text()
        search(rig, page, "12345")
        assert "10 цифр" in page.search_message.text()

        dialog = page.ask_register()
        assert isinstance(dialog, RegisterDialog)
        dialog.phone.setText("+7 905 123-45-67")
        click(qtbot, dialog.ok_button)
        assert "9051234567" in dialog.question_label.text()
        assert dialog.grab().save(str(screenshots / "wallet_register.png"))
        click(qtbot, dialog.ok_button)
        assert dialog.task is not None
        rig.run(dialog.task)
        settle(rig, page)
        card = page.card
        assert card is not None and card.entry.phone == PHONE
        assert page.search_message.text() == ""  # «no wallet on this number» is gone
        assert page.list_title.text() == "Найдено: 1" and page.results.count() == 1
        wallet_id = card.entry.wallet_id
        assert books(wallets, wallet_id)["status"] == "ACTIVE"
        view = page.card_view
        assert page.stack.currentWidget() is view
        assert view.balance.text() == "Баланс: 0,00 ₽"
        assert view.phone.text() == PHONE and view.wallet_id.text() == wallet_id
        assert view.status.text() == "действует"
        assert view.level.text() == "не идентифицирован"
        assert cell(view.limits, 0, 0) == "Пополнение"
        assert cell(view.limits, 0, 1) == "15 000,00 ₽"
        assert "15 000,00 ₽" in view.balance_limit.text()
        assert "Кошелёк открыт" in page.message.text()

        # a second wallet, then the search by phone finds the first again
        known_wallet(rig, page, wallets, phone="9167654321")
        search(rig, page, "8 905 123 45 67")
        assert page.results.count() == 1
        assert page.card is not None and page.card.entry.wallet_id == wallet_id
        page.search_edit.clear()
        assert page.results.count() == 2  # the directory: both wallets seen here
        rig.redrawn()
        assert rig.window.grab().save(str(screenshots / "wallet_search.png"))
        search(rig, page, PHONE)
        assert page.card_view.phone.text() == PHONE
    finally:
        rig.close()


def test_identification_needs_the_passport_checked(qtbot: QtBot, loop: qasync.QEventLoop,
                                                   emulator: EmulatorServer,
                                                   wallets: WalletServer, tmp_path: Path,
                                                   screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = register(rig, qtbot, page)
        click(qtbot, page.card_view.identify_button)
        dialog = page.dialog
        assert isinstance(dialog, IdentifyDialog)
        assert dialog.level.currentData() == 1  # the next level up is offered
        click(qtbot, dialog.ok_button)
        assert not dialog.armed
        assert "Паспорт проверен" in dialog.passport_error.text()
        assert dialog.passport_error.isVisibleTo(dialog)
        assert books(wallets, wallet_id)["identification"] == "ELEMENTARY"  # nothing sent
        assert dialog.grab().save(str(screenshots / "wallet_identify.png"))
        dialog.passport.setChecked(True)
        assert not dialog.passport_error.isVisibleTo(dialog)  # ticked: the error goes
        confirm(rig, qtbot, dialog)
        settle(rig, page)
        assert books(wallets, wallet_id)["identification"] == "PERSONALIZED"
        assert page.card_view.level.text() == "упрощённая идентификация (УПРИД)"
        assert cell(page.card_view.limits, 0, 1) == "60 000,00 ₽"
        assert page.message.text() == "Идентификация изменена"
    finally:
        rig.close()


def test_refill_by_sbp_link_is_credited_when_the_bank_pays(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        wallets: WalletServer, tmp_path: Path, screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path, customer_display="window")
    try:
        rig.start()  # the scheduler watches the report for the credit
        page = wallet_tab(rig, qtbot)
        wallet_id = register(rig, qtbot, page)
        click(qtbot, page.card_view.refill_button)
        dialog = page.dialog
        assert isinstance(dialog, RefillDialog)
        dialog.amount.setText("500")
        click(qtbot, dialog.ok_button)
        assert "500,00 ₽" in dialog.question_label.text()
        assert "через СБП" in dialog.question_label.text()
        click(qtbot, dialog.ok_button)
        assert dialog.task is not None
        rig.run(dialog.task)
        view = page.refill_view
        assert page.stack.currentWidget() is view
        record = view.record
        assert record is not None and record.state is State.QR_WAITING
        payload = record.qr_payload
        assert payload and payload.startswith("https://qr.nspk.ru/")
        assert view.amount.text() == "Пополнение кошелька: 500,00 ₽"
        assert view.timer_label.text().startswith("Ссылка действует ещё 09:5")
        assert "Ждём зачисления" in view.status.text()
        assert scanned(view.code) == [payload]
        assert books(wallets, wallet_id)["balance"] == Decimal("0.00")  # not cash, not yet
        display = rig.window.customer_display
        assert display is not None
        rig.window.show_customer_display()
        assert display.headline.text() == "Пополнение кошелька по СБП"
        assert display.amount.text() == "500,00 ₽"
        assert scanned(display.code) == [payload]
        rig.redrawn()
        assert rig.window.grab().save(str(screenshots / "wallet_refill_qr.png"))
        assert display.grab().save(str(screenshots / "wallet_refill_customer.png"))

        assert wallets.confirm_refill(payload)  # the person confirms in their bank's app
        # (qasync runs the scheduler only while its loop runs: rig.wait_for, not waitUntil)
        rig.wait_for(lambda: "Зачислено" in view.status.text())
        rig.wait_for(lambda: page.card_view.balance.text() == "Баланс: 500,00 ₽")
        settle(rig, page)
        assert view.balance.text() == "Баланс: 500,00 ₽"
        assert not view.code.isVisibleTo(view)
        assert rig.journal.get(record.agent_transaction_id).state is State.PAID
        assert display.headline.text() == "Зачислено на кошелёк. Спасибо!"
        assert cell(page.card_view.operations, 0, 3) == "зачислено"
        assert rig.journal.get(record.agent_transaction_id).cash_given is None
        click(qtbot, view.done_button)
        assert page.stack.currentWidget() is page.card_view
        assert display.headline.text() == "Добро пожаловать"  # the customer's screen rests
        rig.redrawn()
        assert rig.window.grab().save(str(screenshots / "wallet_card.png"))
    finally:
        rig.close()


def test_the_demo_bank_button_confirms_the_refill(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        wallets: WalletServer, tmp_path: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path, demo_bank=True)
    try:
        rig.start()
        page = wallet_tab(rig, qtbot)
        wallet_id = register(rig, qtbot, page)
        click(qtbot, page.card_view.refill_button)
        dialog = page.dialog
        assert isinstance(dialog, RefillDialog)
        dialog.amount.setText("250")
        click(qtbot, dialog.ok_button)
        click(qtbot, dialog.ok_button)
        assert dialog.task is not None
        rig.run(dialog.task)
        view = page.refill_view
        assert view.demo_button.isVisibleTo(view)
        assert books(wallets, wallet_id)["balance"] == Decimal("0.00")
        click(qtbot, view.demo_button)
        rig.wait_for(lambda: "Зачислено" in view.status.text())
        assert books(wallets, wallet_id)["balance"] == Decimal("250.00")
        assert not view.demo_button.isVisibleTo(view)  # nothing left to confirm
        today = rig.window.today_page
        today.reload()  # «Сегодня»: the refill is listed, and it is not cash the desk took
        assert today.summary.text().endswith(
            "принято 0,00 ₽; операции с кошельками 250,00 ₽ (не наличные)")
        assert today.table.item(0, 6).text() == "оплачен (кошелёк)"
    finally:
        rig.close()


def test_pay_from_the_wallet_and_a_refusal_keeps_the_dialog(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        wallets: WalletServer, tmp_path: Path, screenshots: Path) -> None:
    printed = tmp_path / "printer.bin"
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path, printer=printed)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = known_wallet(rig, page, wallets)
        assert page.card_view.balance.text() == "Баланс: 1 000,00 ₽"
        click(qtbot, page.card_view.pay_button)
        dialog = page.dialog
        assert isinstance(dialog, PayDialog)
        dialog.amount.setText("5000")
        dialog.tsp.setText("shop-42")
        confirm(rig, qtbot, dialog)
        # the service's 400 INSUFFICIENT_FUNDS: said in Russian, the dialog and its values stay
        assert dialog.result is None and dialog.isVisible()
        assert "Недостаточно средств" in dialog.message.text()
        assert dialog.amount.text() == "5000" and dialog.tsp.text() == "shop-42"
        assert not dialog.armed
        assert books(wallets, wallet_id)["balance"] == Decimal("1000.00")
        assert dialog.grab().save(str(screenshots / "wallet_pay_refused.png"))

        dialog.amount.setText("300")
        confirm(rig, qtbot, dialog)
        assert dialog.result is not None and dialog.result.state is State.PAID
        settle(rig, page)
        assert books(wallets, wallet_id)["balance"] == Decimal("700.00")
        assert page.card_view.balance.text() == "Баланс: 700,00 ₽"
        assert page.message.text() == "Оплачено: 300,00 ₽. Баланс: 700,00 ₽"
        assert cell(page.card_view.operations, 0, 1) == "Оплата с кошелька"
        assert cell(page.card_view.operations, 0, 3) == "списано"
        # its receipt printed, as after a cash payment (the refused one gets none)
        rig.wait_for(lambda: printed.exists() and "ОПЛАТА С КОШЕЛЬКА" in printed.read_bytes(
            ).decode("cp866", "replace"))
        receipts = rig.journal.db.execute("select agent_transaction_id from receipts").fetchall()
        assert receipts == [(dialog.result.agent_transaction_id,)]
    finally:
        rig.close()


def test_field_errors_show_at_their_fields(qtbot: QtBot, loop: qasync.QEventLoop,
                                           emulator: EmulatorServer, wallets: WalletServer,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = known_wallet(rig, page, wallets)
        click(qtbot, page.card_view.pay_button)
        dialog = page.dialog
        assert isinstance(dialog, PayDialog)
        amount_error = dialog.field_label("amount")
        tsp_error = dialog.field_label("tsp")
        assert amount_error is not None and tsp_error is not None
        # typed wrong: said at the field, nothing sent
        dialog.amount.setText("сто")
        dialog.tsp.setText("shop-1")
        click(qtbot, dialog.ok_button)
        assert not dialog.armed and amount_error.isVisibleTo(dialog)
        assert "цифрами" in amount_error.text()
        assert not tsp_error.isVisibleTo(dialog)

        # the service's fieldErrors on a money operation: at the field too
        def no_payee(*_: object) -> None:
            raise field_error("tsp", "Получатель не найден")

        monkeypatch.setattr(wallets.ledger, "pay", no_payee)
        dialog.amount.setText("100")
        confirm(rig, qtbot, dialog)
        assert dialog.result is None
        assert tsp_error.isVisibleTo(dialog) and tsp_error.text() == "Получатель не найден"
        assert not amount_error.isVisibleTo(dialog)
        assert books(wallets, wallet_id)["balance"] == Decimal("1000.00")
        dialog.reject()

        # and on a request that moves no money (registration)
        def taken(*_: object) -> None:
            raise field_error("phone", "Номер обслуживает другой партнёр")

        monkeypatch.setattr(wallets.ledger, "register", taken)
        register_dialog = page.ask_register()
        register_dialog.phone.setText("9031112233")
        confirm(rig, qtbot, register_dialog)
        phone_error = register_dialog.field_label("phone")
        assert phone_error is not None and phone_error.isVisibleTo(register_dialog)
        assert phone_error.text() == "Номер обслуживает другой партнёр"
        assert register_dialog.phone.text() == "9031112233"
        assert register_dialog.result is None
    finally:
        rig.close()


def test_withdraw_to_a_bank_from_the_list(qtbot: QtBot, loop: qasync.QEventLoop,
                                          emulator: EmulatorServer, wallets: WalletServer,
                                          tmp_path: Path, screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = known_wallet(rig, page, wallets)
        click(qtbot, page.card_view.withdraw_button)
        dialog = page.dialog
        assert isinstance(dialog, WithdrawDialog)
        rig.run(dialog.loading)
        assert dialog.bank.count() > 2 and dialog.bank.isEnabled()
        dialog.amount.setText("250")
        click(qtbot, dialog.ok_button)  # no bank chosen yet
        bank_error = dialog.field_label("bankIdentifier")
        assert bank_error is not None and "Выберите банк" in bank_error.text()
        dialog.bank.setCurrentIndex(1)
        chosen = dialog.banks[0].name
        click(qtbot, dialog.ok_button)
        assert dialog.question_label.text().startswith("Вывести 250,00 ₽ с кошелька № ")
        assert f"в банк «{chosen}»?" in dialog.question_label.text()
        assert dialog.grab().save(str(screenshots / "wallet_withdraw.png"))
        click(qtbot, dialog.ok_button)
        assert dialog.task is not None
        rig.run(dialog.task)
        assert dialog.result is not None and dialog.result.state is State.PAID
        settle(rig, page)
        assert books(wallets, wallet_id)["balance"] == Decimal("750.00")
        assert page.card_view.balance.text() == "Баланс: 750,00 ₽"
        assert page.message.text() == "Выведено: 250,00 ₽. Баланс: 750,00 ₽"
    finally:
        rig.close()


def test_report_with_a_filter_and_a_second_page(qtbot: QtBot, loop: qasync.QEventLoop,
                                                emulator: EmulatorServer,
                                                wallets: WalletServer, tmp_path: Path,
                                                screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = known_wallet(rig, page, wallets, balance="100.00")
        for number in range(25):
            wallets.ledger.refund(wallet_id, Decimal(number + 1))
        task = page.show_report()
        assert task is not None
        rig.run(task)
        report = page.report_view
        assert page.stack.currentWidget() is report
        assert report.model.rowCount() == 20
        assert report.page_label.text() == "Страница 1 из 2 · операций: 26"
        report.kind.setCurrentIndex(report.kind.findData("CREDIT"))
        click(qtbot, report.show_button)
        assert report.task is not None
        rig.run(report.task)
        assert report.model.rowCount() == 1
        assert report.model.cells(0)[1] == "Пополнение"
        assert report.model.cells(0)[3] == "100,00 ₽"
        assert not report.next_button.isEnabled()
        report.kind.setCurrentIndex(report.kind.findData("REFUND"))
        click(qtbot, report.show_button)
        rig.run(report.task)
        assert report.model.rowCount() == 20
        assert report.model.cells(0)[3] == "25,00 ₽"  # newest first
        assert report.page_label.text() == "Страница 1 из 2 · операций: 25"
        assert report.next_button.isEnabled() and not report.previous_button.isEnabled()
        rig.redrawn()
        assert rig.window.grab().save(str(screenshots / "wallet_report.png"))
        click(qtbot, report.next_button)
        rig.run(report.task)
        assert report.model.rowCount() == 5
        assert report.model.cells(4)[3] == "1,00 ₽"
        assert report.page_label.text() == "Страница 2 из 2 · операций: 25"
        assert not report.next_button.isEnabled() and report.previous_button.isEnabled()
        # a period that cannot be: said before anything is sent
        report.date_from.setDate(report.date_to.date().addDays(1))
        click(qtbot, report.show_button)
        rig.run(report.task)
        assert "позже" in report.message.text()
        assert report.model.rowCount() == 5
        qtbot.keyClick(report.table, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
        assert page.stack.currentWidget() is page.card_view
    finally:
        rig.close()


def test_limits_and_closing(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                            wallets: WalletServer, tmp_path: Path, screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        wallet_id = register(rig, qtbot, page)
        click(qtbot, page.card_view.limits_button)
        dialog = page.dialog
        assert isinstance(dialog, LimitsDialog)
        one_time = dialog.edits["PAYMENT"][0]
        assert one_time.text() == "15000,00"
        click(qtbot, dialog.ok_button)
        assert "Ничего не изменено" in dialog.grid_error.text()
        one_time.setText("99000")  # above the system's: the service refuses
        confirm(rig, qtbot, dialog)
        assert "не может быть выше системного" in dialog.message.text()
        one_time.setText("1000")
        click(qtbot, dialog.ok_button)
        assert "Оплата: разовый 1 000,00 ₽" in dialog.question_label.text()
        assert dialog.grab().save(str(screenshots / "wallet_limits.png"))
        click(qtbot, dialog.ok_button)
        rig.run(dialog.task)
        settle(rig, page)
        assert cell(page.card_view.limits, 2, 0) == "Оплата"
        assert cell(page.card_view.limits, 2, 1) == "1 000,00 ₽"

        click(qtbot, page.card_view.close_button)
        close = page.dialog
        assert isinstance(close, CloseDialog)
        click(qtbot, close.ok_button)
        assert "нельзя отменить" in close.question_label.text()
        click(qtbot, close.ok_button)
        rig.run(close.task)
        settle(rig, page)
        assert books(wallets, wallet_id)["status"] == "CLOSED"
        assert page.card_view.status.text() == "закрыт"
        assert not page.card_view.refill_button.isEnabled()
        assert not page.card_view.pay_button.isEnabled()
        assert page.card_view.report_button.isEnabled()  # the history stays readable
        assert page.message.text() == "Кошелёк закрыт"
    finally:
        rig.close()


def test_cash_refill_opens_the_payment_form(qtbot: QtBot, loop: qasync.QEventLoop,
                                            emulator: EmulatorServer, wallets: WalletServer,
                                            tmp_path: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        register(rig, qtbot, page)
        assert page.card_view.cash_button.isVisible()
        click(qtbot, page.card_view.cash_button)
        window = rig.window
        assert window.tabs.currentIndex() == 0
        form = window.panel.form
        assert form is not None
        assert "P5001" in window.panel.title.text()
        assert form.values()["account"] == PHONE
    finally:
        rig.close()


def test_a_dialog_opens_with_the_cursor_in_its_first_field(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        wallets: WalletServer, tmp_path: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path)
    try:
        page = wallet_tab(rig, qtbot)
        register(rig, qtbot, page)
        click(qtbot, page.card_view.refill_button)
        dialog = page.dialog
        assert isinstance(dialog, RefillDialog)
        qtbot.waitExposed(dialog)  # type: ignore[no-untyped-call]
        assert dialog.focusWidget() is dialog.amount
        qtbot.keyClicks(dialog.amount, "700")  # type: ignore[no-untyped-call]
        assert dialog.amount.text() == "700"
    finally:
        rig.close()
