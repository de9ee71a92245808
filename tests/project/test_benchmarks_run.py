"""The benchmark still runs (tiny sizes; speed is judged by people reading its output)."""

import subprocess
import sys

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
