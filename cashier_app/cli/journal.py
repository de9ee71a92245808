"""``cashier-app journal``: the day's or a period's payments and their export (CSV/XLSX for
Excel), ``journal verify`` (the file, the hash chain, the day totals) and ``journal new``.

``journal new`` is the engineer's way forward when the journal is gone, emptied or
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
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import HWM_NAME, JOURNAL_NAME, close_journal, journal_for, open_journal
from cashier_app.core.money import format_amount
from cashier_app.core.states import State, public_status
from cashier_app.journal import JournalDamaged, JournalMissing, export, query
from cashier_app.journal.chain import verify
from cashier_app.journal.ids import read_hwm
from cashier_app.journal.query import JournalFilter

from .common import EXIT_FAILED, EXIT_OK, CommandFailed, UsageError, echo
from .identity import os_user
from .payments import print_json, record_json
from .shift import actor

SIDE_FILES = ("-wal", "-shm")


def add_commands(commands: Any) -> None:
    journal = commands.add_parser("journal", help="платежи за день или период, выгрузка; "
                                                  "journal verify — проверка целостности")
    journal.add_argument("action", nargs="?", choices=("verify", "new"),
                         help="verify — проверить файл и цепочку хэшей: повреждения, правки и "
                              "удаления вне программы (код выхода 1, если найдены); new — "
                              "начать новый журнал вместо пропавшего или повреждённого")
    journal.add_argument("--yes", action="store_true",
                         help="для new: да, начать новый журнал (прежний файл сохраняется)")
    journal.add_argument("--date", help="день, ГГГГ-ММ-ДД (по умолчанию сегодня)")
    journal.add_argument("--from", dest="first", metavar="ГГГГ-ММ-ДД",
                         help="начало периода (включительно)")
    journal.add_argument("--to", dest="last", metavar="ГГГГ-ММ-ДД",
                         help="конец периода (включительно; по умолчанию сегодня)")
    journal.add_argument("--state", choices=[str(s) for s in State],
                         help="только в этом состоянии")
    journal.add_argument("--service", help="только эта услуга (код)")
    journal.add_argument("--cashier", help="только этот кассир")
    journal.add_argument("--format", choices=("table", "csv", "xlsx", "json"), default="table",
                         help="csv — для Excel (UTF-8 с BOM, «;», десятичная запятая); xlsx")
    journal.add_argument("--output", type=Path, metavar="FILE",
                         help="записать в файл (для xlsx обязательно)")
    journal.set_defaults(run=run)


def run(settings: cfg.Settings, args: argparse.Namespace) -> int:
    if args.action == "verify":
        return run_verify(settings, args)
    if args.action == "new":
        return run_new(settings, args)
    return run_journal(settings, args)


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


def run_verify(settings: cfg.Settings, args: argparse.Namespace) -> int:
    """Exit 0: the journal is whole; 1: edits or deletions found (listed on stdout)."""
    with open_journal(settings) as journal:
        outcome = verify(journal, progress=_progress_line() if sys.stderr.isatty() else None)
        journal.audit(actor(), "", "verify", "журнал",
                      {"ok": outcome.ok, "problems": len(outcome.problems),
                       "rows": outcome.rows})
    if args.format == "json":
        echo(json.dumps({"ok": outcome.ok, "rows": outcome.rows, "links": outcome.links,
                          "problems": [problem.__dict__ for problem in outcome.problems]},
                         ensure_ascii=False, indent=1))
    else:
        for problem in outcome.problems:
            echo(problem.message)
        echo(outcome.summary(), err=bool(outcome.problems))
    return EXIT_OK if outcome.ok else EXIT_FAILED


def _progress_line() -> Callable[[int, int], None]:
    """A line on the terminal that counts the check up (a year's journal takes seconds)."""
    def show(done: int, expected: int) -> None:
        end = "\n" if done >= expected else ""
        percent = 100 * done // expected if expected else 100
        try:
            print(f"\rПроверка журнала: {percent:3d} % ({done} из {expected})", end=end,
                  file=sys.stderr, flush=True)
        except BrokenPipeError:
            pass
    return show


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: ожидается ГГГГ-ММ-ДД, получено «{text}»") from None


def journal_filter(args: argparse.Namespace) -> JournalFilter:
    today = datetime.now().date()
    day = _day(args.date, "--date")
    first = _day(args.first, "--from")
    last = _day(args.last, "--to")
    if day is not None and (first or last):
        raise UsageError("--date или --from/--to, не вместе")
    first = day or first or last or today
    last = day or last or (today if args.first else first)
    if last < first:
        raise UsageError(f"--to {last} раньше --from {first}")
    return JournalFilter(first, last, State(args.state) if args.state else None,
                         args.service, args.cashier)


def run_journal(settings: cfg.Settings, args: argparse.Namespace) -> int:
    chosen = journal_filter(args)
    if args.format == "xlsx" and args.output is None:
        raise UsageError("--format xlsx пишет файл: укажите --output ФАЙЛ.xlsx")
    with open_journal(settings) as journal:
        if args.format in ("csv", "xlsx"):
            rows = query.records(journal, chosen)
            try:
                if args.output is None:
                    export.write_csv_to(rows, sys.stdout)
                    return EXIT_OK
                write = export.write_xlsx if args.format == "xlsx" else export.write_csv
                count = write(rows, args.output)
            except OSError as error:
                raise CommandFailed(f"Не удалось записать {args.output}: {error}") from None
            echo(f"Выгружено платежей: {count} → {args.output}", err=True)
            return EXIT_OK
        records = list(query.records(journal, chosen))
    if args.format == "json":
        print_json([record_json(r) for r in records])
    else:
        one_day = chosen.first == chosen.last
        period = (f"{chosen.first:%d.%m.%Y}" if one_day
                  else f"{chosen.first:%d.%m.%Y}–{chosen.last:%d.%m.%Y}")
        echo(f"Платежи за {period}: {len(records)}")
        for record in records:
            stamp = (record.created_at[11:19] if one_day
                     else record.created_at[:19].replace("T", " "))
            echo(f"{stamp}  {record.agent_transaction_id}  "
                  f"{public_status(record.state):<12} {record.service_id:<7} "
                  f"{record.account:<14} "
                  f"{format_amount(record.amount_to) if record.amount_to is not None else '—':>12}"
                  f"  {record.result_message or ''}")
    return EXIT_OK
