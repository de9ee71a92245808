"""The benchmark still runs (tiny sizes; speed is judged by people reading its output)."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_benchmark_runs_and_reports_each_figure_with_its_baseline() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench_payments", "--writes", "5",
                             "--payments", "3", "--pending", "5"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    lines = result.stdout.strip().splitlines()
    assert [line.split(",")[0].split(" ")[0] for line in lines] == ["journal", "check+pay",
                                                                    "resume"]
    assert all("|" in line and "bare" in line for line in lines)


def test_window_benchmark_runs_and_reports_each_figure() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench_window", "--services", "300",
                             "--keystrokes", "10", "--forms", "3", "--starts", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=180, check=True)
    lines = result.stdout.strip().splitlines()[-4:]
    assert [line.split(" ")[0] for line in lines] == ["start", "search", "form", "resident"]
    assert "(300 services)" in lines[0]
    assert all("|" in line for line in lines)


@pytest.mark.timeout(600)  # it builds the frozen program too (bench_frozen): a minute or more
def test_summary_puts_every_figure_beside_its_bare_one_and_target() -> None:
    """``./scripts/bench`` prints one table: a row per figure of the speed targets."""
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=True)
    lines = result.stdout.strip().splitlines()
    header = [cell.strip() for cell in lines[0].split("|")]
    assert header == ["what", "ours", "bare", "ratio", "floor", "target", "met"]
    rows = [[cell.strip() for cell in line.split("|")] for line in lines[2:]]
    assert [row[0].split(",")[0] for row in rows] == [
        "journal state change", "check+pay flow", "resume 20 pending payments",
        "start to first visible window (demo", "start to usable window",
        "filter per keystroke", "window RSS", "journal verify",
        "banknote: stacked → journal commit", "banknote: stacked → screen's listener",
        "kiosk start to home screen (demo", "kiosk touch to next screen",
        "frozen: start to usable window (demo)", "frozen: start to first visible window (demo",
        "frozen: folder size"]
    for row in rows:
        assert len(row) == 7 and row[1] and row[2] and row[5].startswith("≤")
        assert row[6] in ("yes", "no", "no: floor") or row[1] == "not measured"
    floors = {row[0].split(",")[0]: row[4] for row in rows}
    for measured_floor in ("journal state change", "check+pay flow", "resume 20 pending payments",
                           "start to usable window", "window RSS", "journal verify"):
        assert floors[measured_floor].endswith("×"), (measured_floor, floors)
