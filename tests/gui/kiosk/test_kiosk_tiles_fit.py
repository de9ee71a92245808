"""Every tile's words are inside its tile, however small the grid makes it: in the demo's
window beside the validator's (a 1366×768 screen), the group tiles are three lines in a third
of the height they have on a terminal — the type gets smaller, nothing is cut off."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from cashier_app.emulator import EmulatorServer
from cashier_app.ui.kiosk.tiles import TileButton
from tests.gui.kiosk.helpers import kiosk_rig


def overflow(tile: TileButton) -> str | None:
    """Why the tile's text is not inside its label (the label is the tile less its margins)."""
    label = tile.words
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    document.setTextWidth(label.width())
    if document.idealWidth() > label.width():
        return f"{tile.text()!r}: a word {document.idealWidth():.0f} px wide, {label.width()} px"
    if document.size().height() > label.height():
        return (f"{tile.text()!r}: {document.size().height():.0f} px of lines, "
                f"{label.height()} px")
    return None


def test_in_the_demos_small_window_every_tile_fits_its_words(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    with kiosk_rig(qtbot, loop, emulator, tmp_path, size="demo", narrow=True) as rig:
        tiles = [tile for tile in rig.window.home.findChildren(TileButton)
                 if tile.isVisible() and tile.isEnabled()]
        assert len(tiles) >= 10  # the popular ones and every group
        assert [problem for tile in tiles if (problem := overflow(tile))] == []
        assert min(tile.scale for tile in tiles) < 1  # it was too small: the type was shrunk
        assert min(tile.scale for tile in tiles) >= TileButton.SMALLEST
        rig.shoot(screenshots, "home_tiles_fit")
    with kiosk_rig(qtbot, loop, emulator, tmp_path / "big", size="landscape") as rig:
        tiles = [tile for tile in rig.window.home.findChildren(TileButton)
                 if tile.isVisible() and tile.isEnabled()]
        assert [problem for tile in tiles if (problem := overflow(tile))] == []
        full = [tile for tile in tiles if tile.scale == 1.0]
        assert len(full) > len(tiles) / 2, [(t.text(), t.scale) for t in tiles]  # mostly full size


def test_the_demos_two_windows_share_the_screen_without_covering_each_other() -> None:
    from cashier_app.ui.kiosk.launch import TITLE_BAR, demo_places

    landscape = demo_places(1366, 768, (540, 470))
    assert landscape.kiosk == (818, 728) and landscape.control == (826, 0)  # beside
    portrait = demo_places(768, 1366, (540, 470))
    width, height = portrait.kiosk
    assert width == 768 and height > width  # a portrait kiosk, the control below it
    assert portrait.control == (0, height + TITLE_BAR + 8)
    assert portrait.control[1] + TITLE_BAR + 470 <= 1366
    assert demo_places(1920, 1080, None).kiosk == (1280, 1024)
