"""What every table family of the journal works on: one SQLite connection (sqlite-utils), its
file, this program's lease, and immediate write transactions. The families (payments, shifts,
receipts, audit) are mixed into one :class:`~cashier_app.journal.db.Journal`: one connection is
one transaction scope — a shift's close reads the payments and writes the shift and the audit
in one — and callers keep one object."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import sqlite_utils

from .connection import immediate
from .leases import InstanceLease
from .seal import Sealer


class Table:
    db: sqlite_utils.Database
    path: Path
    lease: InstanceLease | None
    owner: str | None
    sealer: Sealer

    def _write(self) -> AbstractContextManager[None]:
        """One immediate write transaction (see :func:`connection.immediate`)."""
        return immediate(self.db.conn)
