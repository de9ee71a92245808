"""The offline payment journal (SQLite via sqlite-utils) and the agentTransactionId allocator.

Map: ``connection`` opens and checks the file and makes write transactions; ``schema`` holds
the migrations (``backup`` copies the file before them); ``records`` the typed rows and the
column codecs; ``payments``, ``shifts``, ``receipts``, ``audit`` the table families that
``db.Journal`` brings together on one connection; ``seal`` writes the hash chain and
``chain`` verifies it; ``leases`` says which running program owns which payment; ``ids``
issues agentTransactionIds; ``query`` and ``export`` serve the supervisor's view and Excel.
"""

from .db import Journal
from .errors import (
    JournalBusy,
    JournalDamaged,
    JournalError,
    JournalMissing,
    JournalStorageError,
    JournalTooNew,
)
from .ids import IdAllocator
from .records import (
    CARD,
    CASH,
    SBP,
    WALLET,
    Attempt,
    AuditEntry,
    CashCount,
    PaymentRecord,
    Shift,
    ShiftError,
    StoredReceipt,
)
from .wallets import WalletEntry

__all__ = [
    "CARD",
    "CASH",
    "SBP",
    "WALLET",
    "Attempt",
    "AuditEntry",
    "CashCount",
    "IdAllocator",
    "Journal",
    "JournalBusy",
    "JournalDamaged",
    "JournalError",
    "JournalMissing",
    "JournalStorageError",
    "JournalTooNew",
    "PaymentRecord",
    "Shift",
    "ShiftError",
    "StoredReceipt",
    "WalletEntry",
]
