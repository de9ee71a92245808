"""The placeholder main window against the real emulator, offscreen."""

from __future__ import annotations

from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from cashier_app.catalog import CatalogStore
from cashier_app.emulator import EmulatorServer
from cashier_app.processing.client import ProcessingClient
from cashier_app.ui.main_window import SERVICE_ROLE, MainWindow
from tests.conftest import TOKEN


def make_window(qtbot: QtBot, url: str, data_dir: Path, token: str = TOKEN) -> MainWindow:
    window = MainWindow(lambda: ProcessingClient(url, token, timeout=2), CatalogStore(data_dir),
                        demo=True)
    qtbot.addWidget(window)
    window.show()
    return window


def services_shown(window: MainWindow) -> dict[str, list[str]]:
    shown = {}
    for index in range(window.tree.topLevelItemCount()):
        group = window.tree.topLevelItem(index)
        shown[group.text(0)] = [group.child(i).text(0) for i in range(group.childCount())]
    return shown


def test_window_shows_catalog_and_balance(qtbot: QtBot, loop: qasync.QEventLoop,
                                          emulator: EmulatorServer, tmp_path: Path,
                                          screenshots: Path) -> None:
    window = make_window(qtbot, emulator.url, tmp_path)
    loop.run_until_complete(window.refresh())
    shown = services_shown(window)
    assert shown["Сотовая связь"] == ["Билайн", "МТС", "МегаФон", "Т2"]
    assert shown["ЖКХ"] == ["ЕРЦ «Городские коммунальные системы»"]
    assert window.connection_label.text() == "Процессинг: на связи"
    assert window.balance_label.text() == "Баланс агента: 500 000,00 RUB"
    assert window.catalog_label.text().startswith("Каталог: 9 услуг, обновлён")
    assert window.windowTitle() == "Касса — демо-режим"

    herbalife = window.tree.topLevelItem(5).child(0)
    assert herbalife.data(0, SERVICE_ROLE) == "P2001"
    window.tree.setCurrentItem(herbalife)
    text = window.details.text()
    assert "Номер независимого партнера" in text and "Номер заказа" in text
    assert "Фиксированная сумма платежа" in text
    assert window.grab().save(str(screenshots / "main_window.png"))


def test_processing_down_shows_the_cached_catalog(qtbot: QtBot, loop: qasync.QEventLoop,
                                                  tmp_path: Path, screenshots: Path) -> None:
    with EmulatorServer(token=TOKEN) as server:
        first = make_window(qtbot, server.url, tmp_path)
        loop.run_until_complete(first.refresh())
        url = server.url
    window = make_window(qtbot, url, tmp_path)  # the processing center is gone now
    loop.run_until_complete(window.refresh())
    assert window.catalog is not None and window.catalog.from_cache
    assert len(services_shown(window)["Сотовая связь"]) == 4
    assert window.connection_label.text() == "Нет связи с процессингом"
    assert window.connection_label.property("state") == "error"
    assert window.catalog_label.text().startswith("Каталог: 9 услуг, сохранён")
    assert window.balance_label.text() == "Баланс: нет данных"
    assert window.grab().save(str(screenshots / "main_window_offline.png"))


def test_wrong_token_says_so(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                             tmp_path: Path) -> None:
    window = make_window(qtbot, emulator.url, tmp_path, token="wrong")
    loop.run_until_complete(window.refresh())
    assert "отклонил авторизацию" in window.connection_label.text()
    assert window.catalog_label.text() == "Каталог услуг недоступен"


def test_start_does_not_block(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                              tmp_path: Path) -> None:
    emulator.add_fault(method="services", action="delay", seconds=1.0)
    window = make_window(qtbot, emulator.url, tmp_path)
    window.start()  # returns at once; the work happens while the loop runs
    assert window.catalog is None
    loop.run_until_complete(_wait_for(lambda: window.catalog is not None, 10))
    assert window.catalog is not None


