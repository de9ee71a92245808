"""Paying by card at the terminal, screen by screen: the gateway's page as a large QR code
(the person pays on their own phone: the card never touches the terminal, and its data never
enter this program), its 3-D Secure page the same way, «Подтверждаем оплату…» while the bank
captures the money; a clear «не списаны» with the next choices when it did not work; and the
saved cards of a phone as large tiles. What happens is :mod:`.card_flow`'s; these only show
it and pass the touches on."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cashier_app.card_api.models import SavedCard
from cashier_app.core.phone import phone_mask
from cashier_app.core.text import money
from cashier_app.ui.widgets.qr_code import QrCodeWidget

from .keys import MIN_KEY, DigitPad
from .screen import Screen, big_label
from .tiles import TileButton

LINK_TITLE = "Наведите камеру телефона на код и оплатите картой на странице банка"
SECURE_TITLE = "Подтвердите оплату (3-D Secure)"
HELD_TITLE = "Подтверждаем оплату…"
PRIVATE = "Данные карты вводятся только на странице банка — терминал их не видит"
#: the saved cards a screen holds (two columns): a person has a few, never a scrolled list
MAX_CARDS = 6
CARD_TYPES = {"visa": "Visa", "master_card": "Mastercard", "mastercard": "Mastercard",
              "maestro": "Maestro", "mir": "Мир"}


def card_name(card: SavedCard) -> str:
    """«Visa •••• 1111»: the card as its owner recognises it (the type and the last four
    digits; the whole mask is the tile's second line)."""
    kind = CARD_TYPES.get(card.card_type.lower(), "Карта")
    return f"{kind} •••• {card.card_mask[-4:]}"


def grouped_mask(mask: str) -> str:
    """``411111******1111`` as it is printed on a card: in fours."""
    return " ".join(mask[index:index + 4] for index in range(0, len(mask), 4))


def countdown(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"Код действует ещё {whole // 60}:{whole % 60:02d}"


class CodeScreen(Screen):
    """A screen whose QR code stands beside its words (landscape) or above them (portrait),
    with a demo's small button under the words (``demo()``: shown only in demo mode)."""

    demo = Signal()

    def __init__(self, title: str, *, name: str, demo_text: str,
                 parent: QWidget | None = None, **options: bool) -> None:
        super().__init__(title, name=name, parent=parent, **options)
        self.code = QrCodeWidget(minimum=240)  # grows with the screen; 240 fits the demo
        # small on purpose: a demo's shortcut, not a part of the person's way
        self.demo_button = QPushButton(demo_text)
        self.demo_button.setObjectName("kioskDemo")
        self.demo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.demo_button.setMinimumHeight(MIN_KEY)
        self.demo_button.clicked.connect(self.demo.emit)
        self.demo_button.hide()
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)

    def lay_out(self, words: list[QWidget]) -> None:
        """The code and, beside it, ``words`` and the demo's button."""
        side = QVBoxLayout()
        side.setSpacing(16)
        side.addStretch(1)
        for widget in words:
            side.addWidget(widget)
        side.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignCenter)
        side.addStretch(1)
        self.row.setSpacing(24)
        self.row.addWidget(self.code, 3)
        self.row.addLayout(side, 2)
        self.body.addLayout(self.row, 1)

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if portrait
                              else QBoxLayout.Direction.LeftToRight)


