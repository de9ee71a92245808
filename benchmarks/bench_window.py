"""Cashier window with a large catalog: start, search per keystroke, form build, memory.

Run: ``python -m benchmarks.bench_window [--services 10000] [--json]`` (``./scripts/bench``
runs it with the others and puts every figure in one table).

* start: from launching a fresh Python process to the window on screen with the cached catalog
  in it (imports included) — next to a bare process that imports PySide6 and shows an empty
  window;
* search: one keystroke = the window's filter for the query typed so far (search over the
  whole catalog and the result list refilled) — next to a bare substring scan of the names;
* form: building the payment form of one service;
* memory: resident set size of the started window, next to the bare window.

The start and the memory have a second floor beside the bare window: the same empty window
after importing the libraries the program's start imports and reading the cached catalog
with ``json.loads`` (the least any window showing those services must do and hold).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["Москва", "Энерго", "Водоканал", "Телеком", "Связь", "Банк", "Кредит", "Газ",
         "Интернет", "Школа", "Детский сад", "Охрана", "Домофон", "Тепло", "Сбыт", "Ёлка"]
GROUPS = ["Сотовая связь", "ЖКХ", "Интернет и ТВ", "Банки и кредиты", "Образование",
          "Охрана", "Товары по каталогам", "Штрафы и налоги", "Транспорт", "Прочее"]
QUERIES = ["м", "мо", "мос", "моск", "москв", "москва", "москва э", "москва эн",
           "в", "во", "вод", "вода", "водок", "P12", "P123", "P1234", "жкх", "жкх т",
           "ел", "елк", "елка", "банк к", "банк кр", "связь 9", "связь 90"]


def big_catalog(count: int) -> dict[str, Any]:
    from cashier_app.emulator import load_catalog

    catalog = load_catalog()
    templates = catalog["services"]
    services = []
    for index in range(count):
        template = dict(templates[index % len(templates)])
        words = f"{WORDS[index % len(WORDS)]} {WORDS[(index // 7) % len(WORDS)]}"
        template.update(serviceId=f"P{index:05d}", name=f"{words} №{index}",
                        group=GROUPS[(index // 3) % len(GROUPS)])
        services.append(template)
    catalog["services"] = services
    return catalog


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_bare(data_dir: str | None = None) -> None:
    """The floor: import PySide6, show an empty main window. With ``data_dir``, the second
    floor: first import what the program's start imports besides PySide6 and read the cached
    catalog there with the standard JSON parser — the least a window must hold to show and
    search those services, with none of ours."""
    import importlib

    from PySide6.QtWidgets import QApplication, QMainWindow

    from benchmarks.bench_start import LIBRARIES

    catalog = None
    if data_dir is not None:
        from cashier_app.engine.catalog import CACHE_NAME

        for name in LIBRARIES:
            importlib.import_module(name)
        catalog = json.loads((Path(data_dir) / CACHE_NAME).read_bytes())
    app = QApplication([])
    window = QMainWindow()
    window.show()
    app.processEvents()
    print(json.dumps({"rss": rss_mb(), "held": catalog is not None}), flush=True)


def child_window(data_dir: str) -> None:
    """The program's window on the cached catalog, as at a point's morning start."""
    from PySide6.QtWidgets import QApplication

    from cashier_app.ui.cashier.main_window import MainWindow
    from cashier_app.ui.launch import load_style

    app = QApplication([])
    load_style(app)
    point = bench_point(Path(data_dir))
    store = point.catalog
    window = MainWindow(point, cashiers=[])
    cached = store.load()
    assert cached is not None
    window._show_catalog(cached)  # what refresh() shows first, before any network
    window.show()
    app.processEvents()
    print(json.dumps({"rss": rss_mb(), "services": len(cached.services)}), flush=True)


def bench_point(data_dir: Path, timeout: float = 15.0) -> Any:
    """The window's point as the program builds it, on a processing center that is not
    there (the figures are the window's own work)."""
    from cashier_app import settings as cfg
    from cashier_app.bootstrap import point_for

    settings = cfg.Settings.load(data_dir / "none.toml", env={}).with_overrides({
        cfg.PROCESSING_URL: "http://127.0.0.1:9", cfg.PROCESSING_TOKEN: "t",
        cfg.PROCESSING_TIMEOUT: timeout, cfg.DATA_DIR: str(data_dir)})
    return point_for(settings, "test")


def timed_child(*args: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench_window", *args], cwd=ROOT,
                            capture_output=True, text=True, check=True, timeout=120)
    took = time.perf_counter() - started
    return took, json.loads(result.stdout.strip().splitlines()[-1])


def in_process(data_dir: Path, keystrokes: int, forms: int) -> dict[str, list[float]]:
    import asyncio

    from PySide6.QtWidgets import QApplication

    from cashier_app.core.search import fold
    from cashier_app.journal import Shift
    from cashier_app.ui.cashier.main_window import MainWindow
    from cashier_app.ui.event_loop import CashierEventLoop

    app = QApplication.instance() or QApplication([])
    loop = CashierEventLoop(app)
    asyncio.set_event_loop(loop)
    point = bench_point(data_dir, timeout=0.05)
    store = point.catalog
    window = MainWindow(point, cashiers=[])
    cached = store.load()
    assert cached is not None
    window._show_catalog(cached)
    window.shift = Shift(1, "bench", "2026-01-01T00:00:00")
    window.pages.setCurrentWidget(window.work_page)
    window.show()
    app.processEvents()
    search: list[float] = []
    bare: list[float] = []
    names = [fold(f"{s.name} {s.group} {s.service_id}") for s in cached.services]
    index = 0
    while len(search) < keystrokes:
        query = QUERIES[index % len(QUERIES)]
        index += 1
        started = time.perf_counter()
        window.search_box.setText(query)  # textChanged → the window's filter
        search.append(time.perf_counter() - started)
        folded = fold(query)
        started = time.perf_counter()
        _ = [name for name in names if folded in name]
        bare.append(time.perf_counter() - started)
        loop.run_until_complete(asyncio.sleep(0))  # let a phone lookup task be cancelled
    window.search_box.clear()
    form: list[float] = []
    for number in range(forms):
        service = cached.services[(number * 97) % len(cached.services)]
        started = time.perf_counter()
        window.panel.open_service(service)
        app.processEvents()
        form.append(time.perf_counter() - started)
    loop.run_until_complete(window.shutdown())
    loop.run_until_complete(point.aclose())
    return {"search": search, "bare": bare, "form": form}


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.2f}  worst {max(values) * 1000:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="figures as one JSON object")
    parser.add_argument("--child", choices=["bare", "libraries", "window"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child in ("bare", "libraries"):
        child_bare(args.data_dir if args.child == "libraries" else None)
        return
    if args.child == "window":
        child_window(args.data_dir)
        return

    from datetime import datetime

    from cashier_app.engine.catalog import CatalogStore

    with tempfile.TemporaryDirectory(prefix="bench-window-") as tmp:
        data_dir = Path(tmp)
        CatalogStore(data_dir).save(
            {"result": 0, "resultMessage": "OK", "services": big_catalog(args.services)[
                "services"]}, datetime.now())
        starts, bares, with_libraries = [], [], []
        for _ in range(args.starts):  # in turn: the machine's drift is in all three alike
            starts.append(timed_child("--child", "window", "--data-dir", tmp))
            bares.append(timed_child("--child", "bare"))
            with_libraries.append(timed_child("--child", "libraries", "--data-dir", tmp))
        shown = starts[0][1]["services"]
        assert shown == args.services, shown
        figures = in_process(data_dir, args.keystrokes, args.forms)
    start = statistics.median(took for took, _ in starts)
    bare_start = statistics.median(took for took, _ in bares)
    libraries_start = statistics.median(took for took, _ in with_libraries)
    if args.json:
        print(json.dumps({
            "services": args.services, "start_s": start, "bare_start_s": bare_start,
            "search_median_ms": statistics.median(figures["search"]) * 1000,
            "search_worst_ms": max(figures["search"]) * 1000,
            "bare_search_median_ms": statistics.median(figures["bare"]) * 1000,
            "bare_search_worst_ms": max(figures["bare"]) * 1000,
            "form_median_ms": statistics.median(figures["form"]) * 1000,
            "form_worst_ms": max(figures["form"]) * 1000,
            "rss_mb": starts[0][1]["rss"], "bare_rss_mb": bares[0][1]["rss"],
            "libraries_start_s": libraries_start,
            "libraries_rss_mb": with_libraries[0][1]["rss"]}))
        return
    print(f"start to usable window ({args.services} services), s  {start:6.2f}"
          f"  | bare PySide6 window {bare_start:6.2f}; after the program's libraries and "
          f"json.loads of the catalog {libraries_start:6.2f}")
    print(f"search per keystroke, ms  {ms(figures['search'])}"
          f"  | bare substring scan {ms(figures['bare'])}  (target < 16)")
    print(f"form build, ms  {ms(figures['form'])}  | one frame 16.7")
    print(f"resident memory, MB  {starts[0][1]['rss']:6.1f}"
          f"  | bare PySide6 window {bares[0][1]['rss']:6.1f}; after the program's libraries "
          f"and json.loads of the catalog {with_libraries[0][1]['rss']:6.1f}")


if __name__ == "__main__":
    main()
