"""A full disk under a real ``cashier-app``, on a real small filesystem.

Run by tests/e2e/test_disk_full.py as ``unshare --mount python disk_full_scenario.py URL DIR``:
in its own mount namespace it mounts an 8 MiB tmpfs as the data directory (nothing outside
the namespace sees it), then plays the scenarios below with real ``cashier-app`` processes
against the emulator at URL and prints what happened as one JSON object.

* **in flight**: ``pay`` stops itself right after the center's answer arrived (failpoint
  ``after-pay-answer:stop``); the disk is filled; the process goes on and cannot record the
  answer. Then the disk is freed and ``recover`` finishes the payment.
* **before**: the disk is still full when the next ``pay`` starts: it must refuse its own
  payment before anything is sent (its start-up recovery may finish the first one, if SQLite
  finds room in the pages its files already hold).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.helpers import CASHIER, CLI, PINS, TOKEN, as_cashier, base_env, cli


def fill(directory: Path) -> Path:
    """Write zeros until the filesystem says ENOSPC; returns the filler file."""
    filler = directory / "filler.bin"
    chunk = b"\0" * 65536
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


def wait_stopped(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        if state == "T":
            return
        time.sleep(0.05)
    raise AssertionError("pay never reached the failpoint")


def main() -> int:
    url, folder = sys.argv[1], Path(sys.argv[2])
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(data)], check=True)
    env = base_env(folder, CASHIER_PROCESSING_URL=url, CASHIER_PROCESSING_TOKEN=TOKEN,
                   CASHIER_PROCESSING_TIMEOUT="5", CASHIER_RETRY_INITIAL="0.05",
                   CASHIER_RETRY_MAX="0.2")
    outcome: dict[str, object] = {}
    opened = as_cashier("shift", "open", env=env)
    outcome["shift"] = [opened.returncode, opened.stderr]

    # in flight: the answer is in memory when the disk fills up
    pay = subprocess.Popen(
        [*CLI, "pay", "--service", "P1011", "--account", "9057770001", "--amount", "150.00",
         "--cashier", CASHIER, "--json", "--wait", "5"],
        env={**env, "CASHIER_FAILPOINT": "after-pay-answer:stop"}, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert pay.stdin is not None
    pay.stdin.write(f"{PINS[CASHIER]}\n")
    pay.stdin.flush()
    wait_stopped(pay.pid)
    filler = fill(data)
    os.kill(pay.pid, signal.SIGCONT)
    out, err = pay.communicate(timeout=60)
    outcome["in_flight"] = [pay.returncode, out, err]
    # the disk is still full: a new payment is refused before anything is sent
    before = as_cashier("pay", "--service", "P1011", "--account", "9057770002",
                        "--amount", "50.00", "--json", env=env)
    outcome["before"] = [before.returncode, before.stdout, before.stderr]
    filler.unlink()
    recovered = cli("recover", "--json", "--wait", "20", env=env)
    outcome["recover"] = [recovered.returncode, recovered.stdout, recovered.stderr]
    verify = cli("journal", "verify", env=env)
    outcome["verify"] = [verify.returncode, verify.stdout, verify.stderr]
    listed = cli("journal", "--format", "json", env=env)
    outcome["journal"] = [listed.returncode, listed.stdout, listed.stderr]
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
