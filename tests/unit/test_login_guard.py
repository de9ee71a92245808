"""The PIN guard: every wrong PIN audited, a growing pause, a lockout counted from the journal
(so a restart does not reset it), a supervisor's early unlock; and the command line's identity
(cashier from the settings, PIN from stdin) on top of it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cashier_app import settings as cfg
from cashier_app.cli import identity as cli_identity
from cashier_app.cli.common import CommandFailed, UsageError
from cashier_app.core.cashiers import Cashier, Role, hash_pin
from cashier_app.journal import Journal
from cashier_app.journal.chain import verify
from cashier_app.workplace.login import AT_COMMAND_LINE, AT_LOGIN, AT_SUPERVISOR, PinGuard

ANNA = Cashier("Иванова Анна", hash_pin("1111", iterations=1000))
OLEG = Cashier("Петров Олег", hash_pin("2222", iterations=1000))
MARIA = Cashier("Сидорова Мария", hash_pin("9999", iterations=1000), Role.SUPERVISOR)


class Clock:
    """A clock the test moves by hand (starts at a fixed 14:20)."""

    def __init__(self) -> None:
        self.now = datetime.combine(date.today(), datetime.min.time()).replace(hour=14, minute=20)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal(tmp_path / "journal.sqlite3")
    yield opened
    opened.close()


def pin_rows(journal: Journal) -> list[tuple[str, str, str, str, dict]]:  # type: ignore[type-arg]
    today = date.today()
    return [(e.action, e.actor, e.role, e.target, e.details)
            for e in reversed(journal.audit_entries(today, today)) if e.action.startswith("pin_")]


def test_wrong_pins_are_audited_the_pause_grows_and_the_fifth_locks(journal: Journal) -> None:
    clock = Clock()
    guard = PinGuard(journal, clock=clock)
    pauses = []
    for left in (4, 3, 2, 1):
        verdict = guard.check_now(ANNA, "0000", AT_LOGIN)
        assert not verdict.ok and verdict.checked
        assert verdict.message == f"Неверный PIN. Осталось попыток: {left}"
        pauses.append(verdict.pause)
        # too early: refused unhashed and uncounted
        early = guard.check_now(ANNA, "1111", AT_LOGIN)
        assert not early.ok and not early.checked and early.message.startswith("Подождите")
        clock.advance(verdict.pause)
    assert pauses == [1, 2, 4, 8]
    locked = guard.check_now(ANNA, "0000", AT_LOGIN)
    assert locked.locked and locked.failures == 5
    assert locked.message == ("Вход кассира Иванова Анна заблокирован до 14:36 после 5 "
                              "неверных PIN подряд. Обратитесь к старшему кассиру.")
    # the right PIN is refused while locked, and nothing is written for it
    rows = pin_rows(journal)
    right = guard.check_now(ANNA, "1111", AT_LOGIN)
    assert not right.ok and not right.checked and right.message == locked.message
    assert pin_rows(journal) == rows
    assert [r[0] for r in rows] == ["pin_failed"] * 5
    _, actor, role, target, details = rows[-1]
    assert (actor, role, target) == ("Иванова Анна", "cashier", "вход")
    assert details["failures"] == 5 and details["locked_until"].startswith(
        f"{date.today()}T14:35:")
    # other cashiers are not affected
    assert guard.check_now(OLEG, "2222", AT_LOGIN).ok
    assert verify(journal).ok  # the audit rows are sealed in the chain


def test_the_lockout_survives_a_restart_ends_then_relocks_after_one_more(
        tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "journal.sqlite3"
    first = Journal(path)
    guard = PinGuard(first, clock=clock)
    for _ in range(5):
        clock.advance(guard.check_now(ANNA, "1234", AT_LOGIN).pause)
    first.close()

    again = Journal(path)  # a new program on the same journal
    guard = PinGuard(again, clock=clock)
    assert guard.locked(ANNA)
    assert guard.check_now(ANNA, "1111", AT_COMMAND_LINE).locked
    clock.advance(15 * 60 + 1)
    assert not guard.locked(ANNA)
    relocked = guard.check_now(ANNA, "1234", AT_LOGIN)  # one more wrong: locked again
    assert relocked.locked and relocked.failures == 6
    clock.advance(15 * 60 + 1)
    ok = guard.check_now(ANNA, "1111", AT_LOGIN)
    assert ok.ok
    assert pin_rows(again)[-1][:2] == ("pin_ok", "Иванова Анна")
    assert pin_rows(again)[-1][4]["after_failures"] == 6
    assert guard.state(ANNA).failures == 0  # the run ended with the right PIN
    again.close()


def test_a_right_pin_between_failures_resets_the_count(journal: Journal) -> None:
    clock = Clock()
    guard = PinGuard(journal, clock=clock)
    for _ in range(4):
        clock.advance(guard.check_now(MARIA, "0000", AT_SUPERVISOR).pause)
    assert guard.check_now(MARIA, "9999", AT_SUPERVISOR).ok
    verdict = guard.check_now(MARIA, "0000", AT_SUPERVISOR)
    assert verdict.message == "Неверный PIN. Осталось попыток: 4" and verdict.pause == 1
    before = len(pin_rows(journal))
    clock.advance(1)
    assert guard.check_now(MARIA, "9999", AT_SUPERVISOR).ok
    assert len(pin_rows(journal)) == before + 1  # pin_ok ends the run
    assert guard.check_now(MARIA, "9999", AT_SUPERVISOR).ok
    assert len(pin_rows(journal)) == before + 1  # no run, nothing to audit


def test_a_supervisor_unlocks_early(journal: Journal) -> None:
    clock = Clock()
    guard = PinGuard(journal, clock=clock)
    for _ in range(5):
        clock.advance(guard.check_now(ANNA, "0000", AT_LOGIN).pause)
    assert guard.locked(ANNA)
    with pytest.raises(PermissionError):
        guard.unlock(ANNA, OLEG)  # a cashier cannot
    guard.unlock(ANNA, MARIA)
    assert not guard.locked(ANNA) and guard.state(ANNA).failures == 0
    assert pin_rows(journal)[-1][:4] == ("pin_unlock", "Сидорова Мария", "supervisor",
                                         "Иванова Анна")
    assert guard.check_now(ANNA, "1111", AT_LOGIN).ok
    # a locked supervisor is told who can help
    for _ in range(5):
        verdict = guard.check_now(MARIA, "0000", AT_SUPERVISOR)
        clock.advance(verdict.pause)
    assert verdict.message.endswith("Снять блокировку раньше может другой старший кассир или "
                                    "администратор.")
    with pytest.raises(PermissionError):
        guard.unlock(MARIA, MARIA)  # not oneself


def test_the_window_check_hashes_off_the_loop_and_pauses_with_the_injected_sleep(
        journal: Journal) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    guard = PinGuard(journal, clock=Clock(), sleep=sleep)

    async def attempt() -> None:
        verdict = await guard.check(ANNA, "0000", AT_LOGIN)
        await guard.pause(verdict)
        assert not verdict.ok

    asyncio.run(attempt())
    assert slept == [1.0]


# --- the command line's identity ---------------------------------------------------------
def settings_with(tmp_path: Path, **values: object) -> cfg.Settings:
    people = [{"name": p.name, "pin": p.pin_hash, "role": str(p.role)}
              for p in (ANNA, OLEG, MARIA)]
    overrides = {cfg.DATA_DIR: str(tmp_path), cfg.CASHIERS: people}
    overrides.update({getattr(cfg, key): value for key, value in values.items()})
    return cfg.Settings.load(tmp_path / "none.toml", env={}).with_overrides(overrides)


def test_cli_identity(tmp_path: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch
                      ) -> None:
    slept: list[float] = []
    monkeypatch.setattr(cli_identity, "sleep", slept.append)
    settings = settings_with(tmp_path, POINT_CASHIER="Петров Олег")
    assert cli_identity.resolve(settings, None) == OLEG
    assert cli_identity.resolve(settings, "Иванова Анна") == ANNA
    with pytest.raises(UsageError, match=r"кассира «Никто» нет в cashiers\.list"):
        cli_identity.resolve(settings, "Никто")
    with pytest.raises(CommandFailed, match=r"cashiers\.list.*cashier-app pin-hash"):
        cli_identity.resolve(settings_with(tmp_path, CASHIERS=[]), "Иванова Анна")

    monkeypatch.setattr("sys.stdin", io.StringIO("1112\n"))
    with pytest.raises(CommandFailed, match=r"^Неверный PIN\. Осталось попыток: 4$"):
        cli_identity.authenticate(journal, ANNA, "shift open")
    assert slept == [1.0]
    failed = pin_rows(journal)[-1]
    assert failed[:4] == ("pin_failed", "Иванова Анна", "cashier", "командная строка")
    assert failed[4]["command"] == "shift open" and failed[4]["os_user"]

    monkeypatch.setattr("sys.stdin", io.StringIO("2222\n"))
    assert cli_identity.authenticate(journal, OLEG, "pay") == OLEG
    ok = pin_rows(journal)[-1]  # on the command line even a first right PIN is audited
    assert ok[:4] == ("pin_ok", "Петров Олег", "cashier", "командная строка")
    assert ok[4] == {"after_failures": 0, "os_user": ok[4]["os_user"], "command": "pay"}

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandFailed, match="не введён"):
        cli_identity.authenticate(journal, OLEG, "pay")


def test_pay_is_for_the_open_shift_cashier(tmp_path: Path, journal: Journal,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_with(tmp_path)
    with pytest.raises(CommandFailed, match=r"^Смена не открыта"):  # whose PIN to ask?
        cli_identity.payer(settings, journal, None)
    journal.open_shift("Иванова Анна")
    monkeypatch.setattr("sys.stdin", io.StringIO("1111\n"))
    assert cli_identity.payer(settings, journal, None) == ANNA  # the shift's cashier
    for name in ("Петров Олег", "Сидорова Мария"):
        with pytest.raises(CommandFailed, match="принимает только Иванова Анна"):
            cli_identity.payer(settings, journal, name)


def test_command_line_checks_take_turns(tmp_path: Path) -> None:
    """Four processes guessing at the same instant: the write transaction makes them take
    turns, so one guess is counted and the other three find the pause running."""
    import threading

    Journal(tmp_path / "journal.sqlite3").close()
    slow = Cashier("Иванова Анна", hash_pin("1111", iterations=200_000))  # a wide window
    clock = Clock()
    verdicts = []
    start = threading.Barrier(4)

    def guess() -> None:
        journal = Journal(tmp_path / "journal.sqlite3")
        try:
            start.wait()
            verdicts.append(PinGuard(journal, clock=clock).check_now(slow, "0000", AT_LOGIN))
        finally:
            journal.close()

    threads = [threading.Thread(target=guess) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v.checked for v in verdicts) == [False, False, False, True]
    journal = Journal(tmp_path / "journal.sqlite3")
    assert len(pin_rows(journal)) == 1
    journal.close()
