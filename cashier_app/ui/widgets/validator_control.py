"""The software bill validator's control window: what a person and a technician do to a real
unit, as buttons — a bill of each denomination, a bad bill, a jam, the cassette full or
taken out, a power cut, the cable pulled — and the unit's state and cassette as it changes.
For the demo and for trying the engineer's commands without hardware."""

from __future__ import annotations

import sys
from decimal import Decimal

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from cashier_app.core.ccnet_codes import STATE_TEXT
from cashier_app.core.text import money, plural
from cashier_app.emulator.ccnet_device import SoftwareValidator


class ValidatorControl(QWidget):
    def __init__(self, unit: SoftwareValidator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.setWindowTitle("Программный купюроприёмник")
        self.setObjectName("validatorControl")
        self.port = QLabel(f"Порт: {unit.path}")
        self.port.setObjectName("validatorPort")
        self.state = QLabel("")
        self.state.setObjectName("validatorState")
        self.cassette = QLabel("")
        self.cassette.setObjectName("validatorCassette")
        self.cassette.setWordWrap(True)
        bills = QGroupBox("Вставить купюру")
        grid = QGridLayout(bills)
        self.bill_buttons: dict[str, QPushButton] = {}
        for index, amount in enumerate(sorted(unit.table.values())):
            button = QPushButton(money(amount))
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, a=amount: unit.insert(a))
            grid.addWidget(button, index // 4, index % 4)
            self.bill_buttons[money(amount)] = button
        faults = QGroupBox("Неисправности и обслуживание")
        actions = QGridLayout(faults)
        self.action_buttons: dict[str, QPushButton] = {}
        for index, (title, action) in enumerate((
                ("Плохая купюра", unit.insert_bad), ("Замятие", unit.jam),
                ("Кассета заполнена", unit.fill_cassette),
                ("Кассета снята", unit.remove_cassette), ("Устранить", unit.clear),
                ("Отключить питание", unit.power_cut), ("Выдернуть кабель", unit.unplug),
                ("Вставить кабель", unit.plug))):
            button = QPushButton(title)
            button.clicked.connect(lambda _=False, act=action: act())
            actions.addWidget(button, index // 2, index % 2)
            self.action_buttons[title] = button
        column = QVBoxLayout(self)
        column.addWidget(self.port)
        column.addWidget(self.state)
        column.addWidget(bills)
        column.addWidget(faults)
        column.addWidget(self.cassette)
        self.timer = QTimer(self)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        self.state.setText(f"Состояние: {STATE_TEXT[self.unit.state]}")
        stacked = self.unit.cassette
        total = sum(stacked, Decimal("0.00"))
        count = len(stacked)
        word = plural(count, "купюра", "купюры", "купюр")
        self.cassette.setText(f"В кассете: {count} {word} на {money(total)}" if stacked
                              else "Кассета пуста")


def run_control_window() -> int:
    """``cashier-app acceptor emulate``: the unit on a pseudo-terminal (its port printed) and
    this window until it is closed."""
    from PySide6.QtWidgets import QApplication

    from cashier_app.ui.launch import NO_SCREEN, load_style, no_screen

    if no_screen():
        print(f"cashier-app: {NO_SCREEN}", file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(["cashier-app"])
    assert isinstance(app, QApplication)
    load_style(app)
    with SoftwareValidator() as unit:
        print(f"Программный купюроприёмник: порт {unit.path}\n"
              f"Например: cashier-app acceptor accept --port {unit.path} --until 500", flush=True)
        window = ValidatorControl(unit)
        window.show()
        app.exec()
    return 0
