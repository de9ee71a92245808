"""Every screen of the log-in, the shift, «Сегодня», the supervisor's window (its four tabs),
payment details, the cash count and the supervisor's PIN fits a 1366×768 and a 1280×1024
screen (a 40 px taskbar taken off): the window's frame inside the free area, every button
inside its window, no table scrolled sideways — long names and messages elide, their tooltip
shows them whole."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QPushButton,
    QTableView,
    QToolTip,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from cashier_app.core.cashiers import Cashier
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.journal import Journal
from cashier_app.ui.cashier.login_page import LoginPage
from cashier_app.ui.cashier.shift_page import ShiftPage
from cashier_app.ui.cashier.today_page import TodayPage
from cashier_app.ui.supervisor.shift_dialogs import CashCountDialog, SupervisorPinDialog
from cashier_app.ui.widgets import screen_fit
from cashier_app.ui.widgets.tables import Column, cut_text, fit_widths
from cashier_app.workplace.login import PinGuard
from tests.gui.helpers import CASHIERS, make_rig
from tests.unit.receipts.helpers import make_payment

SUPERVISOR = next(person for person in CASHIERS if person.role.supervises)
#: The free area of each screen: the screen less a 40 px taskbar at the bottom.
AREAS = {"1366x768": QRect(0, 0, 1366, 728), "1280x1024": QRect(0, 0, 1280, 984)}
LONG_SERVICE = ("ЕРЦ «Городские коммунальные системы и тепловые сети Северо-Западного "
                "административного округа»")
LONG_MESSAGE = ("Платёж отклонён поставщиком услуги: лицевой счёт закрыт в связи со сменой "
                "собственника, обратитесь в управляющую компанию по месту жительства")


@pytest.fixture(params=sorted(AREAS))
def area(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[QRect]:
    """The screen the windows open on (every window placed through screen_fit)."""
    chosen = AREAS[request.param]
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(chosen))
    yield chosen


def name_of(area: QRect) -> str:
    return next(name for name, rect in AREAS.items() if rect == area)


def settle() -> None:
    """Let layouts and resizes happen, with the asyncio loop running (a task stepped by a
    bare processEvents would find no running loop)."""
    loop = asyncio.get_event_loop()
    loop.run_until_complete(asyncio.sleep(0.05))


def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def assert_fits(window: QWidget, area: QRect | None, what: str) -> None:
    """The window inside the free area (``area``; None: a page, not a window); its visible
    buttons inside it; no table scrolled sideways."""
    settle()
    if area is None:
        area = window.rect()
    else:
        frame = window.frameGeometry()
        assert area.contains(frame), f"{what}: frame {frame} outside {area}"
    least = window.minimumSizeHint()
    assert least.width() <= area.width() and least.height() <= area.height(), (what, least)
    inside = window.rect()
    for button in window.findChildren(QPushButton):
        if button.isVisibleTo(window):
            assert inside.contains(rect_in(button, window)), (
                f"{what}: «{button.text()}» at {rect_in(button, window)} outside {inside}")
    for view in window.findChildren(QAbstractItemView):
        if not view.isVisibleTo(window) or not isinstance(view, QTableView | QTreeView):
            continue
        header = (view.horizontalHeader() if isinstance(view, QTableView) else view.header())
        assert not view.horizontalScrollBar().isVisible(), f"{what}: {view.objectName()}"
        assert header.length() <= view.viewport().width() + 1, (
            f"{what}: {view.objectName()} {header.length()} > {view.viewport().width()}")
    for area_widget in window.findChildren(QAbstractScrollArea):
        if area_widget.isVisibleTo(window) and not isinstance(area_widget, QAbstractItemView):
            if area_widget.objectName() == "receiptView":
                continue  # the paper strip: as wide as the printer's line
            assert not area_widget.horizontalScrollBar().isVisible(), (
                f"{what}: {area_widget.objectName()} scrolls sideways")


def long_payments(journal: Journal) -> list[int]:
    """A day with names and messages longer than any column: paid, refused, in progress."""
    ids = []
    for number, (case, state) in enumerate((("complex", State.PAID), ("choice", State.FAILED),
                                            ("simple", State.PAYING), ("displays", State.PAID))):
        tx_id = 5_000_000 + number
        make_payment(journal, case, tx_id, state=state, cashier="Иванова Анна", shift_id=1)
        journal.update(tx_id, service_name=LONG_SERVICE,
                       result_message=LONG_MESSAGE if state is State.FAILED else "Успешно",
                       account="1000000001234567890")
        ids.append(tx_id)
    return ids


def test_column_widths_share_the_width_given() -> None:
    columns = [Column("a", 100), Column("b", 200, 80, stretch=True), Column("c", 100, 60)]
    assert fit_widths(500, columns) == [100, 300, 100]  # the spare room to the stretching one
    squeezed = fit_widths(300, columns)
    assert sum(squeezed) == 300 and squeezed[0] == 100  # a fixed column keeps its width
    assert squeezed[1] >= 80 and squeezed[2] >= 60
    assert sum(fit_widths(150, columns)) <= 150  # below every least width: all shrink alike


def test_supervisor_window_opens_sized_to_the_screen_and_every_tab_fits(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path, area: QRect) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    long_payments(rig.journal)
    rig.journal.open_shift("Иванова Анна")
    rig.journal.audit("Сидорова Мария", "supervisor", "void_attempt", "платёж 5000001",
                      {"state": "failed", "voided": False, "message": LONG_MESSAGE})
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    size = name_of(area)
    geometry = supervisor.frameGeometry()
    assert geometry.width() <= area.width() and geometry.height() <= area.height()
    assert abs(geometry.center().x() - area.center().x()) <= 1  # centred
    assert abs(geometry.center().y() - area.center().y()) <= 1
    assert supervisor.width() >= area.width() - 20  # as large as the screen allows
    rig.run(supervisor.journal_view.wait_totals())
    for index, name in enumerate(("journal", "shifts", "balance", "audit")):
        supervisor.tabs.setCurrentIndex(index)
        assert_fits(supervisor, area, f"{name} at {size}")
        assert supervisor.statusBar().isVisible()
        assert supervisor.rect().contains(rect_in(supervisor.statusBar(), supervisor))
        assert supervisor.grab().save(str(screenshots / f"fit_supervisor_{name}_{size}.png"))
    for task in supervisor.tasks:
        task.cancel()
    supervisor.close()
    rig.close()


def test_a_big_screen_gets_a_window_no_larger_than_it_wants(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    big = QRect(1920, 0, 2560, 1400)  # a second monitor, right of the first
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(big))
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    assert (supervisor.width(), supervisor.height()) == (1600, 1000)
    assert big.contains(supervisor.frameGeometry())
    assert abs(supervisor.frameGeometry().center().x() - big.center().x()) <= 16
    supervisor.close()
    rig.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip, offscreen
def test_journal_cells_elide_and_show_the_whole_text_on_hover(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    long_payments(rig.journal)
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    supervisor.place_on_screen(AREAS["1366x768"])
    settle()
    view = supervisor.journal_view
    table = view.table
    service = table.model().index(2, 2)  # the refused one, newest first
    message = table.model().index(2, 10)
    assert service.data() == f"{LONG_SERVICE} (P0006)"
    assert message.data() == LONG_MESSAGE
    for index in (service, message):
        assert table.columnWidth(index.column()) < table.fontMetrics().horizontalAdvance(
            index.data())  # narrower than the text: elided, not widening the window
        assert cut_text(table, index) == index.data()
        assert table.textElideMode() == Qt.TextElideMode.ElideRight and not table.wordWrap()
        at = table.visualRect(index).center()
        QApplication.sendEvent(table.viewport(), QHelpEvent(
            QEvent.Type.ToolTip, at, table.viewport().mapToGlobal(at)))
        assert QToolTip.text() == index.data()
    short = table.model().index(2, 4)  # «2 000,00» fits: no tooltip
    assert cut_text(table, short) == ""
    assert table.model().headerData(11, Qt.Orientation.Horizontal,
                                    Qt.ItemDataRole.ToolTipRole).endswith("(agentTransactionId)")
    QToolTip.hideText()
    supervisor.close()
    rig.close()


def test_payment_details_fits_the_screen(qtbot: QtBot, loop: qasync.QEventLoop,
                                         emulator: EmulatorServer, tmp_path: Path,
                                         screenshots: Path, area: QRect) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    ids = long_payments(rig.journal)
    supervisor = rig.window.show_supervisor(SUPERVISOR)
    dialog = supervisor.open_details(ids[1])
    size = name_of(area)
    for index, name in enumerate(("facts", "attempts", "receipt")):
        dialog.tabs.setCurrentIndex(index)
        assert_fits(dialog, area, f"details {name} at {size}")
    dialog.tabs.setCurrentIndex(0)
    assert dialog.grab().save(str(screenshots / f"fit_payment_details_{size}.png"))
    dialog.close()
    supervisor.close()
    rig.close()


def test_login_shift_and_today_pages_fit(qtbot: QtBot, tmp_path: Path, screenshots: Path,
                                         area: QRect, loop: qasync.QEventLoop) -> None:
    """The pages as the cashier's window holds them: its menu bar, status bar, tab bar and
    margins (about 120 px of height, 20 of width) taken off the free area."""
    journal = Journal(tmp_path / "j.sqlite3")
    long_payments(journal)
    size = name_of(area)
    room = QRect(0, 0, area.width() - 20, area.height() - 120)
    login = LoginPage(CASHIERS, PinGuard(journal))
    shift = ShiftPage()
    shift.show_for("Петров Олег", journal.open_shift("Иванова Анна"))
    today = TodayPage(journal, receipts=object())
    today.show_for("Иванова Анна")
    assert today.table.rowCount() == 4
    for page, name in ((login, "login"), (shift, "shift"), (today, "today")):
        qtbot.addWidget(page)
        page.resize(room.size())
        page.show()
        settle()
        least = page.minimumSizeHint()
        assert least.width() <= room.width() and least.height() <= room.height(), (name, least)
        assert_fits(page, None, f"{name} {size}")
        assert page.grab().save(str(screenshots / f"fit_{name}_{size}.png"))
    journal.close()


def test_cash_count_and_supervisor_pin_dialogs_fit(qtbot: QtBot, tmp_path: Path,
                                                   screenshots: Path, area: QRect,
                                                   loop: qasync.QEventLoop) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    count = CashCountDialog("Закрытие смены №12 (в обработке: 3 — будут проведены в фоне)",
                            Decimal("123456.78"), Decimal("5000.00"))
    count.by_pieces.setChecked(True)
    people = [Cashier("Сидорова Мария Александровна", SUPERVISOR.pin_hash, SUPERVISOR.role)]
    pin = SupervisorPinDialog(people, "Журнал, смены, сверка кассы и аудит — для старшего "
                                      "кассира. Введите его PIN.", PinGuard(journal))
    size = name_of(area)
    for dialog, name in ((count, "cash_count"), (pin, "supervisor_pin")):
        qtbot.addWidget(dialog)
        dialog.show()
        settle()
        hint = dialog.sizeHint()
        assert hint.width() <= area.width() and hint.height() <= area.height() - 40, (
            name, hint)
        dialog.move(area.topLeft())
        assert_fits(dialog, area, f"{name} at {size}")
        assert dialog.grab().save(str(screenshots / f"fit_{name}_{size}.png"))
        dialog.close()
    journal.close()

