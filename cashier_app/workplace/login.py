"""PIN attempts with a growing pause and a lockout, counted in the journal's audit table.

A 4-digit PIN has 10 000 values; a fixed 1 s pause would let anyone at the counter, or a
script on the command line, try them all in under three hours. So every PIN check — the
log-in screen, the supervisor's PIN dialog, the command line — goes through :class:`PinGuard`:

* **Every wrong PIN is audited**: an ``audit`` row ``pin_failed`` with the cashier's name as
  actor, their role, ``target`` = where (``вход``, ``старший кассир``, ``командная строка``)
  and details ``{"failures": n, "retry_at": …, "locked_until": …}`` (times as ISO text, the
  guard's clock). A right PIN after wrong ones writes ``pin_ok`` (``{"after_failures": n}``),
  which ends the run; a right PIN with no failures before it writes nothing here, except on
  the command line (``audit_success``), where the row is the only trace of which OS user acted
  as which cashier. A supervisor lifting a lockout early writes ``pin_unlock`` (actor: the
  supervisor; target: the locked cashier's name); it ends the run as well.
* **Consecutive** failures are those since that cashier's last ``pin_ok`` or ``pin_unlock``,
  whatever the place: the state lives in the journal, so a restart of the program, a second
  program, or another command does not reset it.
* After the 1st, 2nd, 3rd, 4th consecutive failure the next try waits 1, 2, 4, 8 s
  (:attr:`PinPolicy.pauses`). The window keeps the field disabled that long; a try that comes
  earlier anyway (another process, a restart) is refused *without hashing* and without being
  counted («Подождите …»).
* The 5th consecutive failure (:attr:`PinPolicy.limit`) locks that cashier for 15 minutes
  (:attr:`PinPolicy.lockout`). While locked, every PIN — the right one too — is refused
  without being hashed, with «Вход кассира … заблокирован до ЧЧ:ММ после N неверных PIN
  подряд. …». When the lockout ends the count does not: the next wrong PIN locks again for
  15 minutes, so after the first five guesses each further guess costs a quarter of an hour.
  Refusals while locked or too early are not audited: they are not PIN checks, and a script
  hammering a locked name would otherwise flood the audit.
* The command line checks the PIN inside one journal write transaction (state, hash, audit
  row), so parallel processes are serialized and cannot all get in before the count rises.
  The window does not (its connection serves other coroutines while the hash runs in a
  thread); it checks one PIN at a time anyway.

PBKDF2 never runs on the UI thread: :meth:`PinGuard.check` hashes via ``asyncio.to_thread``.
The clock and the sleep are attributes so tests run without waiting real seconds.

Limits: this guards the PIN, not the files. Whoever can edit the settings (or the
``CASHIER_CASHIERS`` variable) can name their own cashiers, and the PIN hashes in the settings
file can be guessed offline; keep that file readable by the program's account only.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cashier_app.core.cashiers import Cashier
from cashier_app.journal import Journal

FAILED, OK, UNLOCK = "pin_failed", "pin_ok", "pin_unlock"
#: Where a PIN was typed (the audit row's target).
AT_LOGIN, AT_SUPERVISOR, AT_COMMAND_LINE = "вход", "старший кассир", "командная строка"
#: Russian names of the actions, for the supervisor's audit table.
ACTION_TITLES = {FAILED: "неверный PIN", OK: "верный PIN после неверных",
                 UNLOCK: "снятие блокировки PIN"}


@dataclass(frozen=True)
class PinPolicy:
    #: Seconds before the next try after the 1st, 2nd, … consecutive failure (the last value
    #: repeats until the lockout).
    pauses: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    #: This many consecutive failures lock the cashier …
    limit: int = 5
    #: … for this long (and every further failure locks again).
    lockout: timedelta = timedelta(minutes=15)

    def pause_after(self, failures: int) -> float:
        return self.pauses[min(failures, len(self.pauses)) - 1] if failures > 0 else 0.0


@dataclass(frozen=True)
class PinState:
    failures: int  # consecutive wrong PINs since the last right one or unlock
    retry_at: datetime | None = None  # no try before this
    locked_until: datetime | None = None  # set once failures reached the limit


@dataclass(frozen=True)
class Verdict:
    ok: bool
    #: For the screen or stderr, Russian; empty when ok.
    message: str = ""
    #: Seconds to wait before the next try (the window keeps the field disabled).
    pause: float = 0.0
    failures: int = 0
    #: The lockout's end while the cashier is locked.
    locked_until: datetime | None = None
    #: False: refused before hashing (locked, or too early); nothing was written.
    checked: bool = True

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def _time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _until_text(until: datetime, now: datetime) -> str:
    """The lockout's end rounded up to the minute (never earlier than the real end)."""
    shown = until.replace(second=0, microsecond=0)
    if shown < until:
        shown += timedelta(minutes=1)
    return shown.strftime("%H:%M" if shown.date() == now.date() else "%d.%m.%Y %H:%M")


