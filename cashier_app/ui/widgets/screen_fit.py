"""Windows sized to the screen they open on.

A point's computer is often a 1366×768 laptop with a taskbar: a window opened at a fixed
1280×800 puts its status bar and its bottom buttons off the screen. A window placed here is
as large as it wants to be but never larger than the screen's free area (the taskbar left
out, the title bar and borders counted), and centred in it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: The title bar and borders a window manager adds, when no shown window tells us its own.
FRAME = QSize(16, 40)


def available_area(widget: QWidget | None) -> QRect:
    """The free area (without the taskbar) of the screen ``widget`` is on, else the
    primary screen's."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_size(widget: QWidget | None) -> QSize:
    """The decoration around a window: measured on a shown window when it has any."""
    if widget is not None and widget.isVisible():
        window = widget.window()
        measured = window.frameGeometry().size() - window.geometry().size()
        if measured.width() > 0 or measured.height() > 0:
            return measured
    return FRAME


def place(window: QWidget, preferred: QSize, area: QRect | None = None) -> None:
    """Size ``window`` to ``preferred`` (and at least its minimum) but so that its frame
    stays inside ``area`` (default: the free area of its parent's screen), and centre it."""
    parent = window.parentWidget()
    area = area if area is not None else available_area(parent or window)
    frame = frame_size(parent)
    least = window.minimumSizeHint()
    width = min(max(preferred.width(), least.width()), area.width() - frame.width())
    height = min(max(preferred.height(), least.height()), area.height() - frame.height())
    window.resize(width, height)
    window.move(area.x() + (area.width() - width - frame.width()) // 2,
                area.y() + (area.height() - height - frame.height()) // 2)
