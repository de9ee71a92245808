"""Leases of running programs on one data directory: many programs starting at once all get
theirs (a start-up sweep never takes a just-created lock), a gone program's file is swept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from cashier_app.journal.leases import InstanceLease

STARTER = """
import sys
from pathlib import Path
from cashier_app.journal.leases import InstanceLease
for _ in range(25):
    lease = InstanceLease(Path(sys.argv[1]), "cli")
    lease.release()
print("ok")
"""


def test_many_programs_starting_at_once_each_get_their_lease(tmp_path: Path) -> None:
    running = [subprocess.Popen([sys.executable, "-c", STARTER, str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(8)]
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and out.strip() == "ok", err[-1500:]


def test_an_old_file_of_a_gone_program_is_swept_a_young_one_left(tmp_path: Path) -> None:
    folder = tmp_path / "instances"
    folder.mkdir()
    old, young = folder / "cli-1-0000aaaa.lock", folder / "cli-2-0000bbbb.lock"
    old.write_bytes(b"")
    young.write_bytes(b"")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    lease = InstanceLease(tmp_path, "test")
    assert not old.exists() and young.exists()
    lease.release()
