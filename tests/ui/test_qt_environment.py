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
