"""Finding the service: the home screen (service groups as tiles, popular services, search),
a group's providers, and search with the on-screen keyboard. The catalog is the center's
``/services`` (cached), the search the cashier window's (:mod:`cashier_app.core.search`)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from cashier_app.core.search import SearchIndex
from cashier_app.core.services import ServiceDefinition
from cashier_app.engine.catalog import Catalog

from .keys import RussianKeyboard
from .screen import Screen, big_label
from .tiles import Tile, TilePager

POPULAR_COUNT = 4


class HomeScreen(Screen):
    """``group(name)``, ``service(ServiceDefinition)``, ``search()``."""

    group = Signal(str)
    service = Signal(object)
    search = Signal()

    def __init__(self, *, portrait: bool, narrow: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__("Оплата услуг", name="kioskHome", back=False, home=False,
                         parent=parent)
        self.popular_title = big_label("Популярное", "kioskSubtitle")
        # four popular services either way: a row of four, or two rows of two in portrait
        self.popular = TilePager(portrait=portrait, narrow=narrow, rows=2 if portrait else 1)
        self.popular.chosen.connect(self.service.emit)
        self.groups = TilePager(portrait=portrait, narrow=narrow)
        self.groups.chosen.connect(self.group.emit)
        self.body.addWidget(self.popular_title)
        self.body.addWidget(self.popular, 1)
        self.body.addWidget(big_label("Все услуги", "kioskSubtitle"))
        self.body.addWidget(self.groups, 3)
        self.search_button = self.add_action("Найти услугу", "kioskSearch")
        self.search_button.clicked.connect(self.search.emit)
        self.corner: QWidget | None = None

    def show_catalog(self, catalog: Catalog, popular: Sequence[str]) -> None:
        chosen = [s for s in (catalog.by_id(sid) for sid in popular) if s is not None]
        if not chosen:
            chosen = list(catalog.services[:POPULAR_COUNT])
        self.popular.set_tiles([Tile(s.name, s, s.group or "") for s in
                                chosen[:self.popular.per_page]])
        self.groups.set_tiles([Tile(name, name, _count(len(items)))
                               for name, items in catalog.groups().items()])


def _count(number: int) -> str:
    from cashier_app.core.text import plural

    return f"{number} {plural(number, 'услуга', 'услуги', 'услуг')}"


class GroupScreen(Screen):
    """One group's services as tiles: ``service(ServiceDefinition)``."""

    service = Signal(object)

    def __init__(self, *, portrait: bool, narrow: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskGroup", parent=parent)
        self.tiles = TilePager(portrait=portrait, narrow=narrow)
        self.tiles.chosen.connect(self.service.emit)
        self.body.addWidget(self.tiles, 1)

    def show_group(self, name: str, services: Sequence[ServiceDefinition]) -> None:
        self.title.setText(name)
        self.tiles.set_tiles([Tile(s.name, s) for s in services])


class SearchScreen(Screen):
    """A query typed on the on-screen keyboard; the matches as tiles, as it is typed."""

    service = Signal(object)

    def __init__(self, *, portrait: bool, compact: bool = False, narrow: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__("Найти услугу", name="kioskSearchScreen", parent=parent)
        self.query = QLineEdit()
        self.query.setObjectName("kioskField")
        self.query.setPlaceholderText("Название или код услуги")
        self.query.setReadOnly(True)  # typed on the keys below, no system keyboard
        # a short screen (a 768-line demo) keeps the keyboard whole and shows one row
        self.results = TilePager(portrait=portrait, narrow=narrow,
                                 rows=4 if portrait else 1 if compact else 2)
        self.results.chosen.connect(self.service.emit)
        self.keyboard = RussianKeyboard()
        self.keyboard.typed.connect(lambda text: self._set(self.query.text() + text))
        self.keyboard.erased.connect(lambda: self._set(self.query.text()[:-1]))
        self.keyboard.cleared.connect(lambda: self._set(""))
        self.body.addWidget(self.query)
        self.body.addWidget(self.results, 2)
        self.body.addWidget(self.keyboard, 2)
        self.index: SearchIndex | None = None

    def show_catalog(self, catalog: Catalog) -> None:
        self.index = SearchIndex(catalog.services)
        self.clear()

    def clear(self) -> None:
        self._set("")

    def _set(self, text: str) -> None:
        self.query.setText(text[:60])
        if self.index is None:
            return
        found = self.index.search(text, limit=60)[0] if text.strip() else []
        self.results.set_tiles([Tile(s.name, s, s.group or "") for s in found],
                               "Ничего не найдено: проверьте название" if text.strip()
                               else "Наберите первые буквы названия")
