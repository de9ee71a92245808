"""``cashier-app acceptor test|accept`` as the engineer runs them on site: a real process
opening the software validator's pseudo-terminal with pyserial, test cash in the journal."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import TEST
from tests.e2e.helpers import CLI, base_env, cli


def test_acceptor_test_names_the_unit_and_its_bills(tmp_path: Path) -> None:
    with SoftwareValidator() as unit:
        env = base_env(tmp_path, CASHIER_ACCEPTOR_PORT=unit.path)
        result = cli("acceptor", "test", "--json", env=env)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["part_number"] == "SM-RU1353-EMU"
        assert report["serial_number"] == "EMU0000001"
        assert [b["amount"] for b in report["bills"]][:3] == ["10.00", "50.00", "100.00"]
        assert {b["currency"] for b in report["bills"]} == {"RUB"}
        assert report["state"] == "приём выключен"  # every bill disabled until asked
        human = cli("acceptor", "test", "--port", unit.path, env=base_env(tmp_path))
        assert "Серийный номер: EMU0000001" in human.stdout
        assert ("Купюры: 10,00 ₽, 50,00 ₽, 100,00 ₽, 200,00 ₽, 500,00 ₽, 1 000,00 ₽"
                in human.stdout)


def test_acceptor_without_a_port_says_so(tmp_path: Path) -> None:
    result = cli("acceptor", "test", env=base_env(tmp_path))
    assert result.returncode == 1
    assert "Купюроприёмник не настроен: укажите acceptor.port" in result.stderr
    assert "Traceback" not in result.stderr
    # a sum as every amount on the command line is written; nothing opened for a bad one
    for bad, said in (("1e30", "не сумма"), ("0", "больше нуля"), ("10.555", "не сумма")):
        refused = cli("acceptor", "accept", "--until", bad, "--port", "/nonexistent",
                      env=base_env(tmp_path))
        assert refused.returncode == 2 and said in refused.stderr, (bad, refused.stderr)
        assert "Traceback" not in refused.stderr
    gone = cli("acceptor", "test", "--port", "/nonexistent/ttyUSB9", env=base_env(tmp_path))
    assert gone.returncode == 1 and "порт /nonexistent/ttyUSB9 не открывается" in gone.stderr
    assert "Traceback" not in gone.stderr


def test_accept_takes_test_cash_until_the_sum_and_journals_it(tmp_path: Path) -> None:
    with SoftwareValidator() as unit:
        env = base_env(tmp_path, CASHIER_ACCEPTOR_PORT=unit.path)
        process = subprocess.Popen([*CLI, "acceptor", "accept", "--until", "600", "--json"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        deadline = time.monotonic() + 20
        while not unit.enabled:  # the command has started and asked for bills up to 600
            assert time.monotonic() < deadline, process.stderr
            time.sleep(0.05)
        assert max(unit.enabled) == Decimal("500.00")
        unit.insert(100)
        unit.insert(1000)  # more than still owed: the unit refuses it (disabled)
        unit.insert_bad()
        unit.insert(500)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds.count("stacked") == 2 and kinds[-1] == "summary"
    assert [e["total"] for e in events if e["event"] == "stacked"] == ["100.00", "600.00"]
    assert sum(1 for e in events if e["event"] == "rejected") == 2
    assert events[-1]["total"] == "600.00" and events[-1]["bills"] == 2
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    session = journal.cash_session(events[-1]["session"])
    assert session.purpose == "test" and session.state == TEST
    assert journal.cassette() == {Decimal("100.00"): 1, Decimal("500.00"): 1}
    journal.close()


def test_encashment_counts_the_cassette_and_starts_a_new_count(tmp_path: Path) -> None:
    with SoftwareValidator() as unit:
        env = base_env(tmp_path, CASHIER_ACCEPTOR_PORT=unit.path)
        process = subprocess.Popen([*CLI, "acceptor", "accept", "--until", "300", "--json"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        deadline = time.monotonic() + 20
        while not unit.enabled:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(3):
            unit.insert(100)
        assert process.wait(timeout=30) == 0
    report = cli("encashment", env=env)
    assert report.returncode == 0, report.stderr
    assert "Инкассация № 1" in report.stdout
    assert "100,00 ₽ × 3    = 300,00 ₽" in report.stdout
    assert "Купюр: 3, сумма: 300,00 ₽" in report.stdout
    again = json.loads(cli("encashment", "--json", env=env).stdout)
    assert (again["collection"], again["bills"], again["total"]) == (2, 0, "0.00")
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    assert journal.cassette() == {}
    assert [e.action for e in journal.audit_entries(date.today(), date.today())][:2] == [
        "encashment", "encashment"]
    journal.close()


def test_a_voucher_is_shown_and_paid_out_once_by_a_supervisor(tmp_path: Path) -> None:
    from cashier_app.journal.cash_in import STACKED, VOUCHER

    env = base_env(tmp_path)
    assert cli("encashment", env=env).returncode == 0  # the journal exists
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    session = journal.open_cash_session("payment", "SM-RU1353 EMU0000001")
    journal.bill_resolved(journal.bill_stacking(session.id, 3, Decimal("500"), "RUB").id,
                          STACKED)
    code = journal.close_cash_session(session.id, VOUCHER).voucher
    journal.close()
    assert code is not None

    shown = cli("voucher", code.replace("-", ""), env=env)
    assert shown.returncode == 0, shown.stderr
    assert f"Ваучер {code}: 500,00 ₽" in shown.stdout and "Деньги ещё не выданы" in shown.stdout
    cashier = cli("voucher", code, "--pay", "--cashier", "Иванова Анна", env=env, pin="1111")
    assert cashier.returncode == 1
    assert "только старший кассир" in cashier.stderr
    paid = cli("voucher", code, "--pay", "--cashier", "Сидорова Мария", "--json", env=env,
               pin="9999")
    assert paid.returncode == 0, paid.stderr
    answer = json.loads(paid.stdout)
    assert (answer["state"], answer["total"], answer["paid_out_by"]) == (
        "paid_out", "500.00", "Сидорова Мария")
    again = cli("voucher", code, "--pay", "--cashier", "Сидорова Мария", env=env, pin="9999")
    assert again.returncode == 1 and "деньги уже выданы" in again.stderr
    assert cli("voucher", "1111-2222-3333", env=env).returncode == 1
    journal = Journal(tmp_path / "data" / "journal.sqlite3")
    actions = [e.action for e in journal.audit_entries(date.today(), date.today())]
    assert actions.count("voucher_paid_out") == 1
    journal.close()
    # the collection lists what left the till by vouchers since the last one — once
    report = json.loads(cli("encashment", "--json", env=env).stdout)
    assert report["vouchers_paid_out"] == {"count": 1, "total": "500.00"}
    assert report["vouchers_unpaid"] == {"count": 0, "total": "0.00"}
    text = cli("encashment", env=env).stdout
    assert "Выдано по ваучерам с прошлой инкассации: 0 на 0,00 ₽" in text
