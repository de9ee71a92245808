"""The window's catalog, status bar and background work against the real emulator, offscreen."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentInput
from cashier_app.ui.cashier.main_window import SERVICE_ROLE, phone_digits
from tests.conftest import TOKEN
from tests.gui.helpers import log_in, make_rig, type_text


def services_shown(window) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Group → its services' names, as the tree shows them (what the view reads)."""
    model, shown = window.tree.model(), {}
    for row in range(model.rowCount()):
        group = model.index(row, 0)
        assert window.tree.isExpanded(group)
        shown[group.data()] = [model.index(i, 0, group).data()
                               for i in range(model.rowCount(group))]
    return shown


def test_window_shows_catalog_and_balance(qtbot: QtBot, loop: qasync.QEventLoop,
                                          emulator: EmulatorServer, tmp_path: Path,
                                          screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    shown = services_shown(window)
    assert shown["Сотовая связь"] == ["Билайн", "МТС", "МегаФон", "Т2"]
    assert shown["ЖКХ"] == ["ЕРЦ «Городские коммунальные системы»"]
    assert window.connection_label.text() == "Процессинг: на связи"
    # the amount as people write it, with ₽ (not «RUB») and the time it was so
    assert window.balance_label.text() == (
        f"Баланс агента: 500 000,00 ₽ (на {datetime.now():%H:%M})")
    assert window.balance_label.property("state") == "ok"
    assert window.catalog_label.text().startswith("Каталог: 10 услуг, ")
    assert window.windowTitle() == "Касса — демо-режим"

    model = window.tree.model()
    herbalife = model.index(0, 0, model.index(5, 0))
    assert herbalife.data(SERVICE_ROLE) == "P2001"
    assert model.index(0, 1, model.index(5, 0)).data() == "P2001"
    window.tree.setCurrentIndex(herbalife)
    qtbot.keyClick(window.tree, Qt.Key.Key_Return)  # Enter on a service opens its form
    form = window.panel.form
    assert form is not None
    assert [row.spec.label for row in form.rows] == ["Номер независимого партнера",
                                                     "Номер заказа"]
    assert window.grab().save(str(screenshots / "main_window.png"))
    rig.close()


def test_processing_down_shows_the_cached_catalog(qtbot: QtBot, loop: qasync.QEventLoop,
                                                  tmp_path: Path, screenshots: Path) -> None:
    with EmulatorServer(token=TOKEN) as server:
        first = make_rig(qtbot, loop, server.url, tmp_path)
        first.run(first.window.refresh())
        first.close()
        url = server.url
    rig = make_rig(qtbot, loop, url, tmp_path)  # the processing center is gone now
    log_in(rig, qtbot)
    window = rig.window
    assert window.catalog is not None and window.catalog.from_cache
    assert len(services_shown(window)["Сотовая связь"]) == 4
    assert window.connection_label.text() == "Нет связи с процессингом"
    assert window.connection_label.property("state") == "error"
    assert window.catalog_label.text().startswith("Каталог: 10 услуг, сохранён")
    assert window.balance_label.text() == "Баланс: нет данных"
    assert window.grab().save(str(screenshots / "main_window_offline.png"))
    rig.close()


def test_wrong_token_says_so(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                             tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, token="wrong")
    rig.run(rig.window.refresh())
    assert "отклонил авторизацию" in rig.window.connection_label.text()
    assert rig.window.catalog_label.text() == "Каталог услуг недоступен"
    rig.close()


def test_start_does_not_block(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                              tmp_path: Path) -> None:
    emulator.add_fault(method="services", action="delay", seconds=1.0)
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    rig.window.start()  # returns at once; the work happens while the loop runs
    assert rig.window.catalog is None
    rig.wait_for(lambda: rig.window.catalog is not None)
    rig.close()


def test_keyboard_refresh_and_quit(qtbot: QtBot, loop: qasync.QEventLoop,
                                   emulator: EmulatorServer, tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    assert window.refresh_action.shortcut().toString() == "F5"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.refresh_action.trigger()  # F5 starts a background refresh
    rig.wait_for(lambda: window.catalog is not None and not window.catalog.from_cache)
    assert emulator.center.request_counts["services"] == 1
    window.quit_action.trigger()
    assert not window.isVisible()
    rig.close()


def test_background_refresh_keeps_what_the_cashier_is_doing(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, refresh_minutes=0.001)  # every 60 ms
    log_in(rig, qtbot)
    window = rig.window
    window.open_service("P1011")
    form = window.panel.form
    assert form is not None
    type_text(form.rows[0].edit, "90312")
    window.search_box.setText("мега")
    window.start()
    rig.wait_for(lambda: emulator.center.request_counts["services"] >= 3)
    assert window.panel.form is form and form.values() == {"account": "90312"}
    assert window.search_box.text() == "мега" and window.result_ids() == ["P1013"]
    rig.close()


def test_window_resumes_pending_payments_and_settles_them_in_the_background(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    # an earlier run: one payment left «в обработке» (answer lost), one that keeps failing
    first_rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    engine = first_rig.engine
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    emulator.add_fault(method="pay", action="drop", when="after")
    first = first_rig.run(engine.check(PaymentInput(service, {"account": "9051234567"})))
    first = first_rig.run(engine.pay(first.agent_transaction_id,
                                     engine.plan(first, amount=Decimal("100"))))
    emulator.add_fault(method="pay", action="http", times=4, match={"account": "9057654321"})
    second = first_rig.run(engine.check(PaymentInput(service, {"account": "9057654321"})))
    second = first_rig.run(engine.pay(second.agent_transaction_id,
                                      engine.plan(second, amount=Decimal("50"))))
    assert (first.state, second.state) == (State.PAYING, State.PAYING)
    first_rig.close()

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    assert window.pending_label.text() == "В обработке: 2"
    assert window.grab().save(str(screenshots / "main_window_pending.png"))
    rig.start()  # the point resumes first, then its scheduler takes over
    rig.run(window.refresh())
    assert rig.journal.get(first.agent_transaction_id).state is State.PAID
    # the count follows the bridge's coalesced refresh
    rig.wait_for(lambda: window.pending_label.text() == "В обработке: 1")
    assert window.pending_label.property("state") == "warn"
    rig.wait_for(lambda: rig.journal.get(second.agent_transaction_id).state is State.PAID)
    rig.wait_for(lambda: window.pending_label.text() == "В обработке: нет")
    assert emulator.center.transaction(second.agent_transaction_id).debits == 1
    # both outcomes were news: the cashier is told
    assert len(window.notices) == 2 and all("проведён" in n for n in window.notices)
    rig.close()


def test_search_as_you_type(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                            tmp_path: Path, screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    window.search_action.trigger()  # Ctrl+F
    type_text(window.search_box, "мега")
    assert window.result_ids() == ["P1013"]
    window.search_box.clear()
    type_text(window.search_box, "жкх")
    assert window.result_ids() == ["P0005"]
    window.search_box.clear()
    type_text(window.search_box, "СОТОВАЯ")
    assert len(window.result_ids()) == 4
    assert window.grab().save(str(screenshots / "main_window_search.png"))
    window.search_box.clear()
    type_text(window.search_box, "нет такой")
    assert window.result_ids() == []
    assert window.results.item(0).text() == "Ничего не найдено: «нет такой»"
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # nothing to open: nothing happens
    assert window.panel.form is None
    window.search_box.clear()  # back to the groups
    assert window.catalog_stack.currentWidget() is window.tree
    rig.close()


def test_phone_number_in_search_offers_the_operator(qtbot: QtBot, loop: qasync.QEventLoop,
                                                    emulator: EmulatorServer, tmp_path: Path,
                                                    screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    log_in(rig, qtbot)
    window = rig.window
    window.search_action.trigger()
    type_text(window.search_box, "+7 903 123-45-67")  # a ported number: МТС, not Билайн
    rig.run(window.wait_phone_lookup())
    assert window.result_ids()[0] == "P1012"
    suggestion = window.results.item(0)
    assert suggestion.text() == "☎ МТС (P1012) — Enter"
    # the whole explanation, however narrow the column
    assert suggestion.toolTip().startswith("Номер 903 123-45-67 по базе номеров")
    room = window.results.viewport().width()
    # whole on screen, with the row's padding
    assert window.results.fontMetrics().horizontalAdvance(suggestion.text()) + 40 < room
    assert window.grab().save(str(screenshots / "search_phone.png"))
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    form = window.panel.form
    assert form is not None and form.service.service_id == "P1012"
    assert form.values() == {"account": "9031234567"}
    window.search_box.clear()
    type_text(window.search_box, "8 999 000 00 00")  # no such operator
    rig.run(window.wait_phone_lookup())
    assert window.result_ids() == []
    assert "оператор не определён" in window.results.item(0).text()
    rig.close()


def test_phone_digits() -> None:
    assert phone_digits("+7 (903) 123-45-67") == "9031234567"
    assert phone_digits("89031234567") == "9031234567"
    assert phone_digits("9031234567") == "9031234567"
    assert phone_digits("903123456") is None
    assert phone_digits("мтс 9031234567") is None
    assert phone_digits("") is None


def test_window_geometry_is_remembered(qtbot: QtBot, loop: qasync.QEventLoop,
                                       emulator: EmulatorServer, tmp_path: Path) -> None:
    state = tmp_path / "window.ini"
    rig = make_rig(qtbot, loop, emulator.url, tmp_path, ui_state=state)
    rig.window.resize(700, 500)
    rig.window.splitter.setSizes([250, 450])
    saved = rig.window.splitter.sizes()
    rig.window.close()
    rig.close()
    again = make_rig(qtbot, loop, emulator.url, tmp_path, ui_state=state)
    assert (again.window.width(), again.window.height()) == (700, 500)
    assert again.window.splitter.sizes() == saved
    again.close()


def test_translations_load_through_qt(qapp, caplog) -> None:  # type: ignore[no-untyped-def]
    """Texts go through Qt's translation mechanism: Qt's own Russian texts load; a language
    without a .qm file keeps the window in Russian and says so in the log."""
    from PySide6.QtWidgets import QApplication

    from cashier_app.ui.launch import install_translations

    installed = install_translations(qapp, "ru")
    try:
        assert len(installed) == 1  # qtbase_ru: standard buttons, context menus
        assert QApplication.translate("QPlatformTheme", "Cancel") == "Отмена"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
    assert install_translations(qapp, "xx") == []
    assert "cashier_xx.qm not found" in caplog.text


def test_a_failed_start_up_recovery_still_starts_the_scheduler(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    """Whatever breaks the recovery at start (here: the journal refusing one read), the
    cashier is told and the background scheduler still runs: a payment left «в обработке»
    is not forgotten for the rest of the day."""
    from cashier_app.journal import JournalStorageError

    first_rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    emulator.add_fault(method="pay", action="drop", when="after")
    engine = first_rig.engine
    record = first_rig.run(engine.check(PaymentInput(service, {"account": "9051234567"})))
    record = first_rig.run(engine.pay(record.agent_transaction_id,
                                      engine.plan(record, amount=Decimal("100"))))
    assert record.state is State.PAYING
    first_rig.close()

    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    failing = rig.engine.scheduler.abandon_unpaid

    def broken() -> list[object]:
        rig.engine.scheduler.abandon_unpaid = failing  # type: ignore[method-assign]
        raise JournalStorageError("Диск заполнен: журнал платежей не может записать данные")

    rig.engine.scheduler.abandon_unpaid = broken  # type: ignore[method-assign]
    rig.start()
    rig.wait_for(lambda: any("не возобновлены" in notice and "Диск заполнен" in notice
                             for notice in rig.window.notices))
    rig.wait_for(lambda: rig.journal.get(record.agent_transaction_id).state is State.PAID)
    assert emulator.center.transaction(record.agent_transaction_id).debits == 1
    rig.close()
