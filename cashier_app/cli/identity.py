"""Who runs a ``cashier-app`` command that changes the cash drawer: ``shift open``, ``shift
close`` and ``pay`` act as a configured cashier who has typed their PIN, not as an anonymous
«командная строка».

* The cashier is ``--cashier NAME``, else ``point.cashier`` (``pay``: else the open shift's
  cashier); the name must be in ``cashiers.list``.
* The PIN is asked at a terminal (``getpass``, «PIN кассира NAME: ») or, when stdin is not a
  terminal, read from its first line — as ``cashier-app pin-hash`` reads it — so scripts can
  pipe it in.
* It is checked by :class:`~cashier_app.workplace.login.PinGuard`, target
  «командная строка»: failures are audited with the OS user, the pause and the lockout are
  the window's. A wrong PIN waits out the pause before the command exits, so a script
  retrying in a loop is as slow as a person at the window.
* A right PIN is audited too (``pin_ok`` with the command and the OS user): it is what ties
  the journal's shift and payment rows to the OS account that ran the command.

Who may do what: ``shift open`` — any cashier, for their own shift; ``shift close`` — the
shift's cashier, or a supervisor or administrator for anybody's; ``pay`` — only the open
shift's cashier (as in the window: the money goes into that cashier's drawer and count; a
supervisor takes payments in a shift of their own).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable

from cashier_app import settings as cfg
from cashier_app.core.cashiers import Cashier
from cashier_app.journal import Journal
from cashier_app.workplace.login import AT_COMMAND_LINE, PinGuard

from .common import CommandFailed, UsageError

#: How a failed check waits out its pause (tests replace it).
sleep: Callable[[float], object] = time.sleep


def add_cashier_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--cashier", metavar="ИМЯ",
                        help=f"кассир из cashiers.list (по умолчанию {default}); PIN "
                             "спрашивается, а без терминала читается из первой строки stdin")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a service account
        return "?"


def configured(settings: cfg.Settings) -> list[Cashier]:
    try:
        people: list[Cashier] = settings.cashiers
    except ValueError as error:
        raise CommandFailed(f"Настройки cashiers.list: {error}") from None
    if not people:
        raise CommandFailed(
            "Кассиры не настроены: смену и платежи команда ведёт от имени кассира с его PIN. "
            "Добавьте кассиров в файл настроек (ключ cashiers.list; хэш PIN даёт команда "
            "cashier-app pin-hash)")
    return people


def resolve(settings: cfg.Settings, name: str | None, fallback: str = "") -> Cashier:
    """The cashier ``name`` (else ``point.cashier``, else ``fallback``) from the settings."""
    people = configured(settings)
    chosen = (name or settings[cfg.POINT_CASHIER] or fallback).strip()
    if not chosen:
        raise UsageError("укажите --cashier ИМЯ или point.cashier в настройках")
    for person in people:
        if person.name == chosen:
            return person
    names = ", ".join(person.name for person in people)
    raise UsageError(f"кассира «{chosen}» нет в cashiers.list (есть: {names})")


def read_pin(person: Cashier) -> str:
    if sys.stdin.isatty():
        pin = getpass.getpass(f"PIN кассира {person.name}: ")
    else:
        pin = sys.stdin.readline().strip()
    if not pin:
        raise CommandFailed(f"PIN кассира {person.name} не введён (без терминала он читается "
                            "из первой строки stdin)")
    return pin


def authenticate(journal: Journal, person: Cashier, command: str) -> Cashier:
    """Ask for ``person``'s PIN and check it; CommandFailed with the guard's Russian message
    (after its pause) when it is wrong, the cashier is locked, or it is too early."""
    pin = read_pin(person)
    guard = PinGuard(journal)
    verdict = guard.check_now(person, pin, AT_COMMAND_LINE,
                              {"os_user": os_user(), "command": command}, audit_success=True)
    if not verdict.ok:
        if verdict.checked and verdict.pause > 0:
            sleep(verdict.pause)
        raise CommandFailed(verdict.message)
    return person


def shift_cashier(settings: cfg.Settings, journal: Journal, name: str | None,
                  command: str) -> Cashier:
    """``shift open`` / ``shift close``: the named cashier, PIN checked."""
    return authenticate(journal, resolve(settings, name), command)


def payer(settings: cfg.Settings, journal: Journal, name: str | None) -> Cashier:
    """``pay``: the cashier of the open shift, PIN checked, before anything is journaled or
    sent. With no shift open and nobody named there is nobody to ask, so it is refused at
    once; a named cashier's PIN is still checked (the caller then refuses the payment for
    want of a shift)."""
    current = journal.open_shift_now()
    if current is None and not (name or settings[cfg.POINT_CASHIER]):
        raise CommandFailed("Смена не открыта: платежи не принимаются (откройте смену: "
                            "cashier-app shift open --cashier ИМЯ)")
    person = resolve(settings, name, current.cashier if current else "")
    if current is not None and current.cashier != person.name:
        raise CommandFailed(f"Открыта смена №{current.id} кассира {current.cashier}: платежи "
                            f"в ней принимает только {current.cashier}")
    return authenticate(journal, person, "pay")
