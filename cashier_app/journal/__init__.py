"""The offline payment journal (SQLite via sqlite-utils) and the agentTransactionId allocator."""

from .db import (
    CASH,
    SBP,
    Attempt,
    AuditEntry,
    CashCount,
    Journal,
    PaymentRecord,
    Shift,
    ShiftError,
    StoredReceipt,
)
from .errors import (
    JournalBusy,
    JournalDamaged,
    JournalError,
    JournalMissing,
    JournalStorageError,
    JournalTooNew,
)
from .ids import IdAllocator

__all__ = ["CASH", "SBP", "Attempt", "AuditEntry", "CashCount", "IdAllocator", "Journal",
           "JournalBusy", "JournalDamaged", "JournalError", "JournalMissing",
           "JournalStorageError", "JournalTooNew", "PaymentRecord", "Shift", "ShiftError",
           "StoredReceipt"]
