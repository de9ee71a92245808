"""The software validator's control window: its buttons act on the unit as a person and a
technician act on a real one, and the CCNET driver on the pty hears exactly that."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cashier_app.devices.acceptor import AcceptorEvent, Escrowed, Stacked, StateChanged
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.ui.widgets.validator_control import ValidatorControl


def test_buttons_insert_bills_and_make_faults(qtbot: QtBot, loop: qasync.QEventLoop,
                                              screenshots: Path) -> None:
    with SoftwareValidator() as unit:
        window = ValidatorControl(unit)
        qtbot.addWidget(window)
        window.show()
        assert window.port.text() == f"Порт: {unit.path}"
        assert list(window.bill_buttons) == ["10,00 ₽", "50,00 ₽", "100,00 ₽", "200,00 ₽",
                                             "500,00 ₽", "1 000,00 ₽", "2 000,00 ₽",
                                             "5 000,00 ₽"]
        acceptor = CcnetAcceptor(unit.path, poll_interval=0.02)
        heard: list[AcceptorEvent] = []
        stacking: list[asyncio.Future[None]] = []

        async def listen(event: AcceptorEvent) -> None:
            heard.append(event)
            if isinstance(event, Escrowed):  # the listener may not wait on the driver itself
                stacking.append(asyncio.ensure_future(acceptor.stack()))

        async def until(condition: object) -> None:
            for _ in range(500):
                if condition():  # type: ignore[operator]
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("not reached")

        loop.run_until_complete(acceptor.start(listen))
        loop.run_until_complete(acceptor.enable({2, 3}))
        qtbot.mouseClick(window.bill_buttons["500,00 ₽"], Qt.MouseButton.LeftButton)
        loop.run_until_complete(until(lambda: any(isinstance(e, Stacked) for e in heard)))
        window.refresh()
        assert window.cassette.text() == "В кассете: 1 купюра на 500,00 ₽"
        qtbot.mouseClick(window.action_buttons["Замятие"], Qt.MouseButton.LeftButton)
        loop.run_until_complete(until(lambda: any(
            isinstance(e, StateChanged) and e.code == "validator_jammed" for e in heard)))
        window.refresh()
        assert window.state.text() == "Состояние: купюра застряла в приёмнике"
        assert window.grab().save(str(screenshots / "validator_control.png"))
        loop.run_until_complete(acceptor.close())
        assert unit.cassette == [Decimal("500.00")]
        window.close()
