"""The bill acceptor end to end: the CCNET driver on pyserial, talking to the software
validator through a real pseudo-terminal, and every stacked bill in a real journal file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cashier_app.core.ccnet_codes import Command, PollState
from cashier_app.devices.cash_intake import (
    AcceptorStatus,
    BillRefused,
    CashChanged,
    CashIntake,
    CashRules,
)
from cashier_app.devices.ccnet_driver import CcnetAcceptor
from cashier_app.emulator.ccnet_device import SoftwareValidator
from cashier_app.events import EventHub
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import SPENT, STACKED, UNCONFIRMED, VOUCHER
from cashier_app.journal.chain import verify

POLL = 0.02


@pytest.fixture
def unit() -> Iterator[SoftwareValidator]:
    with SoftwareValidator() as validator:
        yield validator


class Heard:
    """Everything the intake published, in order."""

    def __init__(self, hub: EventHub) -> None:
        self.events: list[object] = []
        for kind in (CashChanged, BillRefused, AcceptorStatus):
            hub.subscribe(kind, self.events.append)

    def of(self, kind: type) -> list[object]:
        return [event for event in self.events if isinstance(event, kind)]


@asynccontextmanager
async def intake_on(unit: SoftwareValidator, journal: Journal
                    ) -> AsyncIterator[tuple[CashIntake, Heard]]:
    hub = EventHub()
    heard = Heard(hub)
    intake = CashIntake(journal, CcnetAcceptor(unit.path, poll_interval=POLL,
                                               reconnect_interval=0.05), events=hub)
    try:
        yield intake, heard
    finally:
        await intake.acceptor.close()


async def until(condition: Callable[[], object], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


def money(*amounts: str) -> list[Decimal]:
    return [Decimal(a) for a in amounts]


def test_bills_stacked_are_journaled_sealed_and_counted(unit: SoftwareValidator,
                                                        tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            assert await intake.start() == []
            assert intake.acceptor.identity is not None
            assert intake.acceptor.identity.serial_number == "EMU0000001"
            assert [b.amount for b in intake.acceptor.bill_table] == money(
                "10", "50", "100", "500", "1000", "5000", "200", "2000")
            session = await intake.begin("payment", CashRules(maximum=Decimal("15000")))
            unit.insert(100)
            unit.insert(500)
            await until(lambda: len(heard.of(CashChanged)) == 2)
            changes = heard.of(CashChanged)
            assert [c.total for c in changes] == money("100", "600")  # type: ignore[attr-defined]
            closed = await intake.finish(SPENT, agent_transaction_id=26801048196123)
            assert closed.total == Decimal("600.00") and closed.id == session.id
            assert closed.agent_transaction_id == 26801048196123

    asyncio.run(go())
    assert unit.cassette == money("100", "500")
    assert journal.cassette() == {Decimal("100.00"): 1, Decimal("500.00"): 1}
    assert verify(journal).ok  # the cash rows are sealed in the chain like payments
    journal.close()


def test_rules_decide_which_bills_the_unit_takes(unit: SoftwareValidator,
                                                 tmp_path: Path) -> None:
    """150 ₽ owed: the 100 is taken, then only what still fits (a 50, a 10); a 500 is
    refused by the unit itself (disabled type); a bad bill is rejected."""
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment", CashRules(owed=Decimal("150")))
            assert [b.amount for b in intake.allowed()] == money("10", "50", "100")
            unit.insert(100)
            await until(lambda: heard.of(CashChanged))
            assert [b.amount for b in intake.allowed()] == money("10", "50")
            unit.insert(500)
            unit.insert_bad()
            unit.insert(50)
            await until(lambda: len(heard.of(CashChanged)) == 2)
            refusals = [r.reason for r in heard.of(BillRefused)]  # type: ignore[attr-defined]
            assert "Купюра не принята: отказ в приёме купюры: этот номинал сейчас не " \
                   "принимается" in refusals
            assert "Купюра не принята: отказ в приёме купюры: купюра не распознана" in refusals
            assert intake.session is not None and intake.session.total == Decimal("150.00")
            assert intake.allowed() == []
            await until(lambda: unit.state is PollState.UNIT_DISABLED)  # nothing more fits

    asyncio.run(go())
    assert unit.cassette == money("100", "50")
    journal.close()


def test_a_bill_in_escrow_that_breaks_the_rules_is_returned(unit: SoftwareValidator,
                                                            tmp_path: Path) -> None:
    """The rules change while a bill is on its way (the screen's amount was edited): the
    bill in escrow goes back to the person, nothing is journaled as money."""
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            original = intake._escrowed

            async def rules_changed_first(bill: object) -> None:
                intake.rules = CashRules(owed=Decimal("50"))
                await original(bill)  # type: ignore[arg-type]

            intake._escrowed = rules_changed_first  # type: ignore[method-assign]
            unit.insert(100)
            await until(lambda: Command.RETURN in unit.commands)
            await until(lambda: heard.of(BillRefused))
            assert heard.of(CashChanged) == []

    asyncio.run(go())
    assert unit.cassette == []
    assert journal.cassette() == {}
    journal.close()


def test_jam_cassette_and_a_pulled_cable_are_reported(unit: SoftwareValidator,
                                                      tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            unit.jam()
            await until(lambda: any(s.fault and "застряла" in s.text  # type: ignore[attr-defined]
                                    for s in heard.of(AcceptorStatus)))
            unit.clear()
            unit.remove_cassette()
            await until(lambda: any("кассета снята" in s.text  # type: ignore[attr-defined]
                                    for s in heard.of(AcceptorStatus)))
            unit.clear()
            unit.unplug()
            await until(lambda: any(not s.link for s in heard.of(AcceptorStatus)))  # type: ignore[attr-defined]
            unit.noise(b"\x02\x03\x06\x81\x02\x00garbage")  # a "stacked" with a bad CRC
            unit.plug()
            await until(lambda: heard.events and getattr(heard.events[-1], "link", False)
                        and not heard.events[-1].fault)  # type: ignore[attr-defined]
            unit.insert(1000)
            await until(lambda: heard.of(CashChanged))
            assert [c.total for c in heard.of(CashChanged)] == money("1000")  # type: ignore[attr-defined]

    asyncio.run(go())
    assert unit.cassette == money("1000")
    today = date.today()
    recorded = [(e.action, e.actor) for e in reversed(journal.audit_entries(today, today))]
    # each fault as it began (the jam cleared straight into a cassette taken out), and the
    # unit back in order
    assert recorded == [("validator_jammed", "купюроприёмник"),
                        ("cassette_out_of_position", "купюроприёмник"),
                        ("fault_cleared", "купюроприёмник")]
    journal.close()


def test_power_cut_while_stacking_counts_the_bill_once(unit: SoftwareValidator,
                                                       tmp_path: Path) -> None:
    """Power goes while a 500 is being stacked: the unit comes back with a bill in its
    stacker, reports it stacked after its RESET, and the journal counts it exactly once."""
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            unit.insert(100)
            await until(lambda: heard.of(CashChanged))
            unit.insert(500)
            await until(lambda: unit.state is PollState.STACKING)
            unit.power_cut()
            await until(lambda: len(heard.of(CashChanged)) == 2)
            await asyncio.sleep(0.3)  # more polls: nothing more is counted
            assert intake.session is not None and intake.session.total == Decimal("600.00")
            assert len(heard.of(CashChanged)) == 2

    asyncio.run(go())
    assert unit.cassette == money("100", "500")
    assert journal.cassette() == {Decimal("100.00"): 1, Decimal("500.00"): 1}
    journal.close()


def test_a_restart_finds_the_interrupted_session_with_its_cash(unit: SoftwareValidator,
                                                               tmp_path: Path) -> None:
    """The program stops (its process ends) in the middle of a session: the next start knows
    the session's cash to the kopeck; a bill sent to stacking that the unit never confirms
    is marked unconfirmed, not counted and not dropped; the session ends as a voucher."""
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)

    async def first_life() -> int:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            session = await intake.begin("payment")
            unit.insert(200)
            await until(lambda: heard.of(CashChanged))
            # a bill journaled as stacking whose STACK never reached the unit
            journal.bill_stacking(session.id, 2, Decimal("100"), "RUB")
            return session.id

    session_id = asyncio.run(first_life())
    journal.close()
    journal = Journal(path)

    async def second_life() -> None:
        async with intake_on(unit, journal) as (intake, _heard):
            left = await intake.start()
            assert [s.id for s in left] == [session_id]
            assert left[0].total == Decimal("200.00")
            assert [b.state for b in left[0].bills] == [STACKED, UNCONFIRMED]
            await intake.begin(resume=left[0])
            closed = await intake.finish(VOUCHER)
            assert closed.voucher is not None and len(closed.voucher) == 14
            assert closed.total == Decimal("200.00")

    asyncio.run(second_life())
    assert journal.open_cash_sessions() == []
    assert [b.amount for b in journal.unconfirmed_bills()] == money("100")
    journal.close()


STATES = [  # every state a unit reports that is not a step of taking a bill, with its data
    (PollState.UNIT_DISABLED, b"", "приём выключен", False),
    (PollState.HOLDING, b"", "держит купюру", False),
    (PollState.DEVICE_BUSY, b"\x02", "занят", False),
    (PollState.PAUSE, b"", "пауза: вторая купюра до конца приёма первой", False),
    (PollState.CASSETTE_FULL, b"", "кассета заполнена", True),
    (PollState.CASSETTE_OUT_OF_POSITION, b"", "кассета снята", True),
    (PollState.VALIDATOR_JAMMED, b"", "купюра застряла в приёмнике", True),
    (PollState.CASSETTE_JAMMED, b"", "купюра застряла в кассете", True),
    (PollState.CHEATED, b"", "попытка обмана", True),
    (PollState.FAILURE, b"\x50", "неисправность: мотор укладчика", True),
    (PollState.FAILURE, b"\x5f", "неисправность: ёмкостной канал", True),
]


@pytest.mark.parametrize(("state", "data", "text", "fault"), STATES,
                         ids=[f"{s.name}-{d.hex()}" for s, d, _, _ in STATES])
def test_every_poll_state_reaches_the_screens_in_words(
        unit: SoftwareValidator, tmp_path: Path, state: PollState, data: bytes, text: str,
        fault: bool) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            await until(lambda: unit.state is PollState.IDLING)
            unit.force(state, data)
            await until(lambda: any(s.text == text for s in heard.of(AcceptorStatus)))  # type: ignore[attr-defined]
            status = next(s for s in heard.of(AcceptorStatus) if s.text == text)  # type: ignore[attr-defined]
            assert (status.fault, status.link) == (fault, True)  # type: ignore[attr-defined]
            unit.clear()
            await until(lambda: heard.of(AcceptorStatus)[-1].text == "ожидает купюру")  # type: ignore[attr-defined]
            assert heard.of(CashChanged) == []  # no state ever becomes money

    asyncio.run(go())
    journal.close()


def test_a_session_ended_while_a_bill_is_being_stacked_waits_for_it(
        unit: SoftwareValidator, tmp_path: Path) -> None:
    """The screen's time runs out just as a bill goes to the cassette: the voucher waits for
    the unit's word on that bill and includes it — the person is never shorted."""
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            unit.insert(100)
            await until(lambda: heard.of(CashChanged))
            unit.insert(500)
            await until(lambda: unit.commands.count(Command.STACK) == 2)  # the 500 sent
            closed = await intake.finish(VOUCHER)
            assert closed.total == Decimal("600.00")
            assert [b.state for b in closed.bills] == [STACKED, STACKED]

    asyncio.run(go())
    assert unit.cassette == money("100", "500")
    journal.close()


def test_a_unit_without_credit_recovery_leaves_the_bill_unconfirmed(tmp_path: Path) -> None:
    """Firmware that does not report the bill it stacked as power was cut: once the unit is
    ready, the bill is unconfirmed — not money for the session, not dropped from the books,
    and the session can end (its voucher without it; the supervisor settles the bill)."""
    journal = Journal(tmp_path / "journal.sqlite3")
    with SoftwareValidator(credit_recovery=False) as unit:

        async def go() -> None:
            async with intake_on(unit, journal) as (intake, heard):
                await intake.start()
                await intake.begin("payment")
                unit.insert(100)
                await until(lambda: heard.of(CashChanged))
                unit.insert(500)
                await until(lambda: unit.state is PollState.STACKING)
                unit.power_cut()
                await until(lambda: [b.amount for b in journal.unconfirmed_bills()]
                            == money("500"))
                assert intake.session is not None and intake.session.total == Decimal("100")
                closed = await intake.finish(VOUCHER)
                assert closed.total == Decimal("100.00")
                assert [b.state for b in closed.bills] == [STACKED, UNCONFIRMED]
                assert len(heard.of(CashChanged)) == 1

        asyncio.run(go())
        assert unit.cassette == money("100", "500")  # the 500 is there: counted at collection
    journal.close()


@pytest.mark.parametrize("credit_recovery", [True, False])
def test_program_and_unit_both_lose_power_mid_stack(tmp_path: Path,
                                                    credit_recovery: bool) -> None:
    """The whole terminal loses power while a 500 is being stacked: the next start finds the
    bill's journal row as stacking and the unit with a bill in its stacker — counted once
    when the unit reports it after its RESET, unconfirmed when it does not."""
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    with SoftwareValidator(credit_recovery=credit_recovery) as unit:

        async def first_life() -> None:
            async with intake_on(unit, journal) as (intake, _heard):
                await intake.start()
                await intake.begin("payment")
                unit.insert(500)
                await until(lambda: unit.state is PollState.STACKING)
                task = intake.acceptor._task  # type: ignore[attr-defined]
                task.cancel()  # the program stops here, as the power goes
                unit.power_cut()

        asyncio.run(first_life())
        journal.close()
        journal = Journal(path)

        async def second_life() -> None:
            async with intake_on(unit, journal) as (intake, heard):
                [left] = await intake.start()
                await until(lambda: not [b for b in journal.unconfirmed_bills()
                                         if b.state == "stacking"])
                expected = Decimal("500.00") if credit_recovery else Decimal("0.00")
                await until(lambda: journal.cash_session(left.id).total == expected)
                await asyncio.sleep(0.2)
                assert journal.cash_session(left.id).total == expected
                assert len(heard.of(CashChanged)) == (1 if credit_recovery else 0)

        asyncio.run(second_life())
        assert unit.cassette == money("500")
    states = [b.state for b in journal.cash_session(1).bills]
    assert states == ([STACKED] if credit_recovery else [UNCONFIRMED])
    journal.close()


@pytest.mark.parametrize("lost", ["stacked_answer", "ack_of_stacked"])
def test_a_frame_lost_on_the_line_neither_loses_nor_doubles_a_bill(
        unit: SoftwareValidator, tmp_path: Path, lost: str) -> None:
    """The STACKED answer never reaches the program (it asks again and hears it), or the
    program's ACK of it never reaches the unit (which says STACKED again): each bill is
    counted exactly once."""
    journal = Journal(tmp_path / "journal.sqlite3")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, heard):
            await intake.start()
            await intake.begin("payment")
            if lost == "stacked_answer":
                unit.lose_line(answer=PollState.STACKED)
            else:
                unit.lose_line(ack_of=PollState.STACKED)
            unit.insert(100)
            await until(lambda: heard.of(CashChanged))
            unit.insert(500)
            await until(lambda: len(heard.of(CashChanged)) == 2)
            await asyncio.sleep(0.3)  # more polls: the repeat is not a second bill
            assert [c.total for c in heard.of(CashChanged)] == money("100", "600")  # type: ignore[attr-defined]
            assert unit._lose_answer is None and unit._lose_ack is None  # it did happen

    asyncio.run(go())
    assert unit.cassette == money("100", "500")
    assert journal.cassette() == {Decimal("100.00"): 1, Decimal("500.00"): 1}
    journal.close()


