"""The service menu on the touch screen: who you are (a supervisor or administrator of this
point), your PIN on a keypad (checked by the desk's PIN guard: audited, pauses, lockout),
then the engineer's actions of :class:`~cashier_app.workplace.kiosk_service.KioskService`.
Opened by a hidden gesture: five touches within three seconds in the top right corner."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QStackedWidget, QWidget

from cashier_app.core.cashiers import Cashier
from cashier_app.workplace.kiosk_service import KioskService
from cashier_app.workplace.login import PinGuard

from .keys import DigitPad, key_button
from .screen import Screen, big_label
from .tiles import Tile, TileButton, TilePager

ACTIONS = (("status", "Состояние устройств"), ("print", "Пробная печать"),
           ("acceptor", "Проверка купюроприёмника"), ("collect", "Инкассация"),
           ("pending", "Платежи в обработке"), ("restart", "Перезапуск программы"),
           ("exit", "Выход на рабочий стол"))


class ServiceMenu(Screen):
    """``leave(code)`` for a restart or the way out to the desktop; «На главную» closes the
    menu (audited as the end of the visit by the window)."""

    leave = Signal(int)

    def __init__(self, service: KioskService, guard: PinGuard, staff: Sequence[Cashier],
                 parent: QWidget | None = None) -> None:
        super().__init__("Сервисное меню", name="kioskService", back=False, parent=parent)
        self.service = service
        self.guard = guard
        self.staff = [person for person in staff if person.role.supervises]
        self.person: Cashier | None = None
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        # who
        self.people = TilePager(rows=2)
        self.people.chosen.connect(self._chosen)
        self.pages.addWidget(self.people)
        # the PIN
        pin_page = QWidget()
        pin_column = QGridLayout(pin_page)
        self.pin_title = big_label("", "kioskSubtitle", center=True)
        self.pin = QLineEdit()
        self.pin.setObjectName("kioskField")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setReadOnly(True)
        self.pad = DigitPad()
        self.pad.typed.connect(lambda text: self.pin.setText((self.pin.text() + text)[:12]))
        self.pad.erased.connect(lambda: self.pin.setText(self.pin.text()[:-1]))
        self.pad.cleared.connect(lambda: self.pin.setText(""))
        self.enter = key_button("Войти", "kioskNext")
        self.enter.clicked.connect(lambda: asyncio.ensure_future(self.check_pin()))
        pin_column.addWidget(self.pin_title, 0, 0)
        pin_column.addWidget(self.pin, 1, 0)
        pin_column.addWidget(self.pad, 2, 0)
        pin_column.addWidget(self.enter, 3, 0)
        self.pages.addWidget(pin_page)
        # the actions
        menu_page = QWidget()
        grid = QGridLayout(menu_page)
        grid.setSpacing(12)
        self.buttons: dict[str, QPushButton] = {}
        for index, (key, text) in enumerate(ACTIONS):
            button = TileButton()
            button.set_tile(text)
            button.clicked.connect(lambda _=False, k=key: asyncio.ensure_future(self.act(k)))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[key] = button
        self.output = big_label("", "kioskNote")
        grid.addWidget(self.output, (len(ACTIONS) + 1) // 2, 0, 1, 2)
        self.pages.addWidget(menu_page)
        self.menu_page = menu_page

    def open(self) -> None:
        self.person = None
        self.pin.setText("")
        self.output.setText("")
        self.say("Кто вы?" if self.staff else
                 "В настройках нет старшего кассира или администратора: меню не открыть")
        self.people.set_tiles([Tile(person.name, person) for person in self.staff],
                              "Нет сотрудников с доступом к меню")
        self.pages.setCurrentWidget(self.people)

    def _chosen(self, person: Cashier) -> None:
        self.person = person
        self.pin_title.setText(f"PIN: {person.name}")
        self.pin.setText("")
        self.say("")
        self.pages.setCurrentIndex(1)

    async def check_pin(self) -> None:
        assert self.person is not None
        self.enter.setEnabled(False)
        try:
            verdict = await self.guard.check(self.person, self.pin.text(), "kiosk_service")
        finally:
            self.enter.setEnabled(True)
        self.pin.setText("")
        if not verdict.ok:
            self.say(verdict.message, "error")
            return
        self.service.opened(self.person)
        self.say(f"Вошёл: {self.person.name}", "ok")
        self.pages.setCurrentWidget(self.menu_page)

    async def act(self, key: str) -> None:
        service = self.service
        if key == "status":
            self.output.setText(service.status())
        elif key == "print":
            self.output.setText("Печать…")
            self.output.setText(await service.test_print())
        elif key == "acceptor":
            self.output.setText(service.acceptor_test())
        elif key == "collect":
            self.output.setText((await service.collect())[1])
        elif key == "pending":
            self.output.setText(service.pending())
        elif key in ("restart", "exit"):
            self.leave.emit(service.leave(restart=key == "restart"))
