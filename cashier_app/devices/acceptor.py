"""What the kiosk needs of a bill acceptor, whatever its protocol (CCNET today; ID003 or eSSP
can be added beside it): start it, say which bills it may take, decide on a bill in escrow,
and hear what happens. Everything the unit reports arrives as one of the events below, in
order, through one callback; a bill exists for the program only as :class:`Stacked`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Denomination:
    """One line of the unit's bill table: its type number (0–23 in CCNET) and value."""

    bill_type: int
    amount: Decimal
    currency: str  # ISO letters as the unit reports them ("RUB", "KZT")


@dataclass(frozen=True)
class Identity:
    part_number: str
    serial_number: str
    asset_number: str = ""


# --- events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StateChanged:
    """The unit's state in words (Russian), and whether it is out of service."""

    code: str  # e.g. "idling", "validator_jammed"
    text: str
    fault: bool = False


@dataclass(frozen=True)
class Escrowed:
    """A bill is held for a decision: :meth:`BillAcceptor.stack` or ``return_bill``."""

    bill: Denomination


@dataclass(frozen=True)
class Stacked:
    """The unit reports the bill in the cassette: money taken. ``at_power_up``: reported by
    a unit that lost power while stacking (its type is the one sent to stacking)."""

    bill: Denomination
    at_power_up: bool = False


@dataclass(frozen=True)
class Returned:
    bill: Denomination | None


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class LinkLost:
    """No answer from the unit (a cable pulled, a unit switched off)."""

    text: str


@dataclass(frozen=True)
class LinkRestored:
    identity: Identity | None


AcceptorEvent = (StateChanged | Escrowed | Stacked | Returned | Rejected | LinkLost
                 | LinkRestored)
Listener = Callable[[AcceptorEvent], Awaitable[None]]


class AcceptorError(Exception):
    """The unit cannot be reached or refuses; ``str()`` is Russian."""


class BillAcceptor(Protocol):
    identity: Identity | None
    bill_table: tuple[Denomination, ...]
    #: what the unit said at :meth:`start`, before it was reset (``power_up_bill_in_stacker``,
    #: ``stacked``, ``escrow``…): how the cash session resolves a bill it had sent to stacking
    found_at_start: str | None

    async def start(self, listener: Listener) -> None:
        """Open the port, reset the unit, read its identity and bill table, start polling
        with every bill disabled; events go to ``listener``, which the driver awaits (a
        :class:`Stacked` is acknowledged to the unit only after the listener returns)."""

    async def enable(self, bill_types: Collection[int]) -> None:
        """Accept only these bill types from now on (empty: accept nothing)."""

    async def stack(self) -> None:
        """Take the bill in escrow."""

    async def return_bill(self) -> None:
        """Give the bill in escrow back to the person."""

    async def close(self) -> None:
        """Disable the unit and release the port."""
