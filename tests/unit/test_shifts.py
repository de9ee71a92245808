"""Shifts with a cash count: the expected cash, the difference, totals fixed at the close."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.cashiers import Role
from cashier_app.core.states import State
from cashier_app.journal import Journal, ShiftError
from cashier_app.journal.chain import verify
from cashier_app.receipts.document import Document
from cashier_app.receipts.layout import layout
from cashier_app.receipts.printers import PrinterConfig
from cashier_app.receipts.service import ReceiptService
from cashier_app.workplace import shifts
from tests.unit.receipts.helpers import SETTINGS, make_payment


def test_close_with_a_count_records_the_difference_and_fixes_the_totals(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    shift = shifts.open_shift(journal, "Иванова Анна", Decimal("1000.00"))
    assert shift.opening_cash == Decimal("1000.00") and shift.opened_by == "Иванова Анна"
    make_payment(journal, "simple", 1, shift_id=shift.id)  # 210.00 cash
    make_payment(journal, "simple", 2, shift_id=shift.id, method="sbp")  # no cash
    make_payment(journal, "choice", 3, shift_id=shift.id, state=State.FAILED)  # given back
    make_payment(journal, "simple", 4, shift_id=shift.id, state=State.PAYING)  # cash in
    assert shifts.expected_cash(journal, shift) == Decimal("1420.00")

    closed = shifts.close_shift(journal, shift.id, actor="Сидорова Мария",
                                role=Role.SUPERVISOR, counted=Decimal("1400.00"),
                                denominations={"1000": 1, "200": 2, "0.50": 0})
    assert closed.closed_at and closed.closed_by == "Сидорова Мария"
    assert (closed.expected_cash, closed.counted_cash, closed.cash_difference) == (
        Decimal("1420.00"), Decimal("1400.00"), Decimal("-20.00"))
    assert closed.denominations == {"1000": 1, "200": 2}
    assert closed.totals is not None and closed.totals["cash_taken"] == "420.00"
    assert closed.totals["by_state"]["paying"] == [1, "210.00"]
    [entry] = journal.audit_entries(datetime.now().date(), datetime.now().date())
    assert (entry.actor, entry.role, entry.action) == ("Сидорова Мария", "supervisor",
                                                       "shift_close")
    assert entry.details["difference"] == "-20.00"

    # the pending payment settles after the close: the fixed totals do not move
    journal.transition(4, State.FAILED, result_message="отказ")
    assert journal.shift(shift.id).totals == closed.totals
    with pytest.raises(ShiftError, match="уже закрыта"):
        shifts.close_shift(journal, shift.id, actor="x", role=Role.CASHIER,
                           counted=Decimal(0))
    assert verify(journal).ok

    # the Z report shows the float, the count and the difference
    service = ReceiptService(journal, SETTINGS, PrinterConfig(kind="none"))
    z = service.z_report(shift.id)
    text = "\n".join(line.text for line in layout(Document.from_json(z.document), 48))
    assert "Размен на начало смены" in text and "1 000,00" in text
    assert "НАЛИЧНЫХ В КАССЕ" in text and "1 420,00" in text
    assert "Пересчитано" in text and "Расхождение (недостача)" in text and "-20,00" in text
    assert "Смену закрыл(а)" in text and "Сидорова Мария" in text
    service.close()
    journal.close()


def test_counts_and_refusals(tmp_path: Path) -> None:
    assert shifts.denominations_total({"5000": 2, "100": 3, "0.10": 5}) == Decimal("10300.50")
    assert shifts.difference_text(Decimal("0")) == "Сходится: расхождения нет"
    assert shifts.difference_text(Decimal("15.5")) == "Излишек: 15,50 ₽"
    assert shifts.difference_text(Decimal("-4000")) == "Недостача: 4 000,00 ₽"
    # by meaning: nothing missing is good news, a shortage an error, a surplus a warning
    assert [shifts.difference_kind(Decimal(d)) for d in ("0", "-0.01", "0.01")] == [
        "ok", "error", "warn"]
    journal = Journal(tmp_path / "j.sqlite3")
    with pytest.raises(ShiftError, match="отрицательным"):
        shifts.open_shift(journal, "Иванова Анна", Decimal("-1"))
    shift = shifts.open_shift(journal, "Иванова Анна")
    with pytest.raises(ShiftError, match="Открыта смена кассира Иванова Анна"):
        shifts.open_shift(journal, "Петров Олег")
    with pytest.raises(ShiftError, match="отрицательной"):
        shifts.close_shift(journal, shift.id, actor="Иванова Анна", role=Role.CASHIER,
                           counted=Decimal("-5"))
    assert journal.shift(shift.id).closed_at is None  # nothing was closed by the refusal
    journal.close()
