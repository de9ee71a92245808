"""A software bill validator: a CCNET unit on a pseudo-terminal (a loopback socket on Windows),
for the demo and the tests.

The program opens :attr:`SoftwareValidator.path` with pyserial exactly as it opens
``/dev/ttyUSB0`` on a terminal, so the tests go through the real serial code. The unit behaves
as a CashCode validator does, one step per POLL: power up → (RESET) initialise → disabled or
idling; a bill inserted is accepting, then held in escrow until STACK or RETURN, then stacking
and stacked (or returning and returned) — an event state repeated until the controller's ACK.
A person's and a technician's actions are methods: :meth:`insert`, :meth:`insert_bad`,
:meth:`jam`, :meth:`fill_cassette`, :meth:`remove_cassette`, :meth:`power_cut`,
:meth:`unplug`, :meth:`noise`. :attr:`cassette` lists every bill it stacked.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from cashier_app.core.ccnet_codes import ACK, ILLEGAL_COMMAND, NAK, Command, PollState
from cashier_app.core.ccnet_frame import FrameReader, encode

from .device_line import open_line

#: (type, value, power of ten) of a Russian unit's table; types as CashCode assigns them
RUB_TABLE = ((0, 1, 1), (1, 5, 1), (2, 1, 2), (3, 5, 2), (4, 1, 3), (5, 5, 3), (6, 2, 2),
             (7, 2, 3))
ESCROW_POLLS = 60  # about ten seconds of polling, then the bill goes back by itself


@dataclass
class _Bill:
    bill_type: int
    bad: bool = False


@dataclass
class _Unit:
    state: PollState = PollState.POWER_UP
    data: bytes = b""
    enabled: int = 0
    escrow: int = 0
    bill: int | None = None  # type in escrow / being stacked or returned
    steps: deque[tuple[PollState, bytes]] = field(default_factory=deque)
    waiting_ack: bool = False
    escrow_polls: int = 0


class SoftwareValidator:
    def __init__(self, *, part_number: str = "SM-RU1353-EMU", serial_number: str = "EMU0000001",
                 table: tuple[tuple[int, int, int], ...] = RUB_TABLE,
                 country: str = "RUS", credit_recovery: bool = True,
                 line: str = "auto") -> None:
        """``credit_recovery``: after a power cut while stacking, report the bill stacked
        once initialised (as CashCode firmware does); False: a unit that never says.
        ``line``: ``pty``, ``socket`` or ``auto`` (:func:`open_line`)."""
        self.part_number = part_number
        self.credit_recovery = credit_recovery
        self.serial_number = serial_number
        self.table = {bill_type: Decimal(digits).scaleb(power).quantize(Decimal("0.01"))
                      for bill_type, digits, power in table}
        self._table_bytes = bytearray(24 * 5)
        for bill_type, digits, power in table:
            self._table_bytes[bill_type * 5:bill_type * 5 + 5] = (
                bytes([digits]) + country.encode("ascii") + bytes([power]))
        self.cassette: list[Decimal] = []  # every bill stacked, in order
        self.returned: list[Decimal] = []  # every bill given back from escrow, in order
        self.rejected: list[Decimal | None] = []  # refused at the slot (None: not genuine)
        self.commands: list[Command] = []  # every command received, in order
        self._unit = _Unit()
        self._queue: deque[_Bill] = deque()
        self._lock = threading.Lock()
        self._silent = False
        self._event_answered = False  # the last answer was a POLL answer with an event
        self._jammed: PollState | None = None
        self._forced: tuple[PollState, bytes] | None = None
        self._lose_answer: PollState | None = None
        self._lose_ack: PollState | None = None
        self._line = open_line(line)
        self.path = self._line.path  # what the program opens with pyserial
        self._reader = FrameReader(commands=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="software-validator",
                                        daemon=True)

    # --- life ---------------------------------------------------------------------------
    def start(self) -> SoftwareValidator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._line.close()

    def __enter__(self) -> SoftwareValidator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what people do -------------------------------------------------------------------
    def bill_type(self, amount: Decimal | int | str) -> int:
        value = Decimal(amount).quantize(Decimal("0.01"))
        return next(t for t, v in self.table.items() if v == value)

    def insert(self, amount: Decimal | int | str) -> None:
        """A person puts a genuine bill of ``amount`` in."""
        with self._lock:
            self._queue.append(_Bill(self.bill_type(amount)))

    def insert_bad(self) -> None:
        """A bill the unit does not recognise: rejected, given back."""
        with self._lock:
            self._queue.append(_Bill(0, bad=True))

    def jam(self, where: str = "validator") -> None:
        with self._lock:
            self._jammed = (PollState.VALIDATOR_JAMMED if where == "validator"
                            else PollState.CASSETTE_JAMMED)

    def clear(self) -> None:
        """A technician clears a jam, empties or puts back the cassette."""
        with self._lock:
            self._jammed = None
            self._forced = None

    def fill_cassette(self) -> None:
        with self._lock:
            self._jammed = PollState.CASSETTE_FULL

    def remove_cassette(self) -> None:
        with self._lock:
            self._jammed = PollState.CASSETTE_OUT_OF_POSITION

    def force(self, state: PollState, data: bytes = b"") -> None:
        """Answer POLL with ``state`` until :meth:`clear` (a state the other methods do not
        reach: pause, cheated, busy, a failure code, holding)."""
        with self._lock:
            self._forced = (state, data)

    def lose_line(self, *, answer: PollState | None = None,
                  ack_of: PollState | None = None) -> None:
        """Noise eats one frame: the unit's next answer in state ``answer`` never reaches the
        controller, or the controller's ACK of the next answer in state ``ack_of`` never
        reaches the unit (which then says it again at the next POLL)."""
        with self._lock:
            self._lose_answer, self._lose_ack = answer, ack_of

    def unplug(self) -> None:
        """The cable is pulled: nothing answers."""
        self._silent = True

    def plug(self) -> None:
        self._silent = False

    def power_cut(self) -> None:
        """Power lost and back: a bill being stacked ends in the stacker unreported."""
        with self._lock:
            unit = self._unit
            in_stacker = (unit.state is PollState.STACKING
                          or (unit.state is PollState.STACKED and unit.waiting_ack))
            # the bill's place in :attr:`cassette` is taken when it is reported stacked: at
            # the power cut while stacking it is physically there but not yet reported
            if not self.credit_recovery:
                if unit.state is PollState.STACKING and unit.bill is not None:
                    self.cassette.append(self.table[unit.bill])  # there, and never reported
            elif unit.state is PollState.STACKED and unit.waiting_ack and unit.bill is not None:
                self.cassette.pop()  # reported again after the restart, counted once
            in_head = unit.state in (PollState.ACCEPTING, PollState.ESCROW)
            self._unit = _Unit(state=PollState.POWER_UP_BILL_IN_STACKER if in_stacker
                               else PollState.POWER_UP_BILL_IN_VALIDATOR if in_head
                               else PollState.POWER_UP,
                               bill=unit.bill if in_stacker else None)

    def noise(self, data: bytes) -> None:
        """Bytes on the line that no unit sent (interference)."""
        self._line.write(data)

    @property
    def state(self) -> PollState:
        return self._unit.state

    @property
    def enabled(self) -> set[Decimal]:
        """The bills the controller has enabled now."""
        return {value for bill_type, value in self.table.items()
                if self._unit.enabled & (1 << bill_type)}

    # --- the line ---------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            data = self._line.read(0.05)
            for frame in self._reader.feed(data):
                if self._silent:
                    continue
                with self._lock:
                    answer = self._answer(frame.code, frame.data)
                    if (answer is not None and self._lose_answer is not None
                            and frame.code == Command.POLL
                            and answer[3] == self._lose_answer):
                        self._lose_answer, answer = None, None  # lost on the line
                if answer is not None:
                    self._line.write(answer)

    def _answer(self, code: int | None, data: bytes) -> bytes | None:
        unit = self._unit
        if code == ACK:
            if self._lose_ack is not None and self._event_answered \
                    and unit.state is self._lose_ack:
                self._lose_ack, self._event_answered = None, False
                return None  # lost on the line: the event stays unacknowledged
            # an ACK is for the answer just given: an event is confirmed only by the ACK
            # that follows the POLL answer carrying it
            if unit.waiting_ack and self._event_answered:
                unit.waiting_ack = False
                self._after_ack()
            self._event_answered = False
            return None
        self._event_answered = False
        if code == NAK:
            return None
        try:
            command = Command(code or 0)
        except ValueError:
            return encode(None, bytes([ILLEGAL_COMMAND]))
        self.commands.append(command)
        if command is Command.POLL:
            return self._poll()
        if command is Command.RESET:
            steps = deque([(PollState.INITIALIZE, b"")] * 2)
            if (unit.state is PollState.POWER_UP_BILL_IN_STACKER and unit.bill is not None
                    and self.credit_recovery):
                # "credit recovery": after initialising, the bill cut off while stacking is
                # reported stacked, with its type (CCNET Document 1, p.39)
                steps.append((PollState.STACKED, bytes([unit.bill])))
            self._unit = _Unit(state=PollState.INITIALIZE, steps=steps, bill=unit.bill
                               if unit.state is PollState.POWER_UP_BILL_IN_STACKER else None)
            return encode(None, bytes([ACK]))
        if command is Command.IDENTIFICATION:
            return encode(None, self.part_number.encode().ljust(15)
                          + self.serial_number.encode().ljust(12) + bytes(7))
        if command is Command.GET_BILL_TABLE:
            return encode(None, bytes(self._table_bytes))
        if command is Command.GET_STATUS:
            return encode(None, unit.enabled.to_bytes(3, "big") + bytes(3))
        if command is Command.ENABLE_BILL_TYPES and len(data) == 6:
            unit.enabled = int.from_bytes(data[:3], "big")
            unit.escrow = int.from_bytes(data[3:], "big")
            return encode(None, bytes([ACK]))
        if command is Command.STACK and unit.state is PollState.ESCROW:
            unit.steps = deque([(PollState.STACKING, b"")])
            unit.state = PollState.STACKING
            return encode(None, bytes([ACK]))
        if command is Command.RETURN and unit.state is PollState.ESCROW:
            unit.steps = deque([(PollState.RETURNING, b"")])
            unit.state = PollState.RETURNING
            return encode(None, bytes([ACK]))
        if command is Command.HOLD and unit.state is PollState.ESCROW:
            unit.escrow_polls = 0
            return encode(None, bytes([ACK]))
        return encode(None, bytes([ILLEGAL_COMMAND]))

    def _poll(self) -> bytes:
        unit = self._unit
        if self._forced is not None:
            state, data = self._forced
            return encode(None, bytes([state]) + data)
        if unit.waiting_ack:  # our last event was not acknowledged: say it again
            self._event_answered = True
            return encode(None, bytes([unit.state]) + unit.data)
        if unit.state in (PollState.POWER_UP, PollState.POWER_UP_BILL_IN_STACKER,
                          PollState.POWER_UP_BILL_IN_VALIDATOR):
            return encode(None, bytes([unit.state]))
        self._step()
        if unit.state in (PollState.STACKED, PollState.RETURNED):
            unit.waiting_ack = self._event_answered = True
        return encode(None, bytes([unit.state]) + unit.data)

    def _step(self) -> None:
        """Where the unit is at this poll."""
        unit = self._unit
        if unit.steps:
            unit.state, unit.data = unit.steps.popleft()
            if unit.state is PollState.STACKING and not unit.steps:
                unit.steps.append((PollState.STACKED, bytes([unit.bill or 0])))
            elif unit.state is PollState.RETURNING and not unit.steps:
                unit.steps.append((PollState.RETURNED, bytes([unit.bill or 0])))
            if unit.state is PollState.STACKED and unit.bill is not None:
                self.cassette.append(self.table[unit.bill])
            elif unit.state is PollState.RETURNED and unit.bill is not None:
                self.returned.append(self.table[unit.bill])
            return
        if unit.state is PollState.ESCROW:
            unit.escrow_polls += 1
            if unit.escrow_polls > ESCROW_POLLS:
                unit.steps = deque([(PollState.RETURNING, b"")])
            return
        if self._jammed is not None:
            unit.state, unit.data = self._jammed, b""
            return
        ready = PollState.IDLING if unit.enabled else PollState.UNIT_DISABLED
        if unit.state in (PollState.STACKED, PollState.RETURNED, PollState.REJECTING):
            unit.bill = None
        if self._queue and unit.enabled:
            bill = self._queue.popleft()
            if bill.bad or not unit.enabled & (1 << bill.bill_type):
                reason = 0x65 if bill.bad else 0x68
                self.rejected.append(None if bill.bad else self.table[bill.bill_type])
                unit.steps = deque([(PollState.REJECTING, bytes([reason]))])
                unit.state, unit.data = PollState.ACCEPTING, b""
                return
            unit.bill = bill.bill_type
            unit.escrow_polls = 0
            unit.state, unit.data = PollState.ACCEPTING, b""
            unit.steps = deque([(PollState.ESCROW, bytes([bill.bill_type]))])
            return
        unit.state, unit.data = ready, b""

    def _after_ack(self) -> None:
        unit = self._unit
        if unit.state in (PollState.STACKED, PollState.RETURNED):
            unit.bill = None
