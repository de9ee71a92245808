"""The built program beside the same program from source: start and size.

- **Start to a usable window:** ``--demo --smoke-screenshot`` (offscreen): from the process's
  launch until the window has its catalog and the agent's balance on screen, the picture is
  saved and the process has ended — the frozen executable, then ``python -m cashier_app``
  from this source tree. The same work both ways, only the packaging differs.
- **Start to the first visible window** (Xvfb, watched by ``xdotool`` as in ``bench_start``),
  both ways, where an X server and xdotool are available.
- **Size:** the frozen folder (interpreter, libraries, Qt, the program) beside what a source
  install adds to a machine that already has Python: the program and every distribution it
  requires at run time, as pip installed them (the size of their recorded files).

The folder is built first into a temporary directory from this tree (about half a minute, not
timed), so the figures are never of an older build; ``--folder DIR`` times one built before.

Run: ``python -m benchmarks.bench_frozen [--starts 5] [--folder DIR] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.bench_start import DEMO_TITLE, time_to_window, tools_missing, x_server

ROOT = Path(__file__).resolve().parents[1]


def build(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--no-deb", "--out",
                    str(out), "--work", str(out / "work")], check=True, capture_output=True,
                   cwd=ROOT, timeout=900)
    return out / "cashier-app"


def time_to_usable(command: list[str], picture: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASHIER_")}
    env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    done = subprocess.run([*command, "--demo", "--smoke-screenshot", str(picture)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} --demo --smoke-screenshot: exit {done.returncode}: "
                           f"{done.stderr[-2000:]}")
    return elapsed


def tree_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def source_install_size(name: str = "cashier-app") -> int:
    """The recorded files of ``name`` and of every distribution it needs at run time."""
    seen: set[str] = set()
    total = 0
    queue = [name]
    while queue:
        wanted = re.split(r"[\s\[<>=!~;(]", queue.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if wanted in seen:
            continue
        seen.add(wanted)
        try:
            dist = metadata.distribution(wanted)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            path = Path(str(file.locate()))
            if path.is_file() and "__pycache__" not in path.parts:
                total += path.stat().st_size
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:  # run-time needs, not the test or build extras
                queue.append(requirement)
    if name == "cashier-app":  # an editable install records no files: the package itself
        total += tree_size(ROOT / "cashier_app") + tree_size(ROOT / "resources")
    return total


def measure(starts: int, folder: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-frozen-") as scratch_name:
        scratch = Path(scratch_name)
        if folder is None:
            folder = build(scratch)
        frozen = [str(folder / "cashier-app")]
        source = [sys.executable, "-m", "cashier_app"]
        picture = scratch / "window.png"
        time_to_usable(frozen, picture)  # the first start of each warms the disk cache
        time_to_usable(source, picture)
        figures: dict[str, Any] = {
            "frozen_usable_s": statistics.median(
                time_to_usable(frozen, picture) for _ in range(starts)),
            "source_usable_s": statistics.median(
                time_to_usable(source, picture) for _ in range(starts)),
            "folder_mb": tree_size(folder) / 1e6,
            "source_mb": source_install_size() / 1e6,
            "starts": starts,
        }
        missing = tools_missing()
        figures["visible_measured"] = not missing
        if not missing:
            with x_server() as display:
                time_to_window([*frozen, "--demo"], DEMO_TITLE, display)
                figures["frozen_visible_s"] = statistics.median(
                    time_to_window([*frozen, "--demo"], DEMO_TITLE, display)
                    for _ in range(starts))
                figures["source_visible_s"] = statistics.median(
                    time_to_window([*source, "--demo"], DEMO_TITLE, display)
                    for _ in range(starts))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--folder", type=Path,
                        help="a folder built before (dist/cashier-app); default: build now")
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    args = parser.parse_args()
    figures = measure(args.starts, args.folder)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"start to usable window (demo), s   frozen {figures['frozen_usable_s']:6.2f}"
          f"  | from source {figures['source_usable_s']:6.2f}")
    if figures["visible_measured"]:
        print(f"start to visible window (Xvfb), s  frozen {figures['frozen_visible_s']:6.2f}"
              f"  | from source {figures['source_visible_s']:6.2f}")
    print(f"size, MB                           folder {figures['folder_mb']:6.0f}"
          f"  | source install {figures['source_mb']:6.0f}")


if __name__ == "__main__":
    main()
