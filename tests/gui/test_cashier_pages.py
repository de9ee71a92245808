"""The shift page as cashiers take turns at one drawer (Ctrl+L), the outcome of a cash count in
the colour of its meaning, and the words «Сегодня» uses for each attempt."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal import Attempt, Journal
from cashier_app.receipts.shift_report import shift_report, shift_totals
from cashier_app.ui.cashier.today_page import TodayPage
from cashier_app.ui.widgets.attempt_text import attempt_cells
from tests.gui.helpers import Rig, log_in, make_rig
from tests.unit.receipts.helpers import SETTINGS, make_payment

BLUE = QColor("#0b5cad")  # the style sheet's «Открыть смену» when it can be pressed


def enter(rig: Rig, name: str, pin: str) -> None:
    page = rig.window.login_page
    page.combo.setCurrentText(name)
    page.pin.setText(pin)
    rig.run(page.login())


def background(button: object) -> QColor:
    image = button.grab().toImage()  # type: ignore[attr-defined]
    return image.pixelColor(6, image.height() // 2)


def test_the_shift_page_is_set_afresh_for_each_cashier(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window, page = rig.window, rig.window.shift_page
    rig.run(window.refresh())
    enter(rig, "Иванова Анна", "1111")
    assert window.pages.currentWidget() is page
    page.opening.setText("1500")  # typed, then Ctrl+L before opening
    qtbot.keyClick(page.opening, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.login_page
    enter(rig, "Петров Олег", "2222")
    assert page.opening.text() == ""  # not the previous cashier's float
    assert page.open_button.isEnabled() and page.opening.isEnabled()
    page.opening.setText("300")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert window.shift is not None and window.shift.opening_cash == Decimal("300.00")

    window.logout()  # Петров's shift stays open; Иванова comes to the drawer
    enter(rig, "Иванова Анна", "1111")
    assert window.pages.currentWidget() is page
    assert not page.open_button.isEnabled() and not page.opening.isEnabled()
    assert background(page.open_button) != BLUE  # it looks as it is: not to be pressed
    text = page.text.text()
    assert "открыта смена кассира Петров Олег" in text
    assert "Её закрывает Петров Олег" in text and "или старший кассир" in text
    assert "тот, кто её открыл" not in text
    assert page.message.text() == ""
    rig.run(asyncio.sleep(0.05))  # the layout follows the new texts
    assert window.grab().save(str(screenshots / "shift_other_cashier.png"))
    opened: list[bool] = []
    page.open_requested.connect(lambda: opened.append(True))
    qtbot.keyClick(page.opening, Qt.Key.Key_Return)
    assert opened == [] and rig.journal.open_shift_now().cashier == "Петров Олег"

    window.logout()
    enter(rig, "Петров Олег", "2222")  # back in his own shift
    assert window.pages.currentWidget() is window.work_page
    rig.close()


def test_a_clean_close_is_good_news_a_surplus_a_warning(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window, page = rig.window, rig.window.shift_page
    log_in(rig, qtbot)
    window.close_shift(Decimal("0.00"))  # nothing was taken, nothing is missing
    assert window.pages.currentWidget() is page
    assert page.message.text() == "Смена №1 закрыта. Сходится: расхождения нет"
    assert page.message.property("kind") == "ok"  # not the red of an error
    assert page.open_button.isEnabled() and background(page.open_button) == BLUE
    rig.run(asyncio.sleep(0.05))
    assert window.grab().save(str(screenshots / "shift_closed_clean.png"))
    page.opening.setText("100")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    window.close_shift(Decimal("150.00"))
    assert page.message.text() == "Смена №2 закрыта. Излишек: 50,00 ₽"
    assert page.message.property("kind") == "warn"
    assert window.notice_row.property("kind") == "warn"
    page.opening.setText("100")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    window.close_shift(Decimal("90.00"))  # ten roubles missing: the notice says so in red
    assert page.message.property("kind") == "error"
    assert window.notice_row.property("kind") == "error"
    page.opening.setText("-5")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert page.message.property("kind") == "error"  # a refusal stays red
    rig.close()


def attempt(method: str, outcome: str, result: int | None, message: str) -> Attempt:
    return Attempt(1, method, "2026-12-01T14:05:07.123", 84, outcome, result, message)


def test_attempts_in_words_for_the_cashier() -> None:
    rows = [attempt_cells(a)[1:] for a in (
        attempt("check", "answer", 0, "ok"),
        attempt("pay", "answer", 1, "Платёж в обработке"),
        attempt("pay", "transport", None, "Нет связи с процессингом"),
        attempt("qr-create", "answer", 0, "CREATED ok"),
        attempt("qr-status", "answer", 0, "PAID ok"),
        attempt("qr-status", "answer", 0, "EXPIRED"),
        attempt("pay", "foreign", None, "ответ о другом платеже"))]
    assert rows == [
        ["проверка", "84", "ответ", "успешно"],
        ["оплата", "84", "ответ", "код 1: Платёж в обработке"],
        ["оплата", "84", "нет связи", "Нет связи с процессингом"],
        ["QR-код: создание", "84", "ответ", "код создан, ждёт оплаты"],
        ["QR-код: статус", "84", "ответ", "оплачено"],
        ["QR-код: статус", "84", "ответ", "срок кода истёк"],
        ["оплата", "84", "ответ не об этом платеже", "ответ о другом платеже"]]
    assert attempt_cells(attempt("check", "answer", 0, "ok"))[0] == "14:05:07.123"


def test_today_counts_the_day_as_the_shift_reports_do(qtbot: QtBot, tmp_path: Path) -> None:
    """«Сегодня» and the X/Z reports count by one function (receipts' shift_totals): paid,
    «в обработке» (a pay without its final answer, a QR code still payable), refused, and
    the money taken — a refused payment's cash went back, an unpaid code took none."""
    journal = Journal(tmp_path / "j.sqlite3")
    make_payment(journal, "simple", 1)  # 210,00 in cash
    make_payment(journal, "simple", 2, method="sbp")  # 210,00 by QR
    make_payment(journal, "choice", 3, state=State.FAILED)  # given back
    make_payment(journal, "simple", 4, state=State.PAYING)  # 210,00 in the drawer
    make_payment(journal, "simple", 5, state=State.QR_WAITING, method="sbp")  # not paid yet
    make_payment(journal, "simple", 6, cashier="Петров Олег")  # another cashier's
    page = TodayPage(journal)
    qtbot.addWidget(page)
    page.show_for("Иванова Анна")
    assert page.summary.text() == ("Сегодня: оплачено 2, в обработке 2, не проведено 1; "
                                   "принято 630,00 ₽, из них по QR СБП 210,00 ₽")
    payments = [journal.get(tx_id) for tx_id in range(1, 6)]  # Иванова Анна's, shift 3
    assert page.summary.text() == page.day_summary(shift_totals(payments))
    report = shift_report("x", journal.open_shift("Иванова Анна"), payments, SETTINGS, 1,
                          datetime.now())
    by_method = ("Наличными", "По QR СБП")
    taken = [block for block in report.blocks
             if block[0] == "pair" and block[1].startswith(by_method)]
    assert taken == [["pair", "Наличными: 2", "420,00"], ["pair", "По QR СБП: 1", "210,00"]]
    page.only_pending.setChecked(True)  # «только в обработке»: the same two
    assert page.table.rowCount() == 2
    journal.close()
