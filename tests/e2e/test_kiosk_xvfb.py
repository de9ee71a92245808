"""The real kiosk on a real X server (Xvfb), clicked by xdotool like a finger:

* ``cashier-app --kiosk --demo``: a phone paid with two banknotes inserted from the software
  validator's own control window;
* ``cashier-app watchdog`` running the kiosk (fullscreen, locked down) against the processing
  emulator process and a software validator on a pty held by the test: the kiosk is killed
  with SIGKILL after a banknote is stacked, and again right after «Оплатить» is touched; the
  watchdog starts it again each time, and every rouble in the cassette ends in exactly one
  place — a payment paid once at the center (the emulator's state proves it) or a voucher.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.bench_start import x_server
from cashier_app.emulator.ccnet_device import SoftwareValidator
from tests.e2e.helpers import CLI, TOKEN, base_env, control
from tests.e2e.kiosk_driver import Finger

D = Decimal


@pytest.fixture
def display() -> Iterator[str]:
    with x_server() as name:
        yield name


def stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err or ""


def pay_a_phone(finger: Finger, phone: str, insert: object) -> None:
    """Home → Билайн → the number → check → cash; ``insert()`` puts the bills in."""
    finger.wait_screen("kioskHome")
    finger.touch("Билайн")
    finger.wait_screen("kioskForm")
    finger.type_digits(phone)
    finger.touch("Проверить  ▶")
    finger.wait_screen("kioskConfirm")
    finger.touch("Оплатить наличными")
    finger.wait_screen("kioskCash")
    insert()  # type: ignore[operator]


def test_the_demo_kiosk_takes_two_banknotes_for_a_phone(display: str, tmp_path: Path) -> None:
    ui_map = tmp_path / "ui-map.json"
    env = base_env(tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                   CASHIER_UI_MAP=str(ui_map))
    kiosk = subprocess.Popen([*CLI, "--kiosk", "--demo"], env=env, text=True,
                             encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finger = Finger(display, ui_map)
    try:
        def bills() -> None:  # from the software validator's control window
            finger.touch("100,00 ₽", window="купюроприёмник")
            finger.touch("50,00 ₽", window="купюроприёмник")

        pay_a_phone(finger, "9051234567", bills)
        deadline = time.monotonic() + 20
        while not any(b["text"] == "Оплатить" for b in finger.screen()["buttons"]):
            assert time.monotonic() < deadline, finger.screen()
            time.sleep(0.1)
        finger.touch("Оплатить")
        shown = finger.wait_screen("kioskResult")
        assert shown["title"] == "Платёж проведён"
    finally:
        err = stop(kiosk)
    assert kiosk.returncode == 0, err
    assert "Traceback" not in err


def journal_rows(path: Path, query: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(query))
    finally:
        conn.close()


def kiosk_pid(heartbeat: Path, previous: int | None = None, timeout: float = 60) -> int:
    """The running kiosk's pid, from its heartbeat (a new one after a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid = int(heartbeat.read_text().split()[1])
            if pid != previous:
                return pid
        except (OSError, IndexError, ValueError):
            pass
        assert time.monotonic() < deadline, "no kiosk beats"
        time.sleep(0.1)