def test_another_units_interrupted_session_is_not_taken_over(unit: SoftwareValidator,
                                                             tmp_path: Path) -> None:
    """A session left open by a program of another unit (another terminal on this journal):
    its bill on the way is not resolved from this unit's state, nor its session returned."""
    journal = Journal(tmp_path / "journal.sqlite3")
    other = journal.open_cash_session("payment", "SM-RU1353 OTHER0001")
    journal.bill_stacking(other.id, 3, Decimal("500"), "RUB")

    async def go() -> None:
        async with intake_on(unit, journal) as (intake, _heard):
            assert await intake.start() == []

    asyncio.run(go())
    assert [b.state for b in journal.cash_session(other.id).bills] == ["stacking"]
    journal.close()


def test_on_windows_the_software_validator_is_on_a_loopback_socket(tmp_path: Path) -> None:
    """Windows has no pty: the demo's validator listens on 127.0.0.1 and the driver opens
    its ``socket://`` URL through the same pyserial code — the same session, bill for bill,
    and the port opened again after the program closed it."""
    journal = Journal(tmp_path / "journal.sqlite3")
    with SoftwareValidator(line="socket") as unit:
        assert unit.path.startswith("socket://127.0.0.1:")

        async def go(amounts: tuple[int, ...]) -> None:
            async with intake_on(unit, journal) as (intake, heard):
                await intake.start()
                await intake.begin("payment", CashRules(maximum=Decimal("15000")))
                for amount in amounts:
                    unit.insert(amount)
                await until(lambda: len(heard.of(CashChanged)) == len(amounts))
                await intake.finish(SPENT, agent_transaction_id=26801048196124)

        asyncio.run(go((100, 500)))
        asyncio.run(go((50,)))  # a second program start: the line is opened again
        assert unit.cassette == money("100", "500", "50")
    assert journal.cassette() == {Decimal("50.00"): 1, Decimal("100.00"): 1,
                                  Decimal("500.00"): 1}
    journal.close()


def test_closing_after_the_polling_died_still_closes_the_port(unit: SoftwareValidator) -> None:
    """A poll task that had already failed (here: made to) is said in the log, not raised
    out of close(): the kiosk's shutdown goes on and the port is let go."""

    async def go() -> None:
        acceptor = CcnetAcceptor(unit.path, poll_interval=POLL, reconnect_interval=0.05)
        await acceptor.start(lambda *event: None)

        async def died() -> None:
            raise RuntimeError("no running event loop")

        assert acceptor._task is not None
        acceptor._task.cancel()
        acceptor._task = asyncio.ensure_future(died())
        await asyncio.sleep(0)
        await acceptor.close()  # no exception
        assert acceptor._serial is None

    asyncio.run(go())
