"""Several processes writing one journal file at once, as a window and commands do: writes
wait for each other (immediate transactions) instead of failing with «database is locked», and
every row lands sealed in one unbroken chain. Real processes, real file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cashier_app.journal import Journal
from cashier_app.journal.chain import verify

WRITER = """
import sys
from pathlib import Path
from cashier_app.core.states import State
from cashier_app.journal import Attempt, IdAllocator, Journal
from cashier_app.journal.leases import InstanceLease

folder = Path(sys.argv[1])
lease = InstanceLease(folder, "test")
journal = Journal(folder / "journal.sqlite3", lease=lease)
ids = IdAllocator(folder / "hwm", 1)
for _ in range(int(sys.argv[2])):
    tx_id = ids.allocate()
    journal.create(agent_transaction_id=tx_id, service_id="P1011", service_name="Билайн",
                   scheme="simple", account="9051234567",
                   agent_transaction_date="2026-11-23T10:00:00", check_body=b"{}")
    journal.transition(tx_id, State.CHECKING)
    attempt = Attempt(tx_id, "check", "2026-11-23T10:00:00.000", 5, "answer", 0, "ok")
    journal.transition(tx_id, State.CHECKED, expect=State.CHECKING, attempt=attempt)
    journal.update(tx_id, expect=State.CHECKED, result_message="проверен")
    journal.audit("тест", "cashier", "note", str(tx_id))
journal.close()
lease.release()
print("done")
"""


def test_four_processes_write_at_once_without_locked_errors(tmp_path: Path) -> None:
    Journal(tmp_path / "journal.sqlite3").close()  # the schema, as the first start makes it
    per_process, processes = 40, 4
    running = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(per_process)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(processes)]
    outcomes = [process.communicate(timeout=120) for process in running]
    for process, (out, err) in zip(running, outcomes, strict=True):
        assert process.returncode == 0 and out.strip() == "done", err[-2000:]
        assert "locked" not in err and "Traceback" not in err
    journal = Journal(tmp_path / "journal.sqlite3")
    rows = journal.db.execute("select count(distinct agent_transaction_id), count(*), "
                              "count(distinct owner) from payments").fetchone()
    assert tuple(rows) == (processes * per_process, processes * per_process, processes)
    outcome = verify(journal)
    assert outcome.ok, [problem.message for problem in outcome.problems[:5]]
    journal.close()
