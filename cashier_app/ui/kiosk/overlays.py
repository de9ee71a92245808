"""What lies over the kiosk's screens: «Вы ещё здесь?» with its countdown, and the slideshow a
terminal shows while nobody is at it (images from a folder; a touch ends it)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .keys import key_button
from .screen import big_label

log = logging.getLogger(__name__)
IMAGES = (".png", ".jpg", ".jpeg")
SLIDE_SECONDS = 8


class IdleOverlay(QWidget):
    """Covers the window; ``stay()`` when the person touches «Да»."""

    stay = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kioskIdle")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.question = big_label("Вы ещё здесь?", "kioskTitle", center=True)
        self.left = big_label("", "kioskBig", center=True)
        self.detail = big_label("", "kioskNote", center=True)
        self.yes = key_button("Да, продолжить", "kioskNext")
        self.yes.clicked.connect(self.stay.emit)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.question)
        column.addWidget(self.left)
        column.addWidget(self.detail)
        column.addWidget(self.yes, 0, Qt.AlignmentFlag.AlignCenter)
        column.addStretch(1)
        self.hide()

    def ask(self, seconds: float, *, with_cash: bool) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.left.setText(f"{int(seconds) + 1} с")
        self.detail.setText("Если не ответить, на внесённые деньги будет напечатан ваучер"
                            if with_cash else "Если не ответить, терминал вернётся на "
                                              "главный экран")
        if not self.isVisible():
            self.show()
            self.raise_()


class Slideshow(QLabel):
    """Images of a folder, one after another; ``touched()`` ends the show."""

    touched = Signal()

    def __init__(self, folder: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kioskSlideshow")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.images = _images(folder)
        self.index = 0
        self.timer = QTimer(self)
        self.timer.setInterval(SLIDE_SECONDS * 1000)
        self.timer.timeout.connect(self.next_image)
        self.hide()

    @property
    def available(self) -> bool:
        return bool(self.images)

    def start(self) -> None:
        if not self.images:
            return
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.next_image()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.hide()

    def next_image(self) -> None:
        path = self.images[self.index % len(self.images)]
        self.index += 1
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            log.warning("slideshow: %s is not an image", path)
            return
        self.setPixmap(pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.stop()
        self.touched.emit()
        event.accept()


def _images(folder: str) -> list[Path]:
    if not folder:
        return []
    try:
        return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGES)
    except OSError as error:
        log.warning("slideshow folder %s: %s", folder, error)
        return []
