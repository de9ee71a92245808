"""Where the cashier's window opens, and how large: sized to the screen, remembered.

At 1366×768 a 1280×800 window had its status bar below the screen. The window asks for
:data:`PREFERRED_SIZE` where the screen's free area (the task bar excluded) has room for it
and its frame; elsewhere it opens maximized — the window manager then fits the frame too,
which nobody knows before the window is shown. The size, place and catalog width of the last
session come back only if the window fits this screen with them (it may be another screen).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter

#: What the window asks for where the screen has room: the catalog and the form side by side.
PREFERRED_SIZE = QSize(1280, 800)
#: Room left for a window manager's frame and title bar, which are not known before the
#: window is first shown.
FRAME_ALLOWANCE = QSize(16, 40)


def fit_to_screen(window: QMainWindow, splitter: QSplitter, catalog_least: int) -> None:
    """Open as large as the work wants, never larger than the screen's free area; the
    catalog a third of a narrow window, never more than it needs on a wide one."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    room = available.size() - FRAME_ALLOWANCE
    width = min(PREFERRED_SIZE.width(), available.width())
    left = min(430, max(catalog_least, width * 34 // 100))
    splitter.setSizes([left, max(1, width - left)])
    if PREFERRED_SIZE.width() <= room.width() and PREFERRED_SIZE.height() <= room.height():
        window.resize(PREFERRED_SIZE)
        window.move(available.x() + (available.width() - PREFERRED_SIZE.width()) // 2,
                    available.y() + (available.height() - PREFERRED_SIZE.height()) // 2)
        return
    window.resize(room.boundedTo(PREFERRED_SIZE).expandedTo(QSize(640, 480)))
    window.move(available.topLeft())
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def fits_screen(window: QMainWindow) -> bool:
    """Is the whole window — frame, status bar — on the screen's free area?"""
    if window.isMaximized() or window.isFullScreen():
        return True
    screen = window.screen() or QGuiApplication.primaryScreen()
    frame = window.frameGeometry()
    if frame.size() == window.size():  # not shown yet: room for the frame to come
        frame = frame.adjusted(0, 0, FRAME_ALLOWANCE.width(), FRAME_ALLOWANCE.height())
    return screen.availableGeometry().contains(frame)


def restore_state(window: QMainWindow, splitter: QSplitter, state: QSettings | None) -> bool:
    """The size, place and catalog width of the last session — the size and place only if
    the window fits this screen with them. True: restored."""
    if state is None:
        return False
    restored = False
    geometry = state.value("window/geometry")
    if geometry is not None and window.restoreGeometry(geometry):
        restored = fits_screen(window)
    splitter_state = state.value("window/splitter")
    if splitter_state is not None:
        splitter.restoreState(splitter_state)
    return restored


def save_state(window: QMainWindow, splitter: QSplitter, state: QSettings | None) -> None:
    if state is None:
        return
    state.setValue("window/geometry", window.saveGeometry())
    state.setValue("window/splitter", splitter.saveState())
    state.sync()
