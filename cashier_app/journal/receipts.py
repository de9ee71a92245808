"""Receipts as printed (the document kept for reprints) and their print state on the
payment row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Table
from .records import (
    StoredReceipt,
    to_json,
)
from .seal import now_text, seal


class ReceiptsTable(Table):
    # --- receipts ------------------------------------------------------------------
    def add_receipt(self, kind: str, document: dict[str, Any], *,
                    agent_transaction_id: int | None = None, shift_id: int | None = None,
                    payment_state: str | None = None,
                    build: Callable[[int], dict[str, Any]] | None = None) -> StoredReceipt:
        """Store a new receipt document; ``build(number)`` may make the document once its
        number is known (the number is the row's key)."""
        with self._write():
            self.db.table("receipts").insert({
                "kind": kind, "agent_transaction_id": agent_transaction_id,
                "shift_id": shift_id, "payment_state": payment_state, "created_at": now_text(),
                "document": to_json(document)})
            number = int(self.db.execute("select last_insert_rowid()").fetchone()[0])
            if build is not None:
                self.db.table("receipts").update(number, {"document": to_json(build(number))})
            seal(self.db, "receipts", number)
        return self.receipt(number)

    def receipt(self, number: int) -> StoredReceipt:
        return StoredReceipt.from_row(self.db.table("receipts").get(number))

    def latest_receipt(self, agent_transaction_id: int) -> StoredReceipt | None:
        rows = list(self.db.query("select * from receipts where agent_transaction_id = ? "
                                  "order by number desc limit 1", [agent_transaction_id]))
        return StoredReceipt.from_row(rows[0]) if rows else None

    def shift_receipt(self, shift_id: int, kind: str) -> StoredReceipt | None:
        rows = list(self.db.query("select * from receipts where shift_id = ? and kind = ? "
                                  "order by number desc limit 1", [shift_id, kind]))
        return StoredReceipt.from_row(rows[0]) if rows else None

    def receipt_printed(self, number: int, copies: int) -> StoredReceipt:
        """A successful print: the receipt (and its payment) show when."""
        now = now_text()
        with self._write():
            receipt = self.receipt(number)
            self.db.table("receipts").update(number, {
                "printed_at": receipt.printed_at or now, "copies": copies,
                "last_error": None, "last_attempt_at": now})
            seal(self.db, "receipts", number)
            if receipt.agent_transaction_id is not None:
                self.db.table("payments").update(receipt.agent_transaction_id, {
                    "receipt_printed_at": receipt.printed_at or now, "receipt_error": None})
                seal(self.db, "payments", receipt.agent_transaction_id)
        return self.receipt(number)

    def receipt_failed(self, number: int, message: str) -> StoredReceipt:
        """A failed print: recorded on the receipt and its payment; the payment's state is
        not touched."""
        now = now_text()
        with self._write():
            receipt = self.receipt(number)
            self.db.table("receipts").update(number, {"last_error": message,
                                                      "last_attempt_at": now})
            seal(self.db, "receipts", number)
            if receipt.agent_transaction_id is not None and receipt.printed_at is None:
                self.db.table("payments").update(receipt.agent_transaction_id,
                                                 {"receipt_error": message})
                seal(self.db, "payments", receipt.agent_transaction_id)
        return self.receipt(number)
