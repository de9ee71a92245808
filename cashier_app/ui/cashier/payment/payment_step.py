"""The steps of one payment in the panel (what is on screen, what the keys do)."""

from __future__ import annotations

import enum


class Step(enum.Enum):
    EMPTY = "empty"        # no service chosen
    FORM = "form"          # filling the form
    CHECKING = "checking"  # check sent, waiting
    CHECKED = "checked"    # check answer shown, counting the cash
    PAYING = "paying"      # pay sent, waiting for the first answer
    QR = "qr"              # the person pays a QR СБП code on screen (or it failed: a new one?)
    DONE = "done"          # outcome shown (paid, failed or «в обработке»)
