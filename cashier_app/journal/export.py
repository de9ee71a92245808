"""The journal for a period (and filter) as a file a supervisor opens in Excel.

* CSV as Russian Excel opens it by double click: UTF-8 with BOM, ``;`` between fields, amounts
  with a decimal comma (``1234,50``), dates ``ДД.ММ.ГГГГ ЧЧ:ММ:СС``.
* XLSX with real types: amounts are numbers (format ``# ##0,00``), the time is a date-time
  cell, counts are integers; agentTransactionId and transactionId are *text* — 18 digits do
  not survive Excel's 15-digit numbers.

Rows are streamed from SQLite in order, never all in memory (a year is hundreds of thousands).
No Qt here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from cashier_app.core.states import STATE_TITLES

from .db import PaymentRecord

METHOD_WORDS = {"cash": "наличные", "sbp": "QR СБП", "wallet": "кошелёк", "card": "карта"}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # time | text | money | int
    value: Callable[[PaymentRecord], Any]


COLUMNS = (
    Column("Время", "time", lambda r: datetime.fromisoformat(r.created_at)),
    Column("Кассир", "text", lambda r: r.cashier or ""),
    Column("Смена", "int", lambda r: r.shift_id),
    Column("Код услуги", "text", lambda r: r.service_id),
    Column("Услуга", "text", lambda r: r.service_name or ""),
    Column("Счёт", "text", lambda r: r.account),
    Column("К зачислению", "money", lambda r: r.amount_to),
    Column("Комиссия", "money", lambda r: r.commission),
    Column("С клиента", "money", lambda r: r.amount_from),
    Column("Способ оплаты", "text", lambda r: METHOD_WORDS.get(r.payment_method,
                                                               r.payment_method)),
    Column("Состояние", "text", lambda r: STATE_TITLES.get(r.state, str(r.state))),
    Column("Код ответа", "int", lambda r: r.result),
    Column("Сообщение", "text", lambda r: r.result_message or ""),
    Column("agentTransactionId", "text", lambda r: str(r.agent_transaction_id)),
    Column("transactionId", "text", lambda r: str(r.transaction_id or "")),
)


def _csv_cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "time":
        return f"{value:%d.%m.%Y %H:%M:%S}"
    if kind == "money":
        return format(Decimal(value), "f").replace(".", ",")
    return str(value)


def write_csv(rows: Iterator[PaymentRecord], path: Path) -> int:
    """Write the CSV file (with the BOM Excel needs to see UTF-8); returns how many."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        return write_csv_to(rows, handle)


def write_csv_to(rows: Iterator[PaymentRecord], handle: TextIO) -> int:
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([column.title for column in COLUMNS])
    count = 0
    for record in rows:
        writer.writerow([_csv_cell(c.kind, c.value(record)) for c in COLUMNS])
        count += 1
    return count


def write_xlsx(rows: Iterator[PaymentRecord], path: Path) -> int:
    """Write the workbook (openpyxl, write-only: constant memory); returns how many."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Платежи")
    widths = {"time": 20, "money": 14, "int": 8, "text": 18}
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = widths[column.kind]
    sheet.freeze_panes = "A2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for record in rows:
        cells = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet, value=column.value(record))
            if column.kind == "time":
                cell.number_format = "DD.MM.YYYY HH:MM:SS"
            elif column.kind == "money":
                cell.number_format = "#,##0.00"
            elif column.kind == "text":
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(str(path))
    return count
