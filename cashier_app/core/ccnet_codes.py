"""CCNET command codes, answers and the states a bill validator reports to POLL.

The codes are those of CashCode's "CCNET Document 1, Common Specifications" (Rev 2.6.0,
2014: commands p.12–14, POLL answers p.39–40), cross-checked with public drivers:
desionlab/node-cashcode-bv ``src/Const.ts`` (MIT), dimoniche/Service
``ServiceSaleMachine.Drivers/CCNET/CCRSProtocol.cs`` and Esp23/parkomat ``BillValidator.py``.
(The failure codes of optic, magnetic and capacitance channels are 0x55, 0x56, 0x5F as the
specification gives them; one of those drivers has them wrong.)
Each state has a Russian text for the person at the terminal's service screen and the log.
"""

from __future__ import annotations

from enum import IntEnum


class Command(IntEnum):
    RESET = 0x30
    GET_STATUS = 0x31
    SET_SECURITY = 0x32
    POLL = 0x33
    ENABLE_BILL_TYPES = 0x34
    STACK = 0x35
    RETURN = 0x36
    IDENTIFICATION = 0x37
    HOLD = 0x38
    GET_BILL_TABLE = 0x41
    REQUEST_STATISTICS = 0x60


ACK = 0x00
NAK = 0xFF
#: the peripheral's answer to a command it does not take in its present state
ILLEGAL_COMMAND = 0x30


class PollState(IntEnum):
    POWER_UP = 0x10
    POWER_UP_BILL_IN_VALIDATOR = 0x11
    POWER_UP_BILL_IN_STACKER = 0x12
    INITIALIZE = 0x13
    IDLING = 0x14
    ACCEPTING = 0x15
    STACKING = 0x17
    RETURNING = 0x18
    UNIT_DISABLED = 0x19
    HOLDING = 0x1A
    DEVICE_BUSY = 0x1B
    REJECTING = 0x1C
    CASSETTE_FULL = 0x41
    CASSETTE_OUT_OF_POSITION = 0x42
    VALIDATOR_JAMMED = 0x43
    CASSETTE_JAMMED = 0x44
    CHEATED = 0x45
    PAUSE = 0x46
    FAILURE = 0x47
    ESCROW = 0x80
    STACKED = 0x81
    RETURNED = 0x82


STATE_TEXT = {
    PollState.POWER_UP: "включение",
    PollState.POWER_UP_BILL_IN_VALIDATOR: "включение: в приёмнике купюра",
    PollState.POWER_UP_BILL_IN_STACKER: "включение: купюра в укладчике",
    PollState.INITIALIZE: "инициализация",
    PollState.IDLING: "ожидает купюру",
    PollState.ACCEPTING: "принимает купюру",
    PollState.STACKING: "укладывает купюру",
    PollState.RETURNING: "возвращает купюру",
    PollState.UNIT_DISABLED: "приём выключен",
    PollState.HOLDING: "держит купюру",
    PollState.DEVICE_BUSY: "занят",
    PollState.REJECTING: "отказ в приёме купюры",
    PollState.CASSETTE_FULL: "кассета заполнена",
    PollState.CASSETTE_OUT_OF_POSITION: "кассета снята",
    PollState.VALIDATOR_JAMMED: "купюра застряла в приёмнике",
    PollState.CASSETTE_JAMMED: "купюра застряла в кассете",
    PollState.CHEATED: "попытка обмана",
    PollState.PAUSE: "пауза: вторая купюра до конца приёма первой",
    PollState.FAILURE: "неисправность",
    PollState.ESCROW: "купюра на проверке",
    PollState.STACKED: "купюра уложена",
    PollState.RETURNED: "купюра возвращена",
}

#: states in which the unit cannot take money until somebody acts (a technician, a new
#: cassette): the kiosk shows its out-of-service screen
FAULTS = frozenset({PollState.CASSETTE_FULL, PollState.CASSETTE_OUT_OF_POSITION,
                    PollState.VALIDATOR_JAMMED, PollState.CASSETTE_JAMMED,
                    PollState.CHEATED, PollState.FAILURE})

REJECT_REASON = {
    0x60: "купюра вставлена неправильно",
    0x61: "магнитный датчик",
    0x62: "в головке осталась купюра",
    0x63: "две купюры сразу",
    0x64: "ошибка протяжки",
    0x65: "купюра не распознана",
    0x66: "купюра не прошла проверку",
    0x67: "оптический датчик",
    0x68: "этот номинал сейчас не принимается",
    0x69: "ёмкостной датчик",
    0x6A: "ошибка работы",
    0x6C: "неверная длина купюры",
    0x6D: "ультрафиолетовый датчик",
}

FAILURE_REASON = {
    0x50: "мотор укладчика",
    0x51: "скорость транспортного мотора",
    0x52: "транспортный мотор",
    0x53: "выравнивающий мотор",
    0x54: "исходное положение кассеты",
    0x55: "оптический канал",
    0x56: "магнитный канал",
    0x57: "операционная система",
    0x58: "карта памяти",
    0x59: "внутренняя связь (DPLINK)",
    0x5A: "шина I2C",
    0x5B: "шина SPI",
    0x5C: "второй процессор",
    0x5F: "ёмкостной канал",
}


def state_text(state: PollState, data: bytes = b"") -> str:
    """The state in words, with its reason where the unit gives one."""
    text = STATE_TEXT[state]
    if state is PollState.REJECTING and data:
        return f"{text}: {REJECT_REASON.get(data[0], f'причина 0x{data[0]:02X}')}"
    if state is PollState.FAILURE and data:
        return f"{text}: {FAILURE_REASON.get(data[0], f'код 0x{data[0]:02X}')}"
    return text