def test_killed_kiosk_is_restarted_by_the_watchdog_and_loses_no_rouble(
        display: str, emulator_process: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ui_map = tmp_path / "ui-map.json"
    heartbeat = data / "kiosk.heartbeat"
    journal = data / "journal.sqlite3"
    with SoftwareValidator() as unit:  # keeps its power and its cassette across the kills
        env = base_env(tmp_path, DISPLAY=display, QT_QPA_PLATFORM="xcb",
                       CASHIER_UI_MAP=str(ui_map), CASHIER_PROCESSING_URL=emulator_process,
                       CASHIER_PROCESSING_TOKEN=TOKEN, CASHIER_PROCESSING_TIMEOUT="5",
                       CASHIER_RETRY_INITIAL="0.05", CASHIER_RETRY_MAX="0.2",
                       CASHIER_ACCEPTOR_PORT=unit.path, CASHIER_ACCEPTOR_POLL_INTERVAL="0.05",
                       CASHIER_KIOSK_TERMINAL="12", CASHIER_PRINTER_KIND="file",
                       CASHIER_PRINTER_ADDRESS=str(tmp_path / "printer.bin"))
        watchdog = subprocess.Popen([*CLI, "watchdog", "--hang-after", "30",
                                     "--restart-pause", "0.5"], env=env, text=True,
                                    encoding="utf-8", stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        finger = Finger(display, ui_map)
        try:
            # 1. a banknote stacked, then SIGKILL: the restart prints its voucher
            first = kiosk_pid(heartbeat)

            def one_bill() -> None:
                unit.insert(100)

            pay_a_phone(finger, "9051112233", one_bill)
            deadline = time.monotonic() + 20
            while not journal_rows(journal, "select 1 from cash_in where state = 'stacked'"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.kill(first, signal.SIGKILL)
            second = kiosk_pid(heartbeat, previous=first)
            shown = finger.wait_screen("kioskVoucher")
            assert "Внесено: 100,00 ₽" in shown["texts"]
            assert any(text.startswith("Код ваучера: ") for text in shown["texts"])
            finger.touch("Готово")

            # 2. two banknotes, «Оплатить», SIGKILL at once: paid once, or a voucher
            def two_bills() -> None:
                unit.insert(100)
                unit.insert(50)

            pay_a_phone(finger, "9054445566", two_bills)
            deadline = time.monotonic() + 20
            # both bills in the cassette before «Оплатить» (the button is there after the
            # first: touched then, the 50 would wait in the slot of a disabled unit)
            while len(unit.cassette) < 3 or not any(
                    b["text"] == "Оплатить" for b in finger.screen()["buttons"]):
                assert time.monotonic() < deadline, finger.screen()
                time.sleep(0.05)
            finger.touch("Оплатить")
            os.kill(second, signal.SIGKILL)
            kiosk_pid(heartbeat, previous=second)
            deadline = time.monotonic() + 30
            while finger.screen()["screen"] not in ("kioskHome", "kioskVoucher"):
                assert time.monotonic() < deadline, finger.screen()
                time.sleep(0.1)
            # the restarted kiosk settles what it can: wait for no payment in progress
            while journal_rows(journal, "select 1 from payments where state = 'paying'"):
                assert time.monotonic() < deadline + 30
                time.sleep(0.2)
        finally:
            err = stop(watchdog)
        cassette = sum(unit.cassette, D(0))
    assert watchdog.returncode == 0, err
    assert "перезапуск" in err  # the watchdog said what it did
    paid = journal_rows(journal, "select * from payments where state = 'paid'")
    vouchers = journal_rows(journal, "select * from cash_sessions where state = 'voucher'")
    bills = journal_rows(journal, "select sum(amount_kop) from cash_in where state = 'stacked'")
    assert cassette == D(250) and D(bills[0][0]) / 100 == cassette
    paid_sum = sum((D(row["amount_from"]) for row in paid), D(0))
    voucher_sum = sum((D(row["credit"] or 0) for row in vouchers), D(0)) + sum(
        (D(row[0] or 0) / 100 for row in journal_rows(
            journal, "select sum(c.amount_kop) from cash_in c join cash_sessions s on "
                     "s.id = c.session_id where s.state = 'voucher' and c.state = 'stacked'")),
        D(0))
    assert paid_sum + voucher_sum == cassette  # every rouble in exactly one place
    assert voucher_sum >= D(100)  # the first kill: its 100 is a voucher
    center = control(emulator_process, "state")
    for row in paid:  # each payment paid once at the center
        mine = [t for t in center["transactions"]
                if t["agentTransactionId"] == row["agent_transaction_id"]]
        assert len(mine) == 1 and mine[0]["payState"] == "paid" and mine[0]["debits"] == 1
    assert len(paid) + len(vouchers) >= 2