class PinGuard:
    """PIN checks for one journal. ``clock`` gives naive local time (as the journal stores);
    ``sleep`` is what the window awaits for a pause."""

    def __init__(self, journal: Journal, policy: PinPolicy | None = None, *,
                 clock: Callable[[], datetime] = datetime.now,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.journal = journal
        self.policy = policy or PinPolicy()
        self.clock = clock
        self.sleep = sleep

    # --- state from the audit table -------------------------------------------------------
    def state(self, person: Cashier) -> PinState:
        db = self.journal.db
        reset = db.execute(
            "select max(id) from audit where (actor = ? and action = ?) "
            "or (action = ? and target = ?)", [person.name, OK, UNLOCK, person.name]
        ).fetchone()[0] or 0
        count, last = db.execute(
            "select count(*), max(id) from audit where actor = ? and action = ? and id > ?",
            [person.name, FAILED, reset]).fetchone()
        if not count:
            return PinState(0)
        at, details_text = db.execute("select at, details from audit where id = ?",
                                      [last]).fetchone()
        try:
            details = json.loads(details_text or "{}")
        except ValueError:
            details = {}
        failed_at = _time(at) or self.clock()
        if count >= self.policy.limit:
            until = _time(details.get("locked_until")) or failed_at + self.policy.lockout
            return PinState(count, until, until)
        retry = _time(details.get("retry_at")) or failed_at + timedelta(
            seconds=self.policy.pause_after(count))
        return PinState(count, retry)

    def refusal(self, person: Cashier) -> Verdict | None:
        """Why no PIN of ``person`` may be checked now (locked, or the pause is not over),
        or None. Nothing is hashed or written."""
        state = self.state(person)
        now = self.clock()
        if state.locked_until is not None and now < state.locked_until:
            return Verdict(False, self._locked_text(person, state, now),
                           failures=state.failures, locked_until=state.locked_until,
                           checked=False)
        if state.retry_at is not None and now < state.retry_at:
            wait = (state.retry_at - now).total_seconds()
            return Verdict(False, f"Подождите {math.ceil(wait)} с перед следующей попыткой",
                           pause=wait, failures=state.failures, checked=False)
        return None

    def _locked_text(self, person: Cashier, state: PinState, now: datetime) -> str:
        assert state.locked_until is not None
        advice = ("Обратитесь к старшему кассиру." if not person.role.supervises else
                  "Снять блокировку раньше может другой старший кассир или администратор.")
        return (f"Вход кассира {person.name} заблокирован до "
                f"{_until_text(state.locked_until, now)} после {state.failures} неверных PIN "
                f"подряд. {advice}")

    # --- checks ---------------------------------------------------------------------------
    def record(self, person: Cashier, ok: bool, where: str,
               details: dict[str, Any] | None = None, *, audit_success: bool = False
               ) -> Verdict:
        """Write the outcome of a PIN check into the audit and say what follows."""
        before = self.state(person).failures
        if ok:
            if before or audit_success:
                self.journal.audit(person.name, str(person.role), OK, where,
                                   {"after_failures": before, **(details or {})})
            return Verdict(True)
        failures = before + 1
        now = self.clock()
        locked_until = now + self.policy.lockout if failures >= self.policy.limit else None
        retry_at = locked_until or now + timedelta(seconds=self.policy.pause_after(failures))
        self.journal.audit(person.name, str(person.role), FAILED, where, {
            "failures": failures, "retry_at": retry_at.isoformat(timespec="seconds"),
            "locked_until": locked_until.isoformat(timespec="seconds") if locked_until
            else None, **(details or {})})
        if locked_until is not None:
            state = PinState(failures, locked_until, locked_until)
            return Verdict(False, self._locked_text(person, state, now), failures=failures,
                           locked_until=locked_until)
        return Verdict(False, f"Неверный PIN. Осталось попыток: {self.policy.limit - failures}",
                       pause=self.policy.pause_after(failures), failures=failures)

    async def check(self, person: Cashier, pin: str, where: str,
                    details: dict[str, Any] | None = None) -> Verdict:
        """The window's check: PBKDF2 in a worker thread, the journal on this one."""
        refused = self.refusal(person)
        if refused is not None:
            return refused
        ok = await asyncio.to_thread(person.verify, pin)
        return self.record(person, ok, where, details)

    def check_now(self, person: Cashier, pin: str, where: str,
                  details: dict[str, Any] | None = None, *, audit_success: bool = False
                  ) -> Verdict:
        """The command line's check, in one journal write transaction: two processes
        guessing at once take turns, each seeing the other's failures."""
        with self.journal.transaction():
            refused = self.refusal(person)
            if refused is not None:
                return refused
            return self.record(person, person.verify(pin), where, details,
                               audit_success=audit_success)

    async def pause(self, verdict: Verdict) -> None:
        if verdict.pause > 0:
            await self.sleep(verdict.pause)

    # --- a supervisor's early unlock ------------------------------------------------------
    def locked(self, person: Cashier) -> bool:
        until = self.state(person).locked_until
        return until is not None and self.clock() < until

    def unlock(self, person: Cashier, by: Cashier, where: str = AT_LOGIN) -> None:
        """End ``person``'s run of failures (and a lockout) early; ``by`` is a supervisor or
        administrator other than ``person`` who has just typed their own PIN."""
        if not by.role.supervises or by.name == person.name:
            raise PermissionError("Снять блокировку может другой старший кассир или "
                                  "администратор")
        self.journal.audit(by.name, str(by.role), UNLOCK, person.name,
                           {"failures": self.state(person).failures, "where": where})
