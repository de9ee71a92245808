"""A message under a view, coloured by what it means (the style sheet's ``kind``)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def say(label: QLabel, text: str, kind: str = "") -> None:
    """A message under a view, coloured by what it means (style sheet: ``kind`` ok, warn,
    error; info and empty are plain)."""
    label.setText(text)
    label.setProperty("kind", kind)
    label.style().polish(label)
