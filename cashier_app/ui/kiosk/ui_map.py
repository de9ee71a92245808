"""What the terminal's screen shows, as a small JSON file: the current screen, its title,
message and texts, and every button a finger could touch with its place on the screen. Written only
when ``CASHIER_UI_MAP`` names a file — for remote support (what does the person see?) and
for the end-to-end test that drives the real window with xdotool under Xvfb. The QR codes on
the screen are listed as their text (``codes``): a driver cannot point a phone at Xvfb, and
support sees which link or 3-D Secure page the person was shown."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from cashier_app.ui.widgets.qr_code import QrCodeWidget
from cashier_app.util.fsutil import atomic_write

log = logging.getLogger(__name__)
UI_MAP_ENV = "CASHIER_UI_MAP"


class UiMap:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._last = ""
        self._failed = False

    @classmethod
    def from_environment(cls) -> UiMap | None:
        path = os.environ.get(UI_MAP_ENV)
        return cls(Path(path)) if path else None

    def write(self, screen: QWidget, overlay: bool) -> None:
        data: dict[str, Any] = {"screen": screen.objectName(), "overlay": overlay,
                                "title": _text(getattr(screen, "title", None)),
                                "message": _text(getattr(screen, "message", None)),
                                "texts": [label.text().replace("\u00a0", " ")
                                          for label in screen.findChildren(QLabel)
                                          if label.isVisible() and label.text()
                                          and label.objectName() != "kioskTileSizer"],
                                "codes": [code.text for code in screen.findChildren(QrCodeWidget)
                                          if code.isVisible() and code.text],
                                "buttons": []}
        for window in QApplication.topLevelWidgets():
            if not window.isVisible():
                continue
            for button in window.findChildren(QPushButton):
                if not (button.isVisible() and button.isEnabled()):
                    continue
                center = button.mapToGlobal(button.rect().center())
                data["buttons"].append({"text": button.text(), "window": window.windowTitle(),
                                        "x": center.x(), "y": center.y()})
        text = json.dumps(data, ensure_ascii=False)
        if text == self._last:
            return
        try:
            atomic_write(self.path, text.encode("utf-8"))
            self._last, self._failed = text, False
        except OSError as error:
            if not self._failed:
                log.warning("ui map %s not written: %s", self.path, error)
            self._failed = True


def _text(label: object) -> str:
    return label.text() if isinstance(label, QLabel) else ""
