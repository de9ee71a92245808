"""Shared fixtures. Qt runs offscreen; a skipped test fails the run (see pytest_sessionfinish).

The tests are laid out by what they touch: ``unit/`` (no sockets: pure functions, a real
journal file, the client on a fake transport answering with the seed's examples),
``integration/`` (clients, engine and printers against the emulators over loopback),
``gui/`` (pytest-qt offscreen: widgets, flows and whole windows), ``e2e/`` (the program's
processes: CLI, SIGKILL crash tests) and ``project/`` (the repository's own rules: import
layers, the README's commands, the benchmarks run), ``packaging/`` (the program built,
installed from its package, run and removed). Each directory's tests get its marker
automatically (``pytest -m "not gui"``)."""

from __future__ import annotations

import json
import os
from pathlib import Path as _Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # the offscreen screen is 800x800 unless told otherwise; the GUI tests (and the README's
    # screenshots) run on the screen points have: 1366x768
    _screen = _Path(os.getcwd(), ".pytest_cache", "offscreen-1366x768.json")
    _screen.parent.mkdir(exist_ok=True)
    _screen.write_text(json.dumps({"screens": [{
        "name": "point", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96,
        "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(os.getcwd(), ".pytest_cache"))

from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_app.emulator import EmulatorServer, ProcessingCenter, load_catalog

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_FIXTURES = FIXTURES / "seed"
ARTIFACTS = ROOT / "artifacts"
TOKEN = "test-token-5f1c"

_skipped: list[str] = []


def seed_bytes(name: str) -> bytes:
    return (SEED_FIXTURES / f"{name}.json").read_bytes()


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(ProcessingCenter(load_catalog()), token=TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def screenshots() -> Path:
    # scripts/screenshots points this at docs/screenshots (committed, shown in the README)
    path = Path(os.environ.get("CASHIER_SCREENSHOTS", ARTIFACTS / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


LAYOUT = ("unit", "integration", "gui", "e2e", "project", "packaging")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by its directory, so a marker never has to be remembered by hand."""
    tests = Path(__file__).resolve().parent
    for item in items:
        parts = Path(str(item.path)).resolve().relative_to(tests).parts
        if parts and parts[0] in LAYOUT:
            item.add_marker(parts[0])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A skipped test (a GUI suite without a display library, say) is a defect, not a pass.
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} test(s) were skipped; skipped tests fail this suite:",
            red=True,
        )
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}", red=True)
