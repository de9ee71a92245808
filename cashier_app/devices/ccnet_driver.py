"""The CCNET driver: a :class:`~cashier_app.devices.acceptor.BillAcceptor` over a serial port.

The controller polls the unit every ``poll_interval`` (CCNET asks for 100–200 ms) and answers
every data answer with ACK. Serial I/O is blocking (pyserial) and runs in one worker thread;
the poll loop, the commands and the events live on the asyncio loop.

Money rules, which are why this module is written as it is:

* every bill stops in escrow (the escrow mask equals the enable mask), so no bill is ever
  stacked without this program's STACK — and a STACKED answer that does not follow our STACK
  (a repeat after a lost ACK, noise that passed the CRC) is never a new bill;
* a STACKED answer is acknowledged to the unit only after the listener has returned (the
  cash session journals the bill first); if the listener fails, no ACK goes out and the unit
  repeats STACKED on the next poll, so the bill is offered again, not lost;
* a lost link is not a reset: when the unit answers again the controller polls it first (an
  unacknowledged STACKED is still there to be counted) and resets it only if it reports a
  power-up.

Sources for the exchange: dimoniche/Service ``ServiceSaleMachine.Drivers/CCNET/
CCRSProtocol.cs`` (ACK after data answers, POLL/RESET/IDENTIFICATION/BILL TABLE/ENABLE
sequence), desionlab/node-cashcode-bv (MIT; the same sequence in JavaScript).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cashier_app.core.ccnet_codes import (
    ACK,
    FAULTS,
    ILLEGAL_COMMAND,
    NAK,
    Command,
    PollState,
    state_text,
)
from cashier_app.core.ccnet_frame import Frame, FrameReader, encode

from .acceptor import (
    AcceptorError,
    Denomination,
    Escrowed,
    Identity,
    LinkLost,
    LinkRestored,
    Listener,
    Rejected,
    Returned,
    Stacked,
    StateChanged,
)
from .ccnet_answers import mask, parse_bill_table, parse_identity

log = logging.getLogger(__name__)

ACK_FRAME = encode(ACK)
NAK_FRAME = encode(NAK)
POWER_UP_STATES = (PollState.POWER_UP, PollState.POWER_UP_BILL_IN_VALIDATOR,
                   PollState.POWER_UP_BILL_IN_STACKER)
#: the unit answers within 10 ms by the spec; USB adapters and ptys add latency
RESPONSE_TIMEOUT = 0.2


def open_serial(port: str) -> Any:
    """The unit's port at 9600 8N1 (a path, COM3, or a pyserial URL)."""
    import serial  # pyserial: imported when a validator is used

    return serial.serial_for_url(port, baudrate=9600, bytesize=8, parity="N", stopbits=1,
                                 timeout=0.005, write_timeout=1)


class LinkDown(AcceptorError):
    pass


