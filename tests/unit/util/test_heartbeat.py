"""The kiosk's heartbeat file: what ``beat()`` writes, ``last_beat`` reads back, and a beat
that cannot be written (a full disk, a missing folder) never raises."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from cashier_app.util.heartbeat import HEARTBEAT_ENV, Heartbeat, last_beat


def test_beat_writes_the_time_and_pid_that_last_beat_reads(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.heartbeat"
    assert last_beat(path) is None
    before = time.time()
    heartbeat = Heartbeat(path)
    heartbeat.beat()
    moment = last_beat(path)
    assert moment is not None and before <= moment <= time.time()
    assert path.read_text(encoding="ascii").split()[1] == str(os.getpid())
    time.sleep(0.01)
    heartbeat.beat()
    again = last_beat(path)
    assert again is not None and again > moment
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.heartbeat"]  # no temp file left
    assert heartbeat.interval == 2.0 and HEARTBEAT_ENV == "CASHIER_HEARTBEAT"


@pytest.mark.parametrize("content", [b"", b"\n", b"garbage 12", b"nan 1", b"inf", b"\xff\xfe",
                                     b"12,5 7"])
def test_garbage_is_no_beat(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kiosk.heartbeat"
    path.write_bytes(content)
    assert last_beat(path) is None


def test_a_directory_is_no_beat(tmp_path: Path) -> None:
    assert last_beat(tmp_path) is None


def test_an_unwritable_place_warns_once_and_never_raises(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    heartbeat = Heartbeat(blocker / "kiosk.heartbeat")
    with caplog.at_level(logging.INFO, logger="cashier_app.util.heartbeat"):
        for _ in range(3):
            heartbeat.beat()
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "cannot write" in warnings[0].getMessage()
        blocker.unlink()
        blocker.mkdir()  # the disk has room again
        heartbeat.beat()
    assert last_beat(blocker / "kiosk.heartbeat") is not None
    assert any("again" in r.getMessage() for r in caplog.records)
