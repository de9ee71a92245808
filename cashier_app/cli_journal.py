"""``cashier-app journal new``: the engineer's way forward when the journal is gone, emptied or
damaged — the program refuses to start on such a journal by itself (see
:mod:`cashier_app.journal.connection`), because recreating it silently would make the
payments «в обработке» it held vanish from recovery.

A damaged or empty file is never deleted: it is moved aside (``journal.sqlite3.damaged-<time>``
with its ``-wal``/``-shm``) for support to recover what it holds. The id high-water mark stays,
so the new journal's agentTransactionIds keep growing past every id the point ever issued.
The new journal's first audit row says what happened and who did it.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from cashier_app import settings as cfg
from cashier_app.app import HWM_NAME, JOURNAL_NAME, close_journal, journal_for
from cashier_app.cli_common import EXIT_OK, CommandFailed, UsageError, echo
from cashier_app.cli_identity import os_user
from cashier_app.journal import JournalDamaged, JournalMissing
from cashier_app.journal.ids import read_hwm

SIDE_FILES = ("-wal", "-shm")


def run_new(settings: cfg.Settings, args: argparse.Namespace) -> int:
    data_dir = settings.data_dir
    path = data_dir / JOURNAL_NAME
    issued = read_hwm(data_dir / HWM_NAME)
    try:
        close_journal(journal_for(settings, "cli"))
    except (JournalDamaged, JournalMissing) as error:
        problem = str(error)
    else:
        raise CommandFailed(f"Журнал {path} в порядке: новый не нужен")
    if not args.yes:
        raise UsageError(f"{problem}\nНовый журнал начнётся пустым: платежи «в обработке» из "
                         "прежнего им больше не будут доводиться. Если вы это понимаете, "
                         "повторите с --yes")
    moved = _move_aside(path)
    journal = journal_for(settings, "cli", fresh=True)
    try:
        journal.audit(f"командная строка ({os_user()})", "", "journal_new", "журнал", {
            "previous": str(moved) if moved else "нет файла", "last_issued_id": issued,
            "reason": problem})
    finally:
        close_journal(journal)
    echo(f"Начат новый журнал {path}" + (f"; прежний файл сохранён как {moved}" if moved
                                         else "") + f". Последний выданный номер платежа: "
         f"{issued}; новые номера будут больше")
    return EXIT_OK


def _move_aside(path: Path) -> Path | None:
    """Keep the old file (and its WAL) under a dated name; None when there was none."""
    target = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
    existed = path.exists()
    if existed:
        path.rename(target)
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            side.rename(Path(f"{target}{suffix}"))
    return target if existed else None
