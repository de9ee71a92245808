"""The offscreen Qt the GUI tests run on can draw Russian text; otherwise they prove nothing."""

from PySide6.QtGui import QColor, QFontDatabase, QFontInfo, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel


def test_a_font_with_cyrillic_is_available(qapp: QApplication) -> None:
    assert QFontDatabase.families(), "no fonts: install fontconfig and fonts-dejavu-core"
    family = QFontInfo(QLabel().font()).family()  # the family Qt actually resolved
    assert QFontDatabase.WritingSystem.Cyrillic in QFontDatabase.writingSystems(family), family


def test_russian_text_actually_renders(qapp: QApplication) -> None:
    label = QLabel("Оплата ЖКХ")
    label.resize(200, 40)
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    background = image.pixelColor(0, 0)
    dark = sum(1 for x in range(image.width()) for y in range(image.height())
               if image.pixelColor(x, y).lightness() < background.lightness() - 80)
    assert dark > 50  # glyphs were drawn, not empty boxes of nothing
    painter = QPainter()  # the paint engine itself is usable
    assert isinstance(painter, QPainter) and QColor("black").isValid()


def test_qt_binding_keeps_reference_counts_of_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 returns None for an empty QVariant without taking a reference: every
    ``item.data(role)`` of an unset role took one from None, and on Python 3.11 (None is not
    immortal there) a window running all day would crash in the end («none_dealloc»). The
    window asks ``data()`` on every search keystroke, so this is pinned (pyproject)."""
    import sys

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListWidgetItem, QTreeWidgetItem

    items = (QListWidgetItem("a"), QTreeWidgetItem(["a"]))
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(100):
        assert items[0].data(Qt.ItemDataRole.UserRole + 7) is None
        assert items[1].data(0, Qt.ItemDataRole.UserRole + 7) is None
        assert label.property("no-such-property") is None
    assert sys.getrefcount(None) - before >= -5  # a few spare references may come and go
