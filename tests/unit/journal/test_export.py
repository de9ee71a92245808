"""Journal export on its own: filters, payment method, CSV for Russian Excel."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from cashier_app.core.states import State
from cashier_app.journal import Journal
from cashier_app.journal.export import write_csv, write_xlsx
from cashier_app.journal.query import JournalFilter
from cashier_app.journal.query import records as payments
from tests.unit.receipts.helpers import make_payment


def test_filters_and_payment_method(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    make_payment(journal, "simple", 1, cashier="Иванова Анна")
    make_payment(journal, "simple", 2, cashier="Петров Олег", method="sbp")
    make_payment(journal, "choice", 3, cashier="Петров Олег", state=State.FAILED)
    today = date.today()
    everything = JournalFilter(today, today)
    assert [r.agent_transaction_id for r in payments(journal, everything)] == [1, 2, 3]
    petrov = JournalFilter(today, today, cashier="Петров Олег")
    assert [r.agent_transaction_id for r in payments(journal, petrov)] == [2, 3]
    paid_simple = JournalFilter(today, today, state=State.PAID, service_id="P1011")
    assert [r.agent_transaction_id for r in payments(journal, paid_simple)] == [1, 2]
    assert list(payments(journal, JournalFilter(date(2020, 1, 1), date(2020, 1, 2)))) == []

    target = tmp_path / "out.csv"
    assert write_csv(payments(journal, everything), target) == 3
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [r["Способ оплаты"] for r in rows] == ["наличные", "QR СБП", "наличные"]
    assert rows[0]["С клиента"] == "210,00" and rows[2]["Состояние"] == "не проведён"
    assert rows[0]["Время"][2] == "." and rows[0]["Кассир"] == "Иванова Анна"

    book = tmp_path / "out.xlsx"
    assert write_xlsx(payments(journal, petrov), book) == 2
    sheet = load_workbook(book).active
    assert [c.value for c in sheet[2]][9] == "QR СБП"
    assert sheet.cell(row=2, column=9).number_format == "#,##0.00"
    journal.close()