class CardPayScreen(CodeScreen):
    """The payment at the gateway: the link's QR code (or its 3-D Secure page's), the sum,
    the time left. ``cancel()``, ``saved()`` («Сохранённой картой»), ``demo()`` (the demo's
    «phone» pays the link: shown only in demo mode)."""

    cancel = Signal()
    saved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(LINK_TITLE, name="kioskCard", demo_text="Демо: оплатить с телефона",
                         back=False, home=False, parent=parent)
        self.amount = big_label("", "kioskHuge", center=True)
        self.sums = big_label("", "kioskNote", center=True)
        self.note = big_label("", "kioskNote", center=True)
        self.left = big_label("", "kioskBig", center=True)
        self.lay_out([self.amount, self.sums, self.left, self.note])
        self.saved_button = self.add_action("Сохранённой картой", "kioskAction")
        self.cancel_button = self.add_action("Отмена", "kioskBack")
        self.saved_button.clicked.connect(self.saved.emit)
        self.cancel_button.clicked.connect(self.cancel.emit)
        self.demo_allowed = False
        self.stage = ""

    def _show(self, stage: str, title: str, *, code: str = "", note: str = "",
              cancel: bool = True, saved: bool = False, demo: bool = False) -> None:
        self.stage = stage
        self.title.setText(title)
        self.code.set_text(code)
        self.code.setVisible(bool(code))
        self.note.setText(note)
        self.cancel_button.setVisible(cancel)
        self.cancel_button.setEnabled(True)
        self.saved_button.setVisible(saved)
        self.demo_button.setVisible(demo and self.demo_allowed)
        self.say("")

    def show_sums(self, amount_from: Decimal | None, amount_to: Decimal | None,
                  commission: Decimal | None) -> None:
        self.amount.setText(f"К оплате: {money(amount_from)}" if amount_from is not None
                            else "")
        self.sums.setText(f"Будет зачислено {money(amount_to)}, комиссия {money(commission)}"
                          if amount_to is not None and commission is not None else "")

    def show_link(self, url: str, *, saved: bool) -> None:
        self._show("link", LINK_TITLE, code=url, note=PRIVATE, saved=saved, demo=True)

    def show_secure(self, url: str) -> None:
        self._show("secure", SECURE_TITLE, code=url,
                   note="Наведите камеру телефона на код: откроется страница банка, введите "
                        "на ней код подтверждения", demo=True)

    def show_held(self) -> None:
        """The money is held on the card: nothing to cancel any more, the bank captures it."""
        self._show("held", HELD_TITLE, cancel=False,
                   note="Банк подтверждает оплату. Не уходите — сейчас будет чек")
        self.left.setText("")

    def show_saved(self, card: str) -> None:
        self._show("saved", "Оплачиваем сохранённой картой",
                   note=f"{card}: ждём ответа банка")
        self.left.setText("")

    def show_checking(self) -> None:
        """The link's time is up by the terminal's clock: it is off the screen, and the
        gateway's last word is awaited (the person might have paid in the last second)."""
        self._show("checking", "Срок кода истёк", cancel=False,
                   note="Проверяем, не прошла ли оплата…")
        self.left.setText("")

    def seconds_left(self, seconds: float | None) -> None:
        self.left.setText("" if seconds is None else countdown(seconds))


class CardFailedScreen(Screen):
    """The card did not pay: why, that no money was taken, and what next — ``cash()``,
    ``again()`` (another card: a new link) or «На главную». Never a dead end."""

    cash = Signal()
    again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskCardFailed", back=False, parent=parent)
        self.title.setProperty("kind", "failed")
        self.detail = big_label("", "kioskNote", center=True)
        self.question = big_label("Как оплатить?", "kioskBig", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.detail)
        self.body.addSpacing(24)
        self.body.addWidget(self.question)
        self.body.addStretch(1)
        self.cash_button = self.add_action("Оплатить наличными", "kioskAction")
        self.again_button = self.add_action("Другой картой", "kioskNext")
        self.cash_button.clicked.connect(self.cash.emit)
        self.again_button.clicked.connect(self.again.emit)

    def show_failure(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.title.style().unpolish(self.title)
        self.title.style().polish(self.title)
        self.detail.setText(detail)
        self.cash_button.setEnabled(True)
        self.again_button.setEnabled(True)
        self.say("")

    def busy(self, text: str) -> None:
        self.cash_button.setEnabled(False)
        self.again_button.setEnabled(False)
        self.say(text)


class CardPhoneScreen(Screen):
    """The phone the saved cards belong to, on the keypad under the kiosk's mask;
    ``entered(ten digits)``."""

    entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Ваш номер телефона", name="kioskCardPhone", parent=parent)
        self.about = big_label("Сохранённые карты привязаны к номеру телефона", "kioskNote",
                               center=True)
        self.value = QLineEdit()
        self.value.setObjectName("kioskField")
        self.value.setReadOnly(True)  # typed on the keys below
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = big_label("10 цифр номера, без 8 и +7", "kioskHint", center=True)
        self.pad = DigitPad()
        self.pad.typed.connect(self._typed)
        self.pad.erased.connect(lambda: self.set_digits(self.digits[:-1]))
        self.pad.cleared.connect(lambda: self.set_digits(""))
        self.body.addWidget(self.about)
        self.body.addWidget(self.value)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.pad, 1)
        self.next_button = self.add_action("Далее  ▶", "kioskNext")
        self.next_button.clicked.connect(self._next)
        self.digits: str = ""
        self.set_digits("")

    def set_digits(self, digits: str) -> None:
        self.digits = digits[:10]
        self.value.setText(phone_mask(self.digits))
        self.say("")

    def _typed(self, text: str) -> None:
        if text.isdigit() and len(self.digits) < 10:
            self.set_digits(self.digits + text)

    def _next(self) -> None:
        if len(self.digits) != 10:
            self.say("Наберите 10 цифр номера, без 8 и +7", "error")
            return
        self.entered.emit(self.digits)


