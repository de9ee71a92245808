"""The payment state machine. Pure data: which state may follow which.

    new → checking → checked → paying → paid | failed
    checking → check_failed (final error or no answer to check; the cashier may check again)
    new | checked | check_failed → cancelled (by the cashier, before pay)
    checked → qr_waiting → paid | failed | cancelled (QR СБП: the person pays a code)

``qr_waiting`` is left only by what the center says of the code (paid, expired, rejected) or
by a confirmed cancel: a code that may still be paid is watched until it cannot be.

``paying`` is left only by a final answer to pay: nothing a cashier or a restart does can
take a payment out of it. From ``paying`` on, the cash is counted as accepted.
"""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    NEW = "new"
    CHECKING = "checking"
    CHECKED = "checked"
    CHECK_FAILED = "check_failed"
    CANCELLED = "cancelled"
    PAYING = "paying"
    QR_WAITING = "qr_waiting"
    PAID = "paid"
    FAILED = "failed"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.CHECKING, State.CANCELLED}),
    State.CHECKING: frozenset({State.CHECKED, State.CHECK_FAILED, State.CANCELLED}),
    State.CHECKED: frozenset({State.PAYING, State.QR_WAITING, State.CHECKING,
                              State.CANCELLED}),
    State.CHECK_FAILED: frozenset({State.CHECKING, State.CANCELLED}),
    State.CANCELLED: frozenset(),
    State.PAYING: frozenset({State.PAID, State.FAILED}),
    State.QR_WAITING: frozenset({State.PAID, State.FAILED, State.CANCELLED}),
    State.PAID: frozenset(),
    State.FAILED: frozenset(),
}


#: The rules that depend on a payment's state, each written once (the engine, the windows,
#: the receipts, the reports and the CLI read them here).
#: Waiting for the center's final word: retried, shown «в обработке», never cancelled.
UNSETTLED: frozenset[State] = frozenset({State.PAYING, State.QR_WAITING})
#: Money taken from the person (cash in the drawer, or paid by QR), or on its way.
ACCEPTED: frozenset[State] = frozenset({State.PAYING, State.PAID})
#: Never reached pay, so nothing moved: a supervisor may void it.
VOIDABLE: frozenset[State] = frozenset({State.NEW, State.CHECKED, State.CHECK_FAILED})
#: Before any pay: a start-up cancels these when their program is gone.
BEFORE_PAY: tuple[State, ...] = (State.NEW, State.CHECKING, State.CHECKED)


def can_void(state: State) -> bool:
    """A payment in ``state`` may be voided: no pay was ever sent for it."""
    return state in VOIDABLE


#: A state as a cashier or a supervisor reads it (lists, exports).
STATE_TITLES: dict[State, str] = {
    State.NEW: "создан", State.CHECKING: "проверяется", State.CHECKED: "проверен",
    State.CHECK_FAILED: "не прошёл проверку", State.PAYING: "в обработке",
    State.QR_WAITING: "ждёт оплаты по QR", State.PAID: "оплачен", State.FAILED: "не проведён",
    State.CANCELLED: "отменён",
}


class IllegalTransition(RuntimeError):
    pass


def ensure_transition(current: State, target: State) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"payment cannot go from {current} to {target}")


def public_status(state: State) -> str:
    """The CLI's and the reports' word for a state: ``pending`` for ``paying``, else the
    state's own name (``paid``, ``failed``, ``check_failed``, ``cancelled``, …)."""
    return "pending" if state is State.PAYING else str(state)
