from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cashier_app.journal.ids import EPOCH, MAX_ID, IdAllocator

NOW = EPOCH + 7 * 365 * 24 * 3600  # late 2026


def test_id_layout(tmp_path: Path) -> None:
    allocator = IdAllocator(tmp_path / "hwm", 7, clock=lambda: EPOCH + 12.345)
    first, second = allocator.allocate(), allocator.allocate()
    assert first == 12345 * 10**6 + 7 * 10**4
    assert second == first + 1  # same millisecond: the sequence grows
    # the mark on disk is a reservation ten seconds ahead, written before the first id
    assert (tmp_path / "hwm").read_text().strip() == str(22345 * 10**6 + 7 * 10**4)


def test_one_disk_write_reserves_ten_seconds_of_ids(tmp_path: Path) -> None:
    clock = [NOW]
    allocator = IdAllocator(tmp_path / "hwm", 1, clock=lambda: clock[0])
    writes: list[int] = []
    original = allocator._write_hwm
    allocator._write_hwm = lambda value: (writes.append(value), original(value))  # type: ignore[method-assign]
    for _ in range(200):
        allocator.allocate()
        clock[0] += 0.01  # two seconds of payments
    assert len(writes) == 1
    clock[0] += 10
    allocator.allocate()  # past the reservation: a new one
    assert len(writes) == 2


@settings(max_examples=40, deadline=None)
@given(order=st.lists(st.tuples(st.booleans(), st.floats(0, 3000)), min_size=2, max_size=60))
def test_two_programs_on_one_mark_never_issue_the_same_id(
        tmp_path_factory: pytest.TempPathFactory, order: list[tuple[bool, float]]) -> None:
    """A window and a command allocating in turns from one data directory, each with its own
    reservation: the ids of both together are all different."""
    folder = tmp_path_factory.mktemp("two")
    clock = [NOW]
    programs = [IdAllocator(folder / "hwm", 1, clock=lambda: clock[0]) for _ in range(2)]
    issued: list[int] = []
    for second, jump_ms in order:
        clock[0] += jump_ms / 1000
        issued.append(programs[int(second)].allocate())
    assert len(issued) == len(set(issued))


def test_eighteen_digits_until_2051(tmp_path: Path) -> None:
    allocator = IdAllocator(tmp_path / "hwm", 99, clock=lambda: EPOCH + 31.6 * 365.25 * 86400)
    assert len(str(allocator.allocate())) == 18


def test_deleted_journal_and_hwm_cannot_repeat_an_id(tmp_path: Path) -> None:
    clock = [NOW]
    first = IdAllocator(tmp_path / "hwm", 1, clock=lambda: clock[0]).allocate()
    (tmp_path / "hwm").unlink()  # everything lost; time went on
    clock[0] += 0.001
    assert IdAllocator(tmp_path / "hwm", 1, clock=lambda: clock[0]).allocate() > first


def test_clock_going_back_with_a_restored_journal(tmp_path: Path) -> None:
    issued = IdAllocator(tmp_path / "hwm", 1, clock=lambda: NOW).allocate()
    # the hwm file survived, the clock jumped back a day, the journal came from an old backup
    again = IdAllocator(tmp_path / "hwm", 1, floor=0, clock=lambda: NOW - 86400).allocate()
    assert again > issued
    # the hwm file is gone but the journal still knows the largest id
    (tmp_path / "hwm").unlink()
    later = IdAllocator(tmp_path / "hwm", 1, floor=again, clock=lambda: NOW - 86400).allocate()
    assert later > again


def test_point_number_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        IdAllocator(tmp_path / "hwm", 100)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.tuples(st.floats(-5000, 5000), st.booleans(), st.booleans()),
                      min_size=1, max_size=40),
       point=st.integers(0, 99))
def test_ids_always_grow_and_keep_their_shape(tmp_path_factory: pytest.TempPathFactory,
                                              steps: list[tuple[float, bool, bool]],
                                              point: int) -> None:
    """Whatever the clock does and whatever is lost between runs (hwm file, journal floor),
    as long as one of the two survives, ids only grow, have ≤18 digits and our point digits."""
    folder = tmp_path_factory.mktemp("ids")
    clock = [NOW]
    issued: list[int] = []
    for jump_ms, lose_hwm, restart in steps:
        clock[0] += jump_ms / 1000
        floor = issued[-1] if issued else 0
        if lose_hwm and (folder / "hwm").exists():
            (folder / "hwm").unlink()  # the journal (floor) survives
        elif restart:
            floor = 0  # an old journal backup; the hwm file survives
        allocator = IdAllocator(folder / "hwm", point, floor=floor, clock=lambda: clock[0])
        for _ in range(3):
            issued.append(allocator.allocate())
    assert issued == sorted(set(issued))
    assert all(0 < i <= MAX_ID for i in issued)
    assert all((i // 10**4) % 100 == point for i in issued)
