"""The engine's news reaches the windows by one path, and a closed window leaves no listener
behind: the cashier's window listens through one bridge, the supervisor's window through the
same bridge (not a second subscription, not a re-emitted signal), and each stops on close."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import SIGNAL
from pytestqt.qtbot import QtBot

from cashier_app.bootstrap import Point
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.engine import PaymentChanged, PaymentInput, RequestAnswered
from cashier_app.ui.cashier.main_window import MainWindow
from tests.gui.helpers import CASHIERS, make_point, make_rig

SUPERVISOR = next(person for person in CASHIERS if person.role.supervises)


def listeners(point: Point) -> tuple[int, int]:
    hub = point.engine.events
    return hub.listening(PaymentChanged), hub.listening(RequestAnswered)


def test_closed_windows_leave_no_listener_behind(qtbot: QtBot, loop: qasync.QEventLoop,
                                                 emulator: EmulatorServer,
                                                 tmp_path: Path) -> None:
    point = make_point(emulator.url, tmp_path)
    alone = listeners(point)
    window = MainWindow(point, cashiers=CASHIERS)
    qtbot.addWidget(window)
    window.show()
    with_window = listeners(point)
    assert with_window == (alone[0] + 1, alone[1] + 1)  # one bridge for the whole window
    refresh = SIGNAL("refresh()")
    followers = window.bridge.receivers(refresh)

    supervisor = window.show_supervisor(SUPERVISOR)
    assert listeners(point) == with_window  # the supervisor's window shares the bridge
    assert window.bridge.receivers(refresh) == followers + 1  # its journal list follows
    supervisor.close()
    assert window.bridge.receivers(refresh) == followers  # … and stops when it closes
    assert listeners(point) == with_window

    window.close()  # the cashier's window stops listening too
    assert listeners(point) == alone
    loop.run_until_complete(window.shutdown())
    loop.run_until_complete(point.aclose())


def test_a_void_in_the_supervisor_window_reaches_the_cashier_window_once(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        tmp_path: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    window = rig.window
    service = ServiceDefinition.from_wire(emulator.center.catalog["services"][0])
    seen: list[State] = []  # what the window has heard of the payment so far
    window.bridge.payment_changed.connect(lambda record: seen.append(record.state))
    unsent = rig.run(rig.engine.check(PaymentInput(service, {"account": "9051234568"})))
    rig.wait_for(lambda: unsent.state in seen)  # the check's own news delivered first
    heard: list[int] = []
    window.catalog_panel.usage_changed = lambda: heard.append(1)  # type: ignore[method-assign]
    supervisor = window.show_supervisor(SUPERVISOR)
    dialog = supervisor.open_details(unsent.agent_transaction_id)
    assert dialog.void().startswith("Платёж аннулирован")
    rig.wait_for(lambda: heard)
    rig.run(asyncio.sleep(0.2))  # anything else on its way arrives too
    assert heard == [1]  # the engine's event, once: not again through the supervisor
    assert rig.journal.get(unsent.agent_transaction_id).state is State.CANCELLED
    supervisor.close()
    rig.close()
