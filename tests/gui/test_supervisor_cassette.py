"""The supervisor's «Купюроприёмник» tab: the cassette's count since the last collection, the
bills the unit never confirmed, and the collections — read from the real journal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.emulator import EmulatorServer
from cashier_app.journal.cash_in import STACKED, UNCONFIRMED, VOUCHER
from tests.gui.helpers import log_in, make_rig
from tests.gui.test_supervisor import authorize


def cells(table: object) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]  # type: ignore[attr-defined]
            for r in range(table.rowCount())]  # type: ignore[attr-defined]


def test_cassette_tab_shows_the_count_unconfirmed_bills_and_collections(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    journal = rig.journal
    session = journal.open_cash_session("payment", "SM-RU1353 EMU0000001")
    for bill_type, amount in ((2, "100"), (3, "500"), (3, "500")):
        row = journal.bill_stacking(session.id, bill_type, Decimal(amount), "RUB")
        journal.bill_resolved(row.id, STACKED)
    journal.collect("командная строка (инкассатор)")
    for bill_type, amount in ((4, "1000"), (2, "100"), (4, "1000")):
        row = journal.bill_stacking(session.id, bill_type, Decimal(amount), "RUB")
        journal.bill_resolved(row.id, STACKED)
    lost = journal.bill_stacking(session.id, 5, Decimal("5000"), "RUB")
    journal.bill_resolved(lost.id, UNCONFIRMED)
    walked_away = journal.open_cash_session("payment", "SM-RU1353 EMU0000001")
    journal.bill_resolved(journal.bill_stacking(walked_away.id, 6, Decimal("200"), "RUB").id,
                          STACKED)
    code = journal.close_cash_session(walked_away.id, VOUCHER).voucher
    assert code is not None

    log_in(rig, qtbot)
    window = authorize(rig)
    # the application's name follows the title (Qt adds it): not «Касса — … — Касса»
    assert window.windowTitle() == "Старший кассир: Сидорова Мария"
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.cassette_view
    assert window.tabs.currentWidget() is view
    assert view.summary.text() == "В кассете: 4 купюры на 2 300,00 ₽"
    assert cells(view.contents) == [["100,00 ₽", "1", "100,00 ₽"],
                                    ["200,00 ₽", "1", "200,00 ₽"],
                                    ["1 000,00 ₽", "2", "2 000,00 ₽"]]
    assert view.unconfirmed.isVisible()
    assert view.unconfirmed.text().startswith(
        "Не подтверждены купюроприёмником (питание пропало при укладке): 5 000,00 ₽ — ")
    assert cells(view.collections)[0][2:] == ["командная строка (инкассатор)", "3",
                                              "1 100,00 ₽"]
    assert cells(view.vouchers)[0][0] == code and cells(view.vouchers)[0][2] == "200,00 ₽"
    # the person with a voucher at the desk: the supervisor types its code, gives the cash
    qtbot.keyClicks(view.code, code.replace("-", ""))
    qtbot.keyClick(view.code, Qt.Key.Key_Return)
    assert view.pay_message.text() == f"Выдайте 200,00 ₽ по ваучеру {code}"
    assert cells(view.vouchers) == []
    assert window.grab().save(str(screenshots / "supervisor_cassette.png"))
    qtbot.keyClicks(view.code, code)
    view.pay_button.click()
    assert view.pay_message.text().startswith(f"По ваучеру {code} деньги уже выданы: ")
    assert view.code.text() == code  # what was typed stays for a second look
    view.code.clear()
    qtbot.keyClicks(view.code, "1111-2222-3333")
    view.pay_button.click()
    assert view.pay_message.text() == "Такого ваучера нет: проверьте код (12 цифр)"
    assert view.code.text() == "1111-2222-3333"
    today = date.today()
    paid_out = [e for e in journal.audit_entries(today, today) if e.action == "voucher_paid_out"]
    assert [(e.actor, e.target) for e in paid_out] == [("Сидорова Мария", f"ваучер {code}")]
    # a collection taken meanwhile: F5 shows the new count
    journal.collect("командная строка (инкассатор)")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert view.summary.text() == "Кассета пуста (с последней инкассации купюр не было)"
    assert len(cells(view.collections)) == 2
    window.close()
    rig.close()
