"""A one-line label that gives way when the room is short instead of widening its window.

A status bar of plain labels is as wide as all their texts together: at 1280 px a long
cashier's name or an error text pushed the window past the screen. This label shows a
shorter form, then the text cut with «…», and keeps the whole of it in the tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """One line of text that gives way when the room is short: first to the shorter forms
    given with the text (``setText(full, shorter, shortest)``), then — with ``elide`` — the
    form ``cut`` (the last one unless told) is cut with «…», never narrower than ``keep``
    characters. Whatever is not shown whole is in the tooltip; ``text()`` is always the whole
    text. ``widest`` caps the width it asks for: a status bar shares a shortage equally
    among its fields, so one long error text would keep its length and squeeze the others
    down to their shortest forms.

    An amount is never cut: the balance gives way to shorter forms only, so «500 00…» can
    never be read as another sum."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, elide: bool = True,
                 keep: int = 8, cut: int = -1, widest: int = 0) -> None:
        super().__init__(parent)
        self._forms: tuple[str, ...] = ("",)
        self._detail = ""
        self._elide = elide
        self._keep = keep
        self._cut = cut
        self._widest = widest
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:  # the whole text, not the part on screen
        return self._forms[0]

    def shown(self) -> str:
        """What is on screen now (a shorter form, or cut with «…»)."""
        return super().text()

    def elided(self) -> bool:
        return self.shown() != self.text()

    def setText(self, text: str, *shorter: str) -> None:
        forms = (text, *shorter)
        if forms == self._forms:
            return
        self._forms = forms
        self.updateGeometry()
        parent = self.parentWidget()
        layout = parent.layout() if parent is not None else None
        if layout is not None and parent is not None and parent.isVisible():
            layout.activate()  # the fields move now, not at the next pass of the loop
        self._fit()

    def set_detail(self, detail: str) -> None:
        """More than the line says (an error's details, since when): always in the tooltip."""
        self._detail = detail
        self._update_tooltip()

    def _extra(self) -> int:
        margins = self.contentsMargins()
        return margins.left() + margins.right() + 4

    def _width(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text) + self._extra()

    def sizeHint(self) -> QSize:
        width = self._width(self._forms[0])
        if self._widest:  # a field that is never cut asks for its shortest form at least
            width = min(width, self._widest if self._elide
                        else max(self._widest, self._width(self._forms[-1])))
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        least = self._width(self._forms[-1])
        if self._elide:
            least = min(least, self._width(self._forms[self._cut][:self._keep] + "…"))
        return QSize(min(least, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        # a layout pass that ran while rendering (a grab right after a change) resized the
        # field after its resize event was due: fit to the width it is painted at
        self._fit()
        super().paintEvent(event)

    def _fit(self) -> None:
        room = self.width() - self._extra()
        metrics = self.fontMetrics()
        cut = self._cut % len(self._forms)
        whole = [form for form in self._forms[:cut + 1] if metrics.horizontalAdvance(form) <= room]
        if whole:
            shown = whole[0]
        elif self._elide and cut < len(self._forms) - 1 and room >= metrics.horizontalAdvance(
                self._forms[cut][:self._keep] + "…"):
            # the form to cut is worth more cut than a shorter one whole
            shown = metrics.elidedText(self._forms[cut], Qt.TextElideMode.ElideRight, room)
        else:
            shown = next((form for form in self._forms[cut + 1:]
                          if metrics.horizontalAdvance(form) <= room), None) or (
                metrics.elidedText(self._forms[-1], Qt.TextElideMode.ElideRight, room)
                if self._elide else self._forms[-1])
        if shown != super().text():
            super().setText(shown)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        parts = [self.text()] if self.elided() else []
        if self._detail:
            parts.append(self._detail)
        self.setToolTip("\n".join(parts))