class SavedCardsScreen(Screen):
    """The phone's saved cards as large tiles: ``chosen(SavedCard)`` — pay with it (or,
    after «Удалить карту», remove it); ``add()`` — attach a card; ``remove()`` — the
    removal mode on and off."""

    chosen = Signal(object)
    add = Signal()
    remove = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Выберите карту", name="kioskSavedCards", parent=parent)
        self.who = big_label("", "kioskNote", center=True)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.empty = big_label("", "kioskBig", center=True)
        self.body.addWidget(self.who)
        self.body.addLayout(self.grid)
        self.body.addWidget(self.empty)
        self.body.addStretch(1)
        self.remove_button = self.add_action("Удалить карту", "kioskAction")
        self.add_button = self.add_action("Привязать карту", "kioskAction")
        self.remove_button.clicked.connect(self.remove.emit)
        self.add_button.clicked.connect(self.add.emit)
        self.tiles: list[TileButton] = []
        self.cards: list[SavedCard] = []
        self.removing = False

    def show_cards(self, phone: str, cards: Sequence[SavedCard], *, removing: bool = False,
                   due: Decimal | None = None) -> None:
        """``phone``: ten digits (shown under the mask); ``due``: what a touch pays."""
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles = []
        self.cards = list(cards[:MAX_CARDS])
        self.removing = removing and bool(self.cards)
        self.who.setText(f"Телефон {phone_mask(phone)}")
        for index, card in enumerate(self.cards):
            tile = TileButton()
            tile.set_tile(card_name(card), grouped_mask(card.card_mask))
            tile.clicked.connect(lambda _=False, c=card: self.chosen.emit(c))
            self.grid.addWidget(tile, index // 2, index % 2)
            self.tiles.append(tile)
        for row in range(MAX_CARDS // 2):
            # a card's size, not the screen's: two lines of large type with room round them
            # (three rows still fit a 1024 px tall screen); the row, not the tile, holds
            # it — the style sheet's min-height would win over the tile's own
            self.grid.setRowMinimumHeight(row, MIN_KEY * 4 if row * 2 < len(self.cards)
                                          else 0)
        if not self.cards:
            self.title.setText("Сохранённых карт нет")
            self.empty.setText("Привяжите карту на странице банка — потом ею можно платить "
                               "здесь одним касанием")
        elif self.removing:
            self.title.setText("Какую карту удалить?")
            self.empty.setText("")
        else:
            self.title.setText("Выберите карту")
            self.empty.setText(f"Коснитесь карты, чтобы оплатить {money(due)}"
                               if due is not None else "Коснитесь карты, чтобы оплатить ею")
        self.empty.setVisible(bool(self.empty.text()))
        self.remove_button.setText("Не удалять" if self.removing else "Удалить карту")
        self.remove_button.setVisible(bool(self.cards))
        self.add_button.setVisible(not self.removing)
        # no cards yet: attaching one is the obvious next touch
        self.add_button.setObjectName("kioskAction" if self.cards else "kioskNext")
        self.add_button.style().unpolish(self.add_button)
        self.add_button.style().polish(self.add_button)
        self.say("")


class CardAddScreen(CodeScreen):
    """A card attached on the gateway's page (its QR code); the list comes back by itself
    once the bank has the card. ``done()``, ``demo()``."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Привяжите карту на странице банка", name="kioskCardAdd",
                         demo_text="Демо: привязать карту с телефона", back=False,
                         parent=parent)
        self.note = big_label("Наведите камеру телефона на код и введите данные карты на "
                              "странице банка. " + PRIVATE + ".", "kioskNote", center=True)
        self.state = big_label("Когда банк подтвердит карту, она появится в списке",
                               "kioskBig", center=True)
        self.lay_out([self.state, self.note])
        self.done_button = self.add_action("К списку карт", "kioskNext")
        self.done_button.clicked.connect(self.done.emit)
        self.demo_allowed = False

    def show_page(self, url: str) -> None:
        self.code.set_text(url)
        self.demo_button.setVisible(self.demo_allowed)
        self.say("")


class CardQuestionScreen(Screen):
    """One question with one large answer (``yes()``); «Назад» is the other answer."""

    yes = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__("", name=name, parent=parent)
        self.text = big_label("", "kioskBig", center=True)
        self.detail = big_label("", "kioskNote", center=True)
        self.body.addStretch(1)
        self.body.addWidget(self.text)
        self.body.addWidget(self.detail)
        self.body.addStretch(1)
        self.yes_button = self.add_action("", "kioskNext")
        self.yes_button.clicked.connect(self.yes.emit)

    def ask(self, title: str, text: str, detail: str, answer: str) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.detail.setText(detail)
        self.yes_button.setText(answer)
        self.yes_button.setEnabled(True)
        self.say("")

    def busy(self, text: str) -> None:
        self.yes_button.setEnabled(False)
        self.say(text)


__all__ = ["CardAddScreen", "CardFailedScreen", "CardPayScreen", "CardPhoneScreen",
           "CardQuestionScreen", "SavedCardsScreen", "card_name", "countdown",
           "grouped_mask"]