async def _wait_for(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


def test_keyboard_refresh_and_quit(qtbot: QtBot, loop: qasync.QEventLoop,
                                   emulator: EmulatorServer, tmp_path: Path) -> None:
    window = make_window(qtbot, emulator.url, tmp_path)
    assert window.refresh_action.shortcut().toString() == "F5"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.refresh_action.trigger()  # F5 starts a background refresh
    loop.run_until_complete(_wait_for(lambda: window.catalog is not None, 10))
    assert emulator.center.request_counts["services"] == 1
    window.quit_action.trigger()
    assert not window.isVisible()


def test_window_resumes_pending_payments_and_settles_them_in_the_background(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    from decimal import Decimal

    from cashier_app.core.services import ServiceDefinition
    from cashier_app.core.states import State
    from cashier_app.engine import PaymentEngine, PaymentInput
    from cashier_app.journal import IdAllocator, Journal
    from cashier_app.processing.retry import RetryPolicy

    journal = Journal(tmp_path / "journal.sqlite3")
    client = ProcessingClient(emulator.url, TOKEN, timeout=2)
    engine = PaymentEngine(journal, client, RetryPolicy(0.05, 2, 0.2),
                           IdAllocator(tmp_path / "hwm", 1))
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    # an earlier run: one payment left «в обработке» (answer lost), one that keeps failing
    emulator.add_fault(method="pay", action="drop", when="after")
    first = loop.run_until_complete(engine.check(PaymentInput(service, {"account":
                                                                        "9051234567"})))
    first = loop.run_until_complete(engine.pay(first.agent_transaction_id,
                                               engine.plan(first, amount=Decimal("100"))))
    emulator.add_fault(method="pay", action="http", times=4, match={"account": "9057654321"})
    second = loop.run_until_complete(engine.check(PaymentInput(service, {"account":
                                                                         "9057654321"})))
    second = loop.run_until_complete(engine.pay(second.agent_transaction_id,
                                                engine.plan(second, amount=Decimal("50"))))
    assert (first.state, second.state) == (State.PAYING, State.PAYING)

    window = MainWindow(lambda: ProcessingClient(emulator.url, TOKEN, timeout=2),
                        CatalogStore(tmp_path), engine=engine, demo=True)
    qtbot.addWidget(window)
    window.show()
    assert window.pending_label.text() == "В обработке: 2"
    assert window.grab().save(str(screenshots / "main_window_pending.png"))
    loop.run_until_complete(window.refresh())  # resumes first, then the scheduler takes over
    assert journal.get(first.agent_transaction_id).state is State.PAID
    assert window.pending_label.text() == "В обработке: 1"
    assert window.pending_label.property("state") == "warn"
    loop.run_until_complete(_wait_for(
        lambda: journal.get(second.agent_transaction_id).state is State.PAID, 10))
    assert window.pending_label.text() == "Незавершённых платежей нет"
    assert emulator.center.transaction(second.agent_transaction_id).debits == 1
    loop.run_until_complete(window.shutdown())
    loop.run_until_complete(client.aclose())
    journal.close()


def type_text(widget: object, text: str) -> None:
    """Key events carrying the text, as a Russian keyboard layout delivers them (QTest's
    keyClicks maps characters through Latin-1 and aborts on Cyrillic)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def test_search_as_you_type(qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
                            tmp_path: Path, screenshots: Path) -> None:
    from PySide6.QtCore import Qt

    window = make_window(qtbot, emulator.url, tmp_path)
    loop.run_until_complete(window.refresh())
    window.search_action.trigger()  # Ctrl+F
    assert window.search_box.hasFocus() or not window.isActiveWindow()
    type_text(window.search_box, "мега")
    assert window.tree.topLevelItemCount() == 1
    assert window.tree.currentItem().data(0, SERVICE_ROLE) == "P1013"
    assert "МегаФон" in window.details.text()
    window.search_box.clear()
    type_text(window.search_box, "жкх")
    assert [window.tree.topLevelItem(i).data(0, SERVICE_ROLE)
            for i in range(window.tree.topLevelItemCount())] == ["P0005"]
    window.search_box.clear()
    type_text(window.search_box, "СОТОВАЯ")
    assert window.tree.topLevelItemCount() == 4
    assert window.grab().save(str(screenshots / "main_window_search.png"))
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # Enter: on to the top hit
    window.search_box.clear()
    type_text(window.search_box, "нет такой")
    assert window.tree.topLevelItemCount() == 0
    assert window.details.text() == "Ничего не найдено: «нет такой»"
    window.search_box.clear()  # back to the groups
    assert window.tree.topLevelItemCount() == 6