class CcnetAcceptor:
    def __init__(self, port: str, *, poll_interval: float = 0.15,
                 response_timeout: float = RESPONSE_TIMEOUT, retries: int = 3,
                 reconnect_interval: float = 1.0,
                 open_port: Callable[[str], Any] = open_serial) -> None:
        self.port = port
        self.poll_interval = poll_interval
        self.response_timeout = response_timeout
        self.retries = retries
        self.reconnect_interval = reconnect_interval
        self._open_port = open_port
        self.identity: Identity | None = None
        self.bill_table: tuple[Denomination, ...] = ()
        self.state: PollState | None = None
        self.found_at_start: str | None = None
        self._serial: Any = None
        self._reader = FrameReader()
        self._io = ThreadPoolExecutor(1, thread_name_prefix="ccnet")
        self._lock = asyncio.Lock()
        self._listener: Listener | None = None
        self._task: asyncio.Task[None] | None = None
        self._enabled: frozenset[int] = frozenset()
        self._escrow: Denomination | None = None  # the bill held, as reported
        self._stack_sent: Denomination | None = None  # our STACK for it, not yet stacked
        self._link_up = False
        #: the unit lost power with a bill on its way to the cassette: after its RESET it
        #: reports that bill stacked, once, and it counts (CCNET "credit recovery", p.39)
        self._credit_due = False

    # --- the BillAcceptor interface ---------------------------------------------------------
    async def start(self, listener: Listener) -> None:
        self._listener = listener
        await self._run(self._open)
        # what the unit says before our RESET: a bill in its stacker after a power cut, a
        # stacked bill never acknowledged (this program died before it could) — the cash
        # session resolves a bill it had sent to stacking from this
        async with self._lock:
            state, _ = await self._poll()
        self.found_at_start = state.name.lower()
        await self._powered_up(state)
        self._link_up = True
        self._task = asyncio.create_task(self._poll_forever(), name="ccnet-poll")

    async def enable(self, bill_types: Collection[int]) -> None:
        self._enabled = frozenset(bill_types)
        async with self._lock:
            await self._send_mask()

    async def stack(self) -> None:
        async with self._lock:
            if self._escrow is None:
                return
            self._stack_sent = self._escrow
            await self._command(Command.STACK)

    async def return_bill(self) -> None:
        async with self._lock:
            if self._escrow is not None:
                await self._command(Command.RETURN)

    async def hold(self) -> None:
        """Keep the bill in escrow a little longer (the unit returns it after ~10 s)."""
        async with self._lock:
            if self._escrow is not None:
                await self._command(Command.HOLD)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:  # it had died already: said in the log, the port still closed
                log.exception("bill validator: the poll task had failed")
            self._task = None
        if self._serial is not None:
            try:
                async with self._lock:
                    await self._transact(Command.ENABLE_BILL_TYPES, bytes(6))
            except AcceptorError:
                pass
            await self._run(self._close_port)
        self._io.shutdown(wait=False)

    # --- start-up ---------------------------------------------------------------------------
    async def _powered_up(self, state: PollState) -> None:
        """Start the unit anew (at our start, or after it lost power): nothing is held in
        escrow any more, and a bill it had on the way to the cassette is due as a credit."""
        self._escrow = None
        self._credit_due = state is PollState.POWER_UP_BILL_IN_STACKER
        await self._initialise()

    async def _initialise(self) -> None:
        """RESET, then wait for the unit to finish initialising, read what it is and which
        bills it knows, and leave every bill disabled until a payment asks for some."""
        async with self._lock:
            await self._command(Command.RESET)
        deadline = time.monotonic() + 15
        while True:
            async with self._lock:
                state, data = await self._poll(ack=False)
                if state in (PollState.STACKED, PollState.RETURNED):
                    break  # an event (credit recovery): not acknowledged, said again later
                await self._write(ACK_FRAME)
            if state not in (*POWER_UP_STATES, PollState.INITIALIZE, PollState.DEVICE_BUSY):
                # initialised without reporting a bill: no credit is coming (firmware without
                # "credit recovery"); a later STACKED must follow our own STACK again
                self._credit_due = False
                break
            if time.monotonic() > deadline:
                raise AcceptorError("Купюроприёмник не закончил инициализацию за 15 с")
            await asyncio.sleep(self._pause(state, data))
        async with self._lock:
            self.identity = parse_identity((await self._data(Command.IDENTIFICATION)).body)
            self.bill_table = parse_bill_table((await self._data(Command.GET_BILL_TABLE)).body)
            await self._send_mask()
        log.info("bill validator %s (%s): %s", self.identity.part_number,
                 self.identity.serial_number,
                 ", ".join(f"{b.amount} {b.currency}" for b in self.bill_table))

    # --- polling ----------------------------------------------------------------------------
    async def _poll_forever(self) -> None:
        while True:
            try:
                await self._poll_once()
            except LinkDown as error:
                await self._lost(str(error))
            except asyncio.CancelledError:
                raise
            except Exception:  # one odd answer must not stop the money side
                log.exception("bill validator: poll failed")
            await asyncio.sleep(self.poll_interval)

    async def _poll_once(self) -> None:
        async with self._lock:
            state, data = await self._poll(ack=False)
            if state is PollState.STACKED:
                await self._stacked(data)  # listener first, then ACK (or none)
                return
            await self._write(ACK_FRAME)
        await self._report(state, data)
        if state in POWER_UP_STATES:  # power was lost and is back: the unit waits for RESET
            await self._powered_up(state)
        elif state is PollState.DEVICE_BUSY:
            await asyncio.sleep(self._pause(state, data))

    async def _stacked(self, data: bytes) -> None:
        bill = self._bill(data)
        sent, self._escrow = self._stack_sent, None
        if self._credit_due and bill is not None:
            assert self._listener is not None
            await self._listener(Stacked(bill, at_power_up=True))
            self._stack_sent = None
            self._credit_due = False
            await self._write(ACK_FRAME)
            return
        if sent is None or bill is None or bill.bill_type != sent.bill_type:
            # not the bill we sent to the cassette: a repeat, or a unit gone astray
            log.warning("bill validator reported stacked %r without our STACK for it "
                        "(sent: %r): not counted", bill, sent)
            await self._write(ACK_FRAME)
            return
        assert self._listener is not None
        await self._listener(Stacked(bill))  # raises: no ACK, the unit says it again
        self._stack_sent = None
        await self._write(ACK_FRAME)

    async def _report(self, state: PollState, data: bytes) -> None:
        assert self._listener is not None
        previous, self.state = self.state, state
        if state is PollState.ESCROW:
            bill = self._bill(data)
            if bill is not None and self._escrow != bill:
                self._escrow = bill
                await self._listener(Escrowed(bill))
            return
        if state is PollState.RETURNED:
            self._escrow = self._stack_sent = None
            await self._listener(Returned(self._bill(data)))
            return
        if state is PollState.REJECTING and previous is not PollState.REJECTING:
            await self._listener(Rejected(state_text(state, data)))
        if state is not previous:
            await self._listener(StateChanged(state.name.lower(), state_text(state, data),
                                              state in FAULTS))

    def _pause(self, state: PollState, data: bytes) -> float:
        """The wait before the next POLL: a busy unit says how long (units of 100 ms)."""
        if state is PollState.DEVICE_BUSY and data:
            return max(self.poll_interval, data[0] / 10)
        return self.poll_interval

    def _bill(self, data: bytes) -> Denomination | None:
        if not data:
            return None
        return next((b for b in self.bill_table if b.bill_type == data[0]), None)

    # --- a lost link ------------------------------------------------------------------------
    async def _lost(self, why: str) -> None:
        assert self._listener is not None
        if self._link_up:
            self._link_up = False
            log.warning("bill validator: %s", why)
            await self._listener(LinkLost("Нет связи с купюроприёмником"))
        await self._run(self._close_port)
        while True:
            await asyncio.sleep(self.reconnect_interval)
            try:
                await self._run(self._open)
                async with self._lock:
                    state, data = await self._poll(ack=False)
                    if state is PollState.STACKED:  # stacked while we could not hear it
                        await self._stacked(data)
                if state in POWER_UP_STATES:  # the unit lost power too: start it anew
                    await self._powered_up(state)
                else:
                    async with self._lock:
                        await self._write(ACK_FRAME)
                        await self._send_mask()
            except AcceptorError as error:
                log.debug("bill validator still unreachable: %s", error)
                await self._run(self._close_port)
                continue
            self._link_up = True
            log.info("bill validator: link restored")
            await self._listener(LinkRestored(self.identity))
            return

    # --- exchanges (the caller holds the lock) ----------------------------------------------
    async def _poll(self, *, ack: bool = True) -> tuple[PollState, bytes]:
        answer = await self._transact(Command.POLL)
        try:
            state = PollState(answer.code if answer.code is not None else -1)
        except ValueError:
            raise LinkDown(f"неизвестный ответ на POLL: {answer.body.hex()}") from None
        if ack:
            await self._write(ACK_FRAME)
        return state, answer.data

    async def _send_mask(self) -> None:
        bits = mask(self._enabled)
        await self._command(Command.ENABLE_BILL_TYPES, bits + bits)  # every bill to escrow

    async def _command(self, command: Command, data: bytes = b"") -> None:
        answer = await self._transact(command, data)
        if answer.code == ILLEGAL_COMMAND:
            log.warning("bill validator refused %s in state %s", command.name, self.state)
        elif answer.code != ACK:
            raise AcceptorError(f"Купюроприёмник ответил на {command.name} "
                                f"кодом 0x{answer.code or 0:02X}")

    async def _data(self, command: Command) -> Frame:
        answer = await self._transact(command)
        await self._write(ACK_FRAME)
        return answer

    async def _transact(self, command: Command, data: bytes = b"") -> Frame:
        frame = encode(command, data)
        for _ in range(self.retries):
            answer: Frame | None = await self._run(self._exchange, frame)
            if answer is None or (answer.code == NAK and not answer.data):
                continue  # silence, a bad CRC, or the unit did not get ours: again
            return answer
        raise LinkDown(f"купюроприёмник не отвечает на {command.name}")

    async def _write(self, frame: bytes) -> None:
        await self._run(self._send, frame)

    async def _run(self, work: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, work, *args)

    # --- the worker thread ------------------------------------------------------------------
    def _open(self) -> None:
        if self._serial is not None:
            return
        try:
            self._serial = self._open_port(self.port)
        except (OSError, ValueError) as error:
            raise LinkDown(f"порт {self.port} не открывается: {error}") from None
        self._reader.clear()

    def _close_port(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except OSError:
                pass
            self._serial = None

    def _send(self, frame: bytes) -> None:
        if self._serial is None:
            raise LinkDown(f"порт {self.port} закрыт")
        try:
            self._serial.write(frame)
            self._serial.flush()
        except (OSError, ValueError) as error:  # SerialException is an OSError
            self._close_port()
            raise LinkDown(f"порт {self.port}: {error}") from None

    def _exchange(self, frame: bytes) -> Frame | None:
        """Send a command, read its answer: a whole frame with a good CRC, or None."""
        self._send(frame)
        deadline = time.monotonic() + self.response_timeout
        serial_port = self._serial
        try:
            while time.monotonic() < deadline:
                chunk = serial_port.read(serial_port.in_waiting or 1)
                if chunk:
                    frames = self._reader.feed(chunk)
                    if frames:
                        self._reader.clear()  # what follows an answer is noise
                        return frames[0]
        except (OSError, ValueError) as error:
            self._close_port()
            raise LinkDown(f"порт {self.port}: {error}") from None
        self._reader.clear()
        return None
