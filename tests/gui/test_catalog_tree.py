"""The cashier's catalog tree: groups and services read from the catalog by the view, the
code column as wide as its widest code, the choice kept across a catalog refresh."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from cashier_app.core.answers import OperatorAnswer
from cashier_app.core.services import ServiceDefinition
from cashier_app.emulator import load_catalog
from cashier_app.engine.catalog import Catalog
from cashier_app.ui.cashier.catalog_panel import SERVICE_ROLE, CatalogPanel
from cashier_app.ui.launch import load_style

LONG_CODE = "PX-2026-000123456"


def catalog(extra: list[dict[str, Any]] | None = None) -> Catalog:
    wire = load_catalog()["services"] + (extra or [])
    return Catalog(tuple(ServiceDefinition.from_wire(s) for s in wire), datetime.now(), False)


async def no_lookup(phone: str) -> OperatorAnswer:
    raise AssertionError("no phone is typed here")


def panel(qtbot: QtBot) -> CatalogPanel:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    load_style(app)
    shown = CatalogPanel(usage=dict, lookup_phone=no_lookup, request_done=lambda *_: None)
    qtbot.addWidget(shown)
    shown.resize(420, 600)
    shown.show()
    return shown


def rows(view: CatalogPanel) -> dict[str, list[tuple[str, str, str]]]:
    """Group → (name, code, the code's tooltip) of each service, as the view reads them."""
    model, found = view.tree.model(), {}
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        found[group.data()] = [
            (model.index(r, 0, group).data(), model.index(r, 1, group).data(),
             model.index(r, 1, group).data(Qt.ItemDataRole.ToolTipRole))
            for r in range(model.rowCount(group))]
    return found


def test_tree_shows_every_group_sorted_with_its_services(qtbot: QtBot) -> None:
    view = panel(qtbot)
    view.show_catalog(catalog())
    shown = rows(view)
    assert list(shown) == sorted(shown)
    assert [name for name, _, _ in shown["Сотовая связь"]] == ["Билайн", "МТС", "МегаФон", "Т2"]
    assert shown["Сотовая связь"][0][1:] == ("P1011", "Билайн, код услуги P1011")
    model = view.tree.model()
    group = model.index(0, 0)
    assert view.tree.isExpanded(group)
    assert not model.flags(group) & Qt.ItemFlag.ItemIsSelectable  # a group is not a choice
    assert model.flags(model.index(0, 0, group)) & Qt.ItemFlag.ItemIsSelectable
    assert model.rowCount(model.index(0, 0, group)) == 0  # a service has nothing under it
    assert not model.index(99, 0).isValid() and not model.index(0, 5, group).isValid()


def test_code_column_fits_the_widest_code(qtbot: QtBot, screenshots: Path) -> None:
    view = panel(qtbot)
    view.show_catalog(catalog([{"serviceId": LONG_CODE, "name": "Длинный код", "type": 0,
                                "group": "Прочее", "inputs": []}]))
    model = view.tree.model()
    other = next(g for g in range(model.rowCount()) if model.index(g, 0).data() == "Прочее")
    cell = model.index(0, 1, model.index(other, 0))
    assert cell.data() == LONG_CODE
    needed = view.tree.sizeHintForIndex(cell).width()
    assert view.tree.columnWidth(1) >= needed > view.tree.fontMetrics().horizontalAdvance(
        LONG_CODE)
    view.tree.scrollTo(cell)
    assert view.grab().save(str(screenshots / "catalog_tree_long_code.png"))
    # a catalog of short codes narrows the column again
    view.show_catalog(catalog())
    assert view.tree.columnWidth(1) < needed


def test_choice_is_kept_across_a_refresh_and_enter_opens_it(qtbot: QtBot) -> None:
    view = panel(qtbot)
    view.show_catalog(catalog())
    model = view.tree.model()
    herbalife = next(model.index(r, 0, model.index(g, 0)) for g in range(model.rowCount())
                     for r in range(model.rowCount(model.index(g, 0)))
                     if model.index(r, 0, model.index(g, 0)).data(SERVICE_ROLE) == "P2001")
    view.tree.setCurrentIndex(herbalife)
    view.show_catalog(catalog())  # the center's fresh catalog replaces the cached one
    assert view.tree.currentIndex().data(SERVICE_ROLE) == "P2001"
    chosen: list[tuple[str, object]] = []
    view.service_chosen.connect(lambda service_id, prefill: chosen.append((service_id, prefill)))
    view.open_current()
    view.tree.setCurrentIndex(model.index(0, 0))  # a group: nothing to open
    view.open_current()
    view._tree_activated(QModelIndex())
    assert chosen == [("P2001", None)]
