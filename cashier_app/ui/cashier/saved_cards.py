"""A returning customer's saved cards, by phone, at the desk: whether the gateway knows them
(and registering them, after a question), their cards (mask and type — never more: the card
data stay at the gateway), «Оплатить этой картой» for the payment on the desk, «Привязать
новую карту» (the gateway's page as a QR code the person scans; the list follows by itself
while the code is on screen) and «Удалить карту» (after a question).

The work is :class:`~cashier_app.workplace.card_desk.CardDesk`'s (audited in the cashier's
name); the dialog only asks and shows. Each request runs on the event loop while the dialog
says so; an error about the phone or the e-mail is said under that field, any other under
the list, and the dialog stays open with what was typed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cashier_app.card_api.errors import CardInputError
from cashier_app.card_api.models import CardRegistration, SavedCard
from cashier_app.errors import UserFacingError
from cashier_app.ui.widgets.messages import say
from cashier_app.ui.widgets.qr_code import QrCodeWidget
from cashier_app.workplace.card_desk import CardDesk

from .payment.panel_card import CardPhone

log = logging.getLogger(__name__)
INTERNAL = "Не выполнено: внутренняя ошибка программы (подробности — в логе)"
TYPE_WORDS = {"visa": "Visa", "master_card": "Mastercard", "maestro": "Maestro", "mir": "Мир"}
#: how often the list is asked again while the new card's page is on screen
FOLLOW_MS = 3000


def card_words(card: SavedCard) -> str:
    """«Visa 411111******1111» — how the questions name a card."""
    return f"{TYPE_WORDS.get(card.card_type, card.card_type)} {card.card_mask}"


def _error_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


class SavedCardsDialog(QDialog):
    """The person's saved cards by phone; :attr:`pay_requested` (user token, card token)
    when the cashier pays the payment on the desk with one."""

    pay_requested = Signal(str, str)

    def __init__(self, desk: CardDesk, *, demo_phone: CardPhone | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedCardsDialog")
        self.setWindowTitle(self.tr("Сохранённые карты клиента"))
        self.setMinimumWidth(760)
        self.desk = desk
        self._demo_phone = demo_phone
        self.tasks: set[asyncio.Future[Any]] = set()
        self.task: asyncio.Future[Any] | None = None  # the latest request (tests wait for it)
        self.user_token: str | None = None
        self.cards: tuple[SavedCard, ...] = ()
        self.registration: CardRegistration | None = None
        self._armed: str | None = None  # the action whose question is on screen

        self.phone = QLineEdit()
        self.phone.setObjectName("cardPhone")
        self.phone.setPlaceholderText(self.tr("+7 905 123-45-67"))
        self.phone.returnPressed.connect(self.start_lookup)
        self.phone.textEdited.connect(self._phone_edited)
        self.find_button = QPushButton(self.tr("Найти  ⏎"))
        self.find_button.clicked.connect(self.start_lookup)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone, 1)
        phone_row.addWidget(self.find_button)
        self.phone_error = _error_label()
        phone_box = QWidget()
        phone_column = QVBoxLayout(phone_box)
        phone_column.setContentsMargins(0, 0, 0, 0)
        phone_column.addLayout(phone_row)
        phone_column.addWidget(self.phone_error)
        self.email = QLineEdit()
        self.email.setObjectName("cardEmail")
        self.email.setPlaceholderText(self.tr("необязательно: для чеков шлюза"))
        self.email_error = _error_label()
        self.email.textEdited.connect(self._email_edited)
        email_box = QWidget()
        email_column = QVBoxLayout(email_box)
        email_column.setContentsMargins(0, 0, 0, 0)
        email_column.addWidget(self.email)
        email_column.addWidget(self.email_error)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Телефон клиента"), phone_box)
        self.email_title = QLabel(self.tr("Почта"))
        form.addRow(self.email_title, email_box)
        self._email_row = (self.email_title, email_box)

        self.who = QLabel(self.tr("Введите телефон клиента и нажмите Enter"))
        self.who.setObjectName("hint")
        self.who.setWordWrap(True)
        self.register_button = QPushButton(self.tr("Зарегистрировать клиента…"))
        self.register_button.setObjectName("registerCardUser")
        self.register_button.clicked.connect(lambda: self._press("register"))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("savedCards")
        self.table.setHorizontalHeaderLabels([self.tr("Карта"), self.tr("Тип"),
                                              self.tr("Состояние")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        self.table.setColumnWidth(1, 140)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.pay())
        self.table.setMinimumHeight(130)

        self.pay_button = QPushButton(self.tr("Оплатить этой картой"))
        self.pay_button.setObjectName("payWithSavedCard")
        self.pay_button.clicked.connect(self.pay)
        self.add_button = QPushButton(self.tr("Привязать новую карту"))
        self.add_button.setObjectName("addCardButton")
        self.add_button.clicked.connect(self.start_add)
        self.remove_button = QPushButton(self.tr("Удалить карту…"))
        self.remove_button.setObjectName("removeCardButton")
        self.remove_button.clicked.connect(lambda: self._press("remove"))
        close = QPushButton(self.tr("Закрыть  Esc"))
        close.clicked.connect(self.reject)
        card_buttons = QHBoxLayout()
        for button in (self.pay_button, self.add_button, self.remove_button, close):
            button.ensurePolished()
            button.setMinimumWidth(button.sizeHint().width())  # never cut: the words are it
        for button in (self.pay_button, self.add_button, self.remove_button):
            card_buttons.addWidget(button)
        card_buttons.addStretch(1)
        card_buttons.addWidget(close)

        # the page where the person enters a new card, as a code
        self.new_card_box = QWidget()
        new_card = QHBoxLayout(self.new_card_box)
        new_card.setContentsMargins(0, 0, 0, 0)
        self.new_card_code = QrCodeWidget(minimum=180, maximum=220)
        self.new_card_text = QLabel(self.tr(
            "Клиент наводит камеру телефона на код, открывает страницу шлюза и вводит данные "
            "новой карты. Список обновится сам, когда карта будет привязана."))
        self.new_card_text.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Обновить список"))
        self.refresh_button.clicked.connect(self.start_refresh)
        self.demo_attach_button = QPushButton(self.tr("Демо: привязать тестовую карту с "
                                                      "«телефона клиента»"))
        self.demo_attach_button.setObjectName("demoAttachCard")
        self.demo_attach_button.clicked.connect(self.demo_attach)
        self.demo_attach_button.setVisible(demo_phone is not None)
        new_card_side = QVBoxLayout()
        new_card_side.addWidget(self.new_card_text)
        new_card_side.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignLeft)
        new_card_side.addWidget(self.demo_attach_button, 0, Qt.AlignmentFlag.AlignLeft)
        new_card_side.addStretch(1)
        new_card.addWidget(self.new_card_code)
        new_card.addLayout(new_card_side, 1)
        self.new_card_box.hide()
        self._follow = QTimer(self)
        self._follow.setInterval(FOLLOW_MS)
        self._follow.timeout.connect(self.start_refresh)

        self.question = QLabel("")
        self.question.setObjectName("stepStatus")
        self.question.setProperty("kind", "info")
        self.question.setWordWrap(True)
        self.question.hide()
        self.message = QLabel("")
        self.message.setObjectName("viewMessage")
        self.message.setWordWrap(True)

        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.who)
        column.addWidget(self.register_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.table, 1)
        column.addWidget(self.new_card_box)
        column.addWidget(self.question)
        column.addWidget(self.message)
        column.addLayout(card_buttons)
        self._show_user(None, known=False)

    # --- running requests ------------------------------------------------------------------
    def _run(self, coroutine: Coroutine[Any, Any, None], busy: str) -> asyncio.Future[Any]:
        say(self.message, busy, "info")
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        self.task = task
        return task

    def _failed(self, error: BaseException) -> None:
        """An error at its field (the phone, the e-mail), any other under the list."""
        if isinstance(error, CardInputError) and error.field in ("login", "phone"):
            self.phone_error.setText(str(error))
            self.phone_error.show()
            say(self.message, "")
            self.phone.setFocus()
        elif isinstance(error, CardInputError) and error.field == "email":
            self.email_error.setText(str(error))
            self.email_error.show()
            say(self.message, "")
            self.email.setFocus()
        elif isinstance(error, UserFacingError):
            say(self.message, str(error), "error")
        else:
            log.error("saved cards: request failed", exc_info=error)
            say(self.message, self.tr(INTERNAL), "error")

    async def _guarded(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        try:
            await work()
        except Exception as error:  # said in Russian; the log keeps anything unexpected
            self._failed(error)

    # --- the person --------------------------------------------------------------------------
    def _phone_edited(self, _text: str) -> None:
        self.phone_error.hide()
        self.disarm()
        if self.user_token is not None or self.register_button.isVisible():
            self._show_user(None, known=False)
            self.who.setText(self.tr("Нажмите Enter, чтобы найти клиента"))

    def _email_edited(self, _text: str) -> None:
        self.email_error.hide()
        self.disarm()

    def start_lookup(self) -> asyncio.Future[Any]:
        self.disarm()
        return self._run(self._guarded(self.lookup), self.tr("Ищем клиента в шлюзе…"))

    async def lookup(self) -> None:
        phone = self.phone.text()
        entry = await self.desk.user(phone)
        if entry is None:
            self._show_user(None, known=False)
            self.who.setText(self.tr("Клиент с телефоном {0} не зарегистрирован для "
                                     "сохранённых карт. Зарегистрировать его можно сейчас: "
                                     "нужен только телефон (почта — по желанию)."
                                     ).format(phone.strip()))
            self.register_button.show()
            for widget in self._email_row:
                widget.show()
            say(self.message, "")
            return
        self._show_user(entry.user_token, known=True)
        state = "" if entry.state in (None, "active") else self.tr(" (состояние: {0})").format(
            entry.state)
        self.who.setText(self.tr("Клиент {0}{1}{2}").format(
            entry.login, f", {entry.name}" if entry.name else "", state))
        await self.refresh()

    def _show_user(self, user_token: str | None, *, known: bool) -> None:
        self.user_token = user_token
        self.register_button.setVisible(False)
        for widget in self._email_row:
            widget.setVisible(False)
        if not known:
            self._fill(())
            self._stop_new_card()
        self.add_button.setEnabled(known)
        self._selection_changed()

    async def register(self) -> None:
        phone, email = self.phone.text(), self.email.text().strip() or None
        entry = await self.desk.register_user(phone, email=email)
        say(self.message, self.tr("Клиент {0} зарегистрирован").format(entry.login), "ok")
        await self.lookup()
        say(self.message, self.tr("Клиент {0} зарегистрирован: привяжите карту").format(
            entry.login), "ok")

    # --- the cards -------------------------------------------------------------------------
    def start_refresh(self) -> asyncio.Future[Any] | None:
        if self.user_token is None or any(not task.done() for task in self.tasks):
            return None  # a request on its way answers soon enough
        return self._run(self._guarded(self.refresh), self.tr("Спрашиваем список карт…"))

    async def refresh(self) -> None:
        before = {card.card_token for card in self.cards if card.active}
        listed = await self.desk.cards(self.phone.text())
        self.user_token = listed.user_token
        self._fill(listed.cards)
        added = [card for card in listed.active if card.card_token not in before]
        if self.registration is not None and added:
            self._stop_new_card()
            say(self.message, self.tr("Карта {0} привязана").format(card_words(added[-1])),
                "ok")
            self._select(added[-1].card_token)
        elif not listed.cards:
            say(self.message, self.tr("Сохранённых карт нет: привяжите новую"), "info")
        else:
            say(self.message, "")

    def _fill(self, cards: tuple[SavedCard, ...]) -> None:
        chosen = self.chosen()
        self.cards = cards
        self.table.setRowCount(len(cards))
        for row, card in enumerate(cards):
            cells = (card.card_mask, TYPE_WORDS.get(card.card_type, card.card_type),
                     self.tr("действует") if card.active else self.tr("отключена"))
            for number, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not card.active:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, number, item)
        if chosen is not None:
            self._select(chosen.card_token)
        elif any(card.active for card in cards):
            self.table.selectRow(next(row for row, card in enumerate(cards) if card.active))
        self._selection_changed()

    def _select(self, card_token: str) -> None:
        for row, card in enumerate(self.cards):
            if card.card_token == card_token:
                self.table.selectRow(row)

    def chosen(self) -> SavedCard | None:
        """The active card selected in the list (None: none)."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.cards):
            return None
        card = self.cards[rows[0].row()]
        return card if card.active else None

    def _selection_changed(self) -> None:
        self.disarm()
        has = self.chosen() is not None and self.user_token is not None
        self.pay_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def pay(self) -> None:
        """«Оплатить этой картой»: the payment on the desk is paid with the card chosen."""
        card = self.chosen()
        if card is None or self.user_token is None:
            return
        self._stop_new_card()
        self.pay_requested.emit(self.user_token, card.card_token)
        self.accept()

    def start_add(self) -> asyncio.Future[Any] | None:
        if self.user_token is None:
            return None
        self.disarm()
        return self._run(self._guarded(self.add), self.tr("Получаем страницу для новой "
                                                          "карты…"))

    async def add(self) -> None:
        registration = await self.desk.add_card(self.phone.text())
        self.registration = registration
        self.new_card_code.set_text(registration.pay_url)
        self.new_card_box.show()
        self._follow.start()
        say(self.message, self.tr("Покажите клиенту код: он привязывает карту на своём "
                                  "телефоне"), "info")

    def _stop_new_card(self) -> None:
        self.registration = None
        self._follow.stop()
        self.new_card_code.set_text("")
        self.new_card_box.hide()

    def demo_attach(self) -> None:
        """Demo mode: the person's phone attaches the test card on the page."""
        if self._demo_phone is None or self.registration is None:
            return
        phone, number = self._demo_phone, self.registration.reg_pay_num

        async def attach() -> None:
            said = await phone(number, False)
            if said:
                say(self.message, said, "error")
                return
            await self.refresh()

        self._run(self._guarded(attach), self.tr("Демо: «телефон клиента» вводит карту…"))

    async def remove(self) -> None:
        card = self.chosen()
        if card is None:
            return
        await self.desk.remove_card(self.phone.text(), card.card_token)
        await self.refresh()
        say(self.message, self.tr("Карта {0} удалена").format(card_words(card)), "ok")

    # --- the questions -----------------------------------------------------------------------
    def _press(self, action: str) -> asyncio.Future[Any] | None:
        """The first press of «Зарегистрировать…» or «Удалить карту…» says what will be done;
        the second does it. A change of the phone, the e-mail or the card takes it back."""
        if self._armed != action:
            question = self._question(action)
            if not question:
                return None
            self._armed = action
            self.question.setText(question)
            self.question.show()
            return None
        self.disarm()
        if action == "register":
            return self._run(self._guarded(self.register), self.tr("Регистрируем клиента…"))
        return self._run(self._guarded(self.remove), self.tr("Удаляем карту…"))

    def _question(self, action: str) -> str:
        if action == "register":
            email = self.email.text().strip()
            return self.tr("Зарегистрировать клиента с телефоном {0}{1} для сохранённых карт? "
                           "Нажмите «Зарегистрировать клиента…» ещё раз.").format(
                self.phone.text().strip(),
                self.tr(" и почтой {0}").format(email) if email else "")
        card = self.chosen()
        if card is None:
            return ""
        return self.tr("Удалить карту {0} из сохранённых карт клиента? Оплатить ею будет "
                       "нельзя. Нажмите «Удалить карту…» ещё раз.").format(card_words(card))

    def disarm(self) -> None:
        self._armed = None
        if hasattr(self, "question"):
            self.question.hide()

    def done(self, result: int) -> None:
        self._follow.stop()
        super().done(result)
