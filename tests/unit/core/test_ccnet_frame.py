"""CCNET frames byte for byte: the CRC, the frames the specification and public drivers
print, and a reader that survives whatever the line brings without ever inventing a frame."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_app.core.ccnet_codes import ACK, NAK, Command, PollState, state_text
from cashier_app.core.ccnet_frame import Frame, FrameReader, crc16, encode


def test_crc_is_ccnets_kermit_kind() -> None:
    assert crc16(b"123456789") == 0x2189  # CRC-16/KERMIT check value: poly 0x8408, init 0


def test_frames_as_printed_by_the_sources() -> None:
    assert encode(Command.POLL).hex(" ") == "02 03 06 33 da 81"
    assert encode(Command.RESET).hex(" ") == "02 03 06 30 41 b3"
    assert encode(None, bytes([ACK])).hex(" ") == "02 03 06 00 c2 82"
    assert encode(None, bytes([NAK])).hex(" ") == "02 03 06 ff ba 8d"
    # ENABLE BILL TYPES for types 2 and 3, all to escrow: 6 data bytes, LNG 0x0C
    frame = encode(Command.ENABLE_BILL_TYPES, bytes([0, 0, 0x0C, 0, 0, 0x0C]))
    assert frame[:4] == bytes([0x02, 0x03, 0x0C, 0x34]) and len(frame) == 0x0C


def test_an_answer_with_a_state_and_its_data() -> None:
    frames = FrameReader().feed(encode(None, bytes([PollState.STACKED, 2])))
    assert frames == [Frame(3, bytes([0x81, 2]))]
    assert frames[0].code == PollState.STACKED and frames[0].data == b"\x02"


def test_extended_length_sits_after_the_command_in_a_command_only() -> None:
    data = bytes(range(256)) * 2
    command = encode(Command.GET_BILL_TABLE, data)
    answer = encode(None, data)
    assert command[2] == 0 and command[3] == Command.GET_BILL_TABLE
    assert int.from_bytes(command[4:6], "big") == len(command)
    assert answer[2] == 0 and int.from_bytes(answer[3:5], "big") == len(answer)
    assert FrameReader(commands=True).feed(command) == [
        Frame(3, bytes([Command.GET_BILL_TABLE]) + data)]
    assert FrameReader().feed(answer) == [Frame(3, data)]


def test_reader_resynchronises_after_noise_cut_frames_and_bad_crc() -> None:
    reader = FrameReader()
    poll_answer = encode(None, bytes([PollState.IDLING]))
    broken = bytearray(encode(None, bytes([PollState.STACKED, 3])))
    broken[4] ^= 0x01  # one bit flipped on the line: type 3 would read as type 2
    stream = b"\xff\x02\x00\x13" + bytes(broken) + poll_answer[:3]
    assert reader.feed(stream) == []
    assert reader.feed(poll_answer[3:]) == [Frame(3, bytes([PollState.IDLING]))]
    assert reader.bad_crc == 1 and reader.dropped > 0


NOISE = st.binary(max_size=12).map(lambda b: b.replace(b"\x02", b"\x55"))  # no SYNC in it


@given(st.lists(st.one_of(
    NOISE.map(lambda b: ("noise", b)),
    st.tuples(st.sampled_from(list(PollState)), st.binary(max_size=2)).map(
        lambda t: ("frame", encode(None, bytes([t[0]]) + t[1])))), max_size=20),
    st.integers(1, 7))
def test_noise_between_frames_costs_no_frame_and_adds_none(parts: list[tuple[str, bytes]],
                                                            chunk: int) -> None:
    """Noise between frames, the stream cut anywhere: exactly the frames sent come out, in
    order — the reader loses none and invents none."""
    stream = b"".join(data for _, data in parts)
    reader = FrameReader()
    out = []
    for start in range(0, len(stream), chunk):
        out += reader.feed(stream[start:start + chunk])
    sent = [data for kind, data in parts if kind == "frame"]
    assert [encode(None, frame.body) for frame in out] == sent


@given(st.lists(st.tuples(st.sampled_from(list(PollState)), st.binary(max_size=3)),
                min_size=1, max_size=10), st.integers(1, 9))
def test_frames_split_anywhere_are_all_read_in_order(states: list[tuple[PollState, bytes]],
                                                     chunk: int) -> None:
    frames = [encode(None, bytes([state]) + data) for state, data in states]
    stream = b"".join(frames)
    reader = FrameReader()
    out = []
    for start in range(0, len(stream), chunk):
        out += reader.feed(stream[start:start + chunk])
    assert [frame.body for frame in out] == [bytes([s]) + d for s, d in states]


def test_states_have_russian_words_with_their_reasons() -> None:
    assert state_text(PollState.REJECTING, b"\x68") == (
        "отказ в приёме купюры: этот номинал сейчас не принимается")
    assert state_text(PollState.FAILURE, b"\x55") == "неисправность: оптический канал"
    assert state_text(PollState.FAILURE, b"\x99") == "неисправность: код 0x99"
    assert all(state_text(state) for state in PollState)


@pytest.mark.parametrize("command", list(Command), ids=[c.name for c in Command])
def test_every_command_frame_is_read_back_by_the_unit(command: Command) -> None:
    """SYNC, the validator's address, LNG 6, the command, its CRC low byte first — as the
    unit's side of the line reads it."""
    frame = encode(command)
    assert frame[:4] == bytes([0x02, 0x03, 0x06, command])
    crc = crc16(frame[:4])
    assert frame[4:] == bytes([crc & 0xFF, crc >> 8])
    assert FrameReader(commands=True).feed(frame) == [Frame(3, bytes([command]))]


def test_an_answer_for_another_address_is_not_ours() -> None:
    """A Bill-to-Bill unit (address 1) on the same line: its answers are not this unit's."""
    assert FrameReader().feed(encode(None, bytes([PollState.STACKED, 2]), address=1)) == []
