"""Every speed figure in one table, each beside its bare minimum and its target.

    ./scripts/bench            (or: .venv/bin/python -m benchmarks [--quick])

Runs each benchmark in a process of its own (``bench_payments``, ``bench_window``,
``bench_start``, ``bench_journal``, ``bench_acceptor``, ``bench_kiosk``, ``bench_frozen``; each
also runs alone and says what it measures) and prints one row per figure: ours | bare |
ratio | floor | target | met. The bare figure is the same work with nothing of ours in it (for
the built program: the same program from source); the ratio is what the program adds. The
floor, where there is one, is the least the same work can cost with what it may not drop —
the journal's own SQL statements and commits for the journal and payment rows, the libraries
the program is built on for the start rows — as a ratio to the bare figure: a floor above the
target is the measured reason that target cannot be met («no: floor»).
``--quick`` runs tiny sizes: it shows that everything runs, not how fast.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FULL: dict[str, list[str]] = {"bench_payments": [], "bench_window": [], "bench_start": [],
        "bench_journal": [], "bench_acceptor": [], "bench_kiosk": [], "bench_frozen": []}
QUICK = {"bench_payments": ["--writes", "20", "--payments", "5", "--pending", "20",
                            "--rounds", "1"],
         "bench_window": ["--services", "300", "--keystrokes", "10", "--forms", "3",
                          "--starts", "1"],
         "bench_start": ["--starts", "1"],
         "bench_journal": ["--payments", "2000"],
         "bench_acceptor": ["--bills", "5"],
         "bench_kiosk": ["--starts", "1", "--touches", "5"],
         "bench_frozen": ["--starts", "1"]}


def run(name: str, args: list[str]) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args, "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                          timeout=3600)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@dataclass(frozen=True)
class Row:
    what: str
    ours: str
    bare: str
    ratio: float | None
    target: str
    met: bool | None
    floor: float | None = None  # the floor's ratio to the bare figure
    floor_over: bool = False  # the floor itself misses the target

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "—"
        if self.met:
            return "yes"
        return "no: floor" if self.floor_over else "no"


def ratio_row(what: str, ours: float, bare: float, unit: str, target: float,
              *, fmt: str = "{:.2f}", bare_note: str = "", floor: float | None = None,
              extra: Callable[[float], bool] | None = None, extra_note: str = "") -> Row:
    """``floor``: the floor of the same work, in the unit of ``ours``."""
    ratio = ours / bare if bare else None
    met = ratio is not None and ratio <= target and (extra is None or extra(ours))
    floor_ratio = floor / bare if floor is not None and bare else None
    floor_over = floor_ratio is not None and floor is not None and (
        floor_ratio > target or (extra is not None and not extra(floor)))
    return Row(what, f"{fmt.format(ours)} {unit}", f"{fmt.format(bare)} {unit}{bare_note}",
               ratio, f"≤ {target:g}×{extra_note}", met, floor_ratio, floor_over)


def rows(f: dict[str, dict[str, Any]]) -> list[Row]:
    p, w, s, j = f["bench_payments"], f["bench_window"], f["bench_start"], f["bench_journal"]
    table = [
        ratio_row("journal state change, median", p["journal_ms"], p["bare_journal_ms"], "ms",
                  1.5, floor=p["floor_journal_ms"]),
        # per request: a payment is two requests (check, pay)
        ratio_row("check+pay flow, per request", 1000 / (2 * p["flow_per_s"]),
                  1000 / p["bare_post_per_s"], "ms", 1.3,
                  floor=1000 / (2 * p["floor_flow_per_s"])),
        # the lower of the two floors: the journal's SQL on the loop's thread or on its own
        ratio_row(f"resume {p['pending']} pending payments", p["resume_s"], p["bare_resume_s"],
                  "s", 1.3, floor=min(p["floor_resume_s"], p["floor_resume_thread_s"])),
    ]
    if s.get("measured"):
        table.append(ratio_row("start to first visible window (demo, Xvfb)", s["demo_start_s"],
                               s["bare_start_s"], "s", 3, extra=lambda v: v <= 0.8,
                               extra_note=" and ≤ 0.8 s", floor=s["libraries_start_s"]))
    else:
        table.append(Row("start to first visible window (demo, Xvfb)",
                         "not measured", f"missing {', '.join(s.get('missing', []))}",
                         None, "≤ 3× and ≤ 0.8 s", None))
    table += [
        ratio_row(f"start to usable window, {w['services']} services", w["start_s"],
                  w["bare_start_s"], "s", 3, floor=w["libraries_start_s"]),
        Row(f"filter per keystroke, worst ({w['services']})",
            f"{w['search_worst_ms']:.2f} ms", f"{w['bare_search_worst_ms']:.2f} ms",
            w["search_worst_ms"] / w["bare_search_worst_ms"], "≤ 8 ms",
            w["search_worst_ms"] <= 8),
        ratio_row("window RSS", w["rss_mb"], w["bare_rss_mb"], "MB", 2, fmt="{:.0f}",
                  floor=w["libraries_rss_mb"]),
        # the bare figure is the same reading and hashing: it is its own floor
        Row(f"journal verify, {j['payments']} rows", f"{j['verify_s']:.1f} s",
            f"{j['bare_verify_s']:.1f} s", j["verify_s"] / j["bare_verify_s"]
            if j["bare_verify_s"] else None, "≤ 3 s, with progress", j["verify_s"] <= 3,
            1.0, j["bare_verify_s"] > 3),
    ]
    a = f["bench_acceptor"]
    for what, key in (("banknote: stacked → journal commit", "commit"),
                      ("banknote: stacked → screen's listener", "listener")):
        table.append(Row(f"{what}, p99", f"{a[key + '_p99_ms']:.2f} ms",
                         f"{a['bare_commit_p99_ms']:.2f} ms (one durable insert)",
                         a[key + "_p99_ms"] / a["bare_commit_p99_ms"],
                         f"≤ poll {a['poll_ms']:.0f} ms", a[key + "_p99_ms"] < a["poll_ms"]))
    k = f["bench_kiosk"]
    if k.get("start_measured"):
        table.append(ratio_row("kiosk start to home screen (demo, Xvfb)", k["start_s"],
                               k["bare_start_s"], "s", 3, floor=k["libraries_start_s"]))
    else:
        table.append(Row("kiosk start to home screen (demo, Xvfb)", "not measured",
                         f"missing {', '.join(k.get('missing', []))}", None, "≤ 3×", None))
    table.append(ratio_row("kiosk touch to next screen, median", k["touch_median_ms"],
                           k["bare_touch_median_ms"], "ms", 3, extra=lambda v: v <= 50,
                           extra_note=" and ≤ 50 ms"))
    z = f["bench_frozen"]  # the built program beside the same from source
    table.append(ratio_row("frozen: start to usable window (demo)", z["frozen_usable_s"],
                           z["source_usable_s"], "s", 1.2, bare_note=" from source"))
    if z.get("visible_measured"):
        table.append(ratio_row("frozen: start to first visible window (demo, Xvfb)",
                               z["frozen_visible_s"], z["source_visible_s"], "s", 1.2,
                               bare_note=" from source"))
    else:
        table.append(Row("frozen: start to first visible window (demo, Xvfb)", "not measured",
                         "missing Xvfb or xdotool", None, "≤ 1.2×", None))
    table.append(ratio_row("frozen: folder size", z["folder_mb"], z["source_mb"], "MB", 1,
                           fmt="{:.0f}", bare_note=" source install"))
    return table


def render(table: list[Row]) -> str:
    header = ("what", "ours", "bare", "ratio", "floor", "target", "met")
    cells = [header] + [(r.what, r.ours, r.bare, f"{r.ratio:.1f}×" if r.ratio else "—",
                         f"{r.floor:.1f}×" if r.floor else "—", r.target, r.verdict)
                        for r in table]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a run check only")
    parser.add_argument("--json", action="store_true", help="every bench's figures as JSON")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    figures = {}
    for name, options in plan.items():
        print(f"running {name}…", file=sys.stderr, flush=True)
        figures[name] = run(name, options)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(render(rows(figures)))


if __name__ == "__main__":
    main()
