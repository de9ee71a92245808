"""The service's form, built at run time from ``/services`` like the cashier's, one field at a
time: a field's title in large type, its value (a phone under its mask), the keys it needs —
a keypad for a digits-only field, the Russian keyboard for the others — and what is wrong
with it, in the center's regexp's terms, before anything is sent."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QStackedWidget, QWidget

from cashier_app.core.patterns import shape_of
from cashier_app.core.phone import is_phone, phone_mask
from cashier_app.core.services import FieldSpec, FormModel, ServiceDefinition
from cashier_app.core.text import plural

from .keys import DigitPad, Keys, RussianKeyboard
from .screen import Screen, big_label


class FormScreen(Screen):
    """``submitted(dict)`` with every field's value once each one passes its check."""

    submitted = Signal(dict)
    #: «Назад» on the first field: to the screen before the form
    leave = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", name="kioskForm", parent=parent)
        self.field_title = big_label("", "kioskSubtitle", center=True)
        self.value = QLineEdit()
        self.value.setObjectName("kioskField")
        self.value.setReadOnly(True)  # typed on the keys below, no system keyboard
        self.hint = big_label("", "kioskHint", center=True)
        self.digits = DigitPad()
        self.letters = RussianKeyboard()
        self.keys = QStackedWidget()
        self.keys.addWidget(self.digits)
        self.keys.addWidget(self.letters)
        for keys in (self.digits, self.letters):
            self._connect(keys)
        self.body.addWidget(self.field_title)
        self.body.addWidget(self.value)
        self.body.addWidget(self.hint)
        self.body.addWidget(self.keys, 1)
        self.next_button = self.add_action("Далее  ▶", "kioskNext")
        self.next_button.clicked.connect(self.next_field)
        self.back_button.clicked.disconnect()
        self.back_button.clicked.connect(self.previous_field)
        self.service: ServiceDefinition | None = None
        self.model: FormModel | None = None
        self.fields: tuple[FieldSpec, ...] = ()
        self.values: dict[str, str] = {}
        self.index = 0

    def start(self, service: ServiceDefinition, values: dict[str, str] | None = None) -> None:
        self.service, self.model = service, service.form()
        self.fields = service.inputs
        self.values = dict(values or {})
        self.title.setText(service.name)
        self.show_field(0)

    @property
    def spec(self) -> FieldSpec:
        return self.fields[self.index]

    @property
    def text(self) -> str:
        return self.values.get(self.spec.name, "")

    def show_field(self, index: int) -> None:
        self.index = index
        spec = self.spec
        shape = shape_of(spec.regexp)
        self.keys.setCurrentWidget(self.digits if shape and shape.digits_only
                                   else self.letters)
        required = "" if spec.required else " (можно не заполнять)"
        self.field_title.setText(spec.label + required)
        last = index == len(self.fields) - 1
        self.next_button.setText("Проверить  ▶" if last else "Далее  ▶")
        self.say("")
        self._redraw()

    def type_text(self, text: str) -> None:
        """What the keys typed (the tests type through the same door)."""
        value = self.text + text
        shape = shape_of(self.spec.regexp)
        if shape is not None and shape.max_length is not None and len(value) > shape.max_length:
            return  # the keypad stops at the length the field takes
        self.values[self.spec.name] = value[:200]
        self.say("")
        self._redraw()

    def next_field(self) -> None:
        assert self.model is not None
        check = self.model.check_field(self.spec.name, self.text)
        if not check.ok:
            self.say(check.message, "error")
            return
        if self.index < len(self.fields) - 1:
            self.show_field(self.index + 1)
            return
        self.submitted.emit(dict(self.values))

    def previous_field(self) -> None:
        if self.index > 0:
            self.show_field(self.index - 1)
        else:
            self.leave.emit()

    def _connect(self, keys: Keys) -> None:
        keys.typed.connect(self.type_text)
        keys.erased.connect(lambda: self._set(self.text[:-1]))
        keys.cleared.connect(lambda: self._set(""))

    def _set(self, value: str) -> None:
        self.values[self.spec.name] = value
        self.say("")
        self._redraw()

    def _redraw(self) -> None:
        spec = self.spec
        value = self.text
        self.value.setText(phone_mask(value) if is_phone(spec) else value)
        shape = shape_of(spec.regexp)
        if is_phone(spec):
            self.hint.setText("10 цифр номера, без 8 и +7")
        elif shape is not None and shape.digits_only and shape.min_length == shape.max_length \
                and shape.min_length is not None:
            count = shape.min_length
            self.hint.setText(f"{count} {plural(count, 'цифра', 'цифры', 'цифр')}, "
                              f"набрано {len(value)}")
        else:
            self.hint.setText("")
