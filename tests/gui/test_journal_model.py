"""The supervisor's journal model alone, without a view: it counts the filter's rows, reads a
page only when a row of it is asked for, and says each cell in people's forms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cashier_app.core.states import State
from cashier_app.journal import Journal
from cashier_app.journal.query import JournalFilter
from cashier_app.ui.supervisor.journal_model import PAGE, SHOWN, JournalModel
from tests.unit.receipts.helpers import make_payment

COLUMN = {name: index for index, (_, name, *_rest) in enumerate(SHOWN)}


def test_rows_are_read_a_page_at_a_time(qapp: QApplication, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    count = PAGE + 20
    for number in range(count):
        make_payment(journal, "simple", 1_000_001 + number,
                     state=State.FAILED if number % 2 else State.PAID)
    model = JournalModel(journal)
    today = date.today()
    model.set_filter(JournalFilter(today, today))
    assert model.rowCount() == count and model.columnCount() == len(SHOWN)
    assert model.page_reads == 0  # nothing read before a row is shown

    newest = model.index(0, COLUMN["service_name"])
    assert model.data(newest) == "Билайн (P1011)"
    assert model.page_reads == 1
    assert model.data(model.index(1, COLUMN["state"])) == "оплачен"
    assert model.data(model.index(0, COLUMN["state"])) == "не проведён"
    assert model.data(model.index(5, COLUMN["amount_to"])) == "200,00"
    assert model.data(model.index(5, COLUMN["amount_to"]),
                      Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert len(model.data(model.index(0, COLUMN["created_at"]))) == 8  # one day: the time
    assert model.page_reads == 1  # the same page, not read again

    assert model.agent_transaction_id(count - 1) == 1_000_001  # the oldest, last
    assert model.page_reads == 2
    assert model.data(model.index(count, 0)) is None  # past the end: nothing, no read
    assert model.page_reads == 2

    model.set_filter(JournalFilter(today, today, state=State.PAID))
    assert model.rowCount() == count // 2
    assert model.headerData(COLUMN["result"], Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole) == "Код ответа процессинга"
    journal.close()
