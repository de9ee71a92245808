"""The payment form of one service, built at run time from its ``inputs``.

Labels from ``title``, a mark on required fields, validation against the server's regexp as the
cashier types (through :class:`~cashier_app.core.services.FormModel`, no rules here), an input
restriction and a hint where the regexp makes the shape obvious (``^\\d{10}$``: ten digits),
Enter to the next field. Messages appear once a field has been left or the form submitted, not
while the first digit is being typed. A pasted number is cleaned to what the field takes
(:class:`~cashier_app.ui.widgets.field_edit.FieldEdit`) and the field says what was changed or why
the paste does not fit.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from cashier_app.core.paste import clean_input, is_phone
from cashier_app.core.patterns import shape_of
from cashier_app.core.services import FieldSpec, FormModel, ServiceDefinition
from cashier_app.ui.widgets.field_edit import FieldEdit

IDENTITY_CARD = "identityCard"
FULL_NAME = "fullName"


def _digits_word(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "цифра"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "цифры"
    return "цифр"


def hint_for(spec: FieldSpec) -> str:
    shape = shape_of(spec.regexp)
    if shape is None:
        return ""
    if shape.min_length is not None and shape.min_length == shape.max_length:
        return f"{shape.min_length} {_digits_word(shape.min_length)}"
    if shape.min_length and shape.max_length:
        return f"от {shape.min_length} до {shape.max_length} цифр"
    return "только цифры"


class FieldRow:
    """One input with its message line (what is wrong) and its note (what was done to a
    paste)."""

    def __init__(self, spec: FieldSpec, edit: FieldEdit, message: QLabel, note: QLabel
                 ) -> None:
        self.spec = spec
        self.edit = edit
        self.message = message
        self.note = note
        self.touched = False


class ServiceForm(QWidget):
    submitted = Signal()  # Enter on the last field
    edited = Signal()     # any value changed

    def __init__(self, service: ServiceDefinition, *, identity_fields: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model = FormModel(service)
        self.rows: list[FieldRow] = []
        self.identity: dict[str, QLineEdit] = {}
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.setContentsMargins(0, 0, 0, 0)
        for spec in service.inputs:
            shape = shape_of(spec.regexp)
            edit = FieldEdit(partial(clean_input, pattern=spec.pattern, shape=shape,
                                     phone=is_phone(spec.name, spec.label)),
                             masked=shape is not None and shape.digits_only)
            edit.setObjectName(f"field_{spec.name}")
            edit.setMaxLength(200)
            hint = hint_for(spec)
            edit.setPlaceholderText(hint or (self.tr("обязательно") if spec.required
                                              else self.tr("необязательно")))
            message = QLabel("")
            message.setObjectName("fieldError")
            message.setWordWrap(True)
            message.hide()
            note = QLabel("")
            note.setObjectName("hint")
            note.setWordWrap(True)
            note.hide()
            row = FieldRow(spec, edit, message, note)
            self.rows.append(row)
            label = QLabel(f"{spec.label}{' *' if spec.required else ''}")
            label.setObjectName("requiredLabel" if spec.required else "fieldLabel")
            label.setBuddy(edit)
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(note)
            column.addWidget(message)
            layout.addRow(label, cell)
            edit.textChanged.connect(lambda _text, r=row: self._changed(r))
            edit.editingFinished.connect(lambda r=row: self._left(r))
            edit.note.connect(lambda text, r=row: self._set_note(r, text))
            edit.pasted.connect(lambda r=row: self._pasted(r))
            edit.inputRejected.connect(lambda r=row: self._rejected(r))
        if identity_fields:
            for name, title in ((IDENTITY_CARD, self.tr("Документ плательщика")),
                                (FULL_NAME, self.tr("ФИО плательщика"))):
                plain = QLineEdit()
                plain.setObjectName(f"field_{name}")
                plain.setMaxLength(200)
                plain.setPlaceholderText(self.tr("необязательно"))
                plain.textChanged.connect(self.edited)
                self.identity[name] = plain
                layout.addRow(QLabel(title), plain)
        self.setLayout(layout)
        edits = self.edits()
        for index, each in enumerate(edits):
            if index + 1 < len(edits):
                each.returnPressed.connect(edits[index + 1].setFocus)
            else:
                each.returnPressed.connect(self.submitted)
        if not edits:
            self.setToolTip(self.tr("У услуги нет полей для ввода"))

    def edits(self) -> list[QLineEdit]:
        return [row.edit for row in self.rows] + list(self.identity.values())

    def values(self) -> dict[str, str]:
        return {row.spec.name: row.edit.text().strip() for row in self.rows}

    def identity_values(self) -> tuple[str | None, str | None]:
        card = self.identity.get(IDENTITY_CARD)
        name = self.identity.get(FULL_NAME)
        return ((card.text().strip() or None) if card else None,
                (name.text().strip() or None) if name else None)

    def set_value(self, name: str, text: str) -> None:
        row = self._row(name)
        if row is not None:
            row.edit.setText(text)

    def focus_first(self) -> None:
        edits = self.edits()
        if edits:
            target = next((row.edit for row in self.rows if not row.edit.text()), edits[0])
            target.setFocus()

    def _row(self, name: str) -> FieldRow | None:
        return next((row for row in self.rows if row.spec.name == name), None)

    def _changed(self, row: FieldRow) -> None:
        if row.touched:
            self._show(row)
        else:
            self._set_message(row, "")
        self.edited.emit()

    def _pasted(self, row: FieldRow) -> None:
        """Text from outside is judged at once: the cashier did not type it key by key."""
        if row.edit.text():
            row.touched = True
        self._show(row)

    def _rejected(self, row: FieldRow) -> None:
        """A typed key the field cannot take (a letter, an eleventh digit): say so."""
        hint = hint_for(row.spec)
        self._set_note(row, self.tr("В это поле — только цифры ({0})").format(hint)
                       if hint else self.tr("В это поле — только цифры"))

    def _set_note(self, row: FieldRow, text: str) -> None:
        row.note.setText(text)
        row.note.setVisible(bool(text))

    def note(self, name: str) -> str:
        """What the field says about the last paste (or a refused key), "" if nothing."""
        row = self._row(name)
        return row.note.text() if row and not row.note.isHidden() else ""

    def _left(self, row: FieldRow) -> None:
        if row.edit.text():
            row.touched = True
        self._show(row)

    def _show(self, row: FieldRow) -> bool:
        verdict = self.model.check_field(row.spec.name, row.edit.text().strip())
        if row.touched:
            self._set_message(row, verdict.message)
        return verdict.ok

    def _set_message(self, row: FieldRow, text: str) -> None:
        row.message.setText(text)
        row.message.setVisible(bool(text))
        row.edit.setProperty("invalid", bool(text))
        row.edit.style().polish(row.edit)

    def set_error(self, name: str, text: str) -> None:
        """A message from the processing center about a field (code 4, 5…)."""
        row = self._row(name)
        if row is not None:
            self._set_message(row, text)
            row.edit.setFocus()
            row.edit.selectAll()

    def message(self, name: str) -> str:
        row = self._row(name)
        return row.message.text() if row and not row.message.isHidden() else ""

    def validate(self) -> bool:
        """Check every field, show every message, focus the first invalid one."""
        verdict = self.model.check({row.spec.name: row.edit.text().strip() for row in self.rows})
        for row, check in zip(self.rows, verdict.fields, strict=True):
            row.touched = True
            self._set_message(row, check.message)
        first = self._row(verdict.first_invalid) if verdict.first_invalid else None
        if first is not None:
            first.edit.setFocus()
        return verdict.ok

    def set_locked(self, locked: bool) -> None:
        for edit in self.edits():
            edit.setReadOnly(locked)
