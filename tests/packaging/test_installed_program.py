"""The program as a point receives it: built by ``./scripts/build``, installed from the .deb,
run from the installed command with no Python in sight, then removed.

All in one group on one worker, in order: the build is made once (about a minute), the
package installed once. Installing needs root (or sudo without a password), as on a point.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cashier_app.util.install_mutex import MUTEX_NAME
from tests.e2e.helpers import PINS, TOKEN, free_port, write_config
from tests.e2e.test_window_exit import xvfb

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
INSTALLED = Path("/usr/bin/cashier-app")
# one worker, in order; the build (a minute, more beside the other workers) is in the first
pytestmark = [pytest.mark.xdist_group("packaging"), pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``./scripts/build`` into a fresh directory; the directory (folder and .deb)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "build"), "--out", str(out),
                           "--work", str(out / "work")], capture_output=True, text=True,
                          timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"version {VERSION}" in done.stdout
    return out


def run(*args: str, env: dict[str, str], timeout: float = 60, stdin: str = "",
        program: Path = INSTALLED) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(program), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, input=stdin, encoding="utf-8")


def as_root(*command: str) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=300)


def point_env(home: Path, **extra: str) -> dict[str, str]:
    """A point's user: their own home (config and data under XDG), none of our variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASHIER_", "XDG_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), PYTHONIOENCODING="utf-8",
               QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def test_the_folder_carries_what_the_program_reads(build: Path) -> None:
    folder = build / "cashier-app"
    internal = folder / "_internal"
    assert (folder / "VERSION").read_text().strip() == VERSION
    for name in ("cashier-app", "kassa"):
        version = run("--version", env=point_env(build), program=folder / name)
        assert version.stdout.strip() == f"cashier-app {VERSION}", version.stderr
    assert "[processing]" in (folder / "config.example.toml").read_text("utf-8")
    for data in ("resources/style.qss", "resources/kiosk.qss", "resources/demo/catalog.json",
                 "escpos/capabilities.json"):
        assert (internal / data).is_file(), data
    qt = internal / "PySide6" / "Qt"
    for plugin in ("libqxcb.so", "libqoffscreen.so", "libqwayland.so", "libqlinuxfb.so"):
        assert (qt / "plugins" / "platforms" / plugin).is_file(), plugin
    assert {p.name for p in (qt / "translations").glob("*.qm")} >= {"qtbase_ru.qm"}
    assert not [p for p in (qt / "translations").glob("*.qm") if not p.stem.endswith("_ru")]
    modules = {p.name.split(".")[0] for p in (internal / "PySide6").glob("Qt*.so")}
    assert modules == {"QtCore", "QtGui", "QtWidgets"}  # no Qt module the program never uses
    assert not (qt / "plugins" / "platformthemes").exists()  # no GTK behind it
    assert not list(internal.glob("libgtk-3*"))
    assert not (internal / "pytest").exists() and not (internal / "PyInstaller").exists()


def test_the_installer_script_names_the_build(build: Path) -> None:
    """installer.iss cannot be compiled here: what it takes from the build is checked
    instead — every file exists, the version is the build's, the mutex is the program's."""
    script = (ROOT / "installer.iss").read_text("utf-8-sig")
    folder = build / "cashier-app"
    sources = re.findall(r'^Source:\s*"\{#BuildDir\}\\([^"]+)"', script, re.MULTILINE)
    assert sources, "installer.iss takes no file from the build"
    for source in sources:
        relative = source.replace("\\", "/")
        if relative.endswith("*"):
            assert (folder / relative.rstrip("/*")).is_dir(), source
            continue
        linux_name = relative.removesuffix(".exe")  # the same program, built here for Linux
        assert (folder / linux_name).is_file(), source
    executables = re.findall(r'\{app\}\\([\w-]+\.exe)', script)
    assert executables and {name.removesuffix(".exe") for name in executables} <= {
        "cashier-app", "kassa"}
    assert re.search(r'#define AppVersion Trim\(FileRead\(FileOpen\(BuildDir \+ "\\VERSION"\)\)\)',
                     script), "the version must come from the build's VERSION file"
    mutex = re.search(r"^AppMutex=(.+)$", script, re.MULTILINE)
    assert mutex is not None
    assert set(mutex.group(1).split(",")) == {MUTEX_NAME, f"Global\\{MUTEX_NAME}"}
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}", script, re.MULTILINE)
    assert "onlyifdoesntexist" in script and "uninsneveruninstall" in script


@pytest.fixture(scope="module")
def installed(build: Path) -> Iterator[Path]:
    package = next(build.glob(f"cashier-app_{VERSION}_*.deb"))
    if os.geteuid() != 0 and shutil.which("sudo") is None:
        pytest.fail("installing the package needs root or sudo without a password")
    as_root("dpkg", "--purge", "cashier-app")  # what an interrupted run left: a fresh point
    done = as_root("dpkg", "-i", str(package))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        yield package
    finally:
        as_root("dpkg", "--purge", "cashier-app")


def test_the_installed_program_pays_shows_its_windows_and_keeps_the_journal_when_removed(
        installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = point_env(home)
    assert shutil.which("cashier-app", path="/usr/bin") == str(INSTALLED)
    assert run("--version", env=env).stdout.strip() == f"cashier-app {VERSION}"
    assert Path("/usr/share/applications/cashier-app.desktop").is_file()
    assert Path("/usr/share/applications/cashier-app-kiosk.desktop").is_file()
    # no settings of the user's own: the point's, installed with the package, are read
    shown = run("config", env=env)
    assert "Файл настроек: /etc/cashier-app/config.toml\n" in shown.stdout, shown.stderr
    assert f"Каталог данных: {home}/.local/share/cashier-app\n" in shown.stdout

    # the built-in emulator, from the installed program, and a payment through it
    port = free_port()
    emulator = subprocess.Popen([str(INSTALLED), "emulator", "--port", str(port), "--token",
                                 TOKEN], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        assert emulator.stdout is not None
        assert "слушает" in emulator.stdout.readline()
        config = home / ".config" / "cashier-app" / "config.toml"
        config.parent.mkdir(parents=True)
        write_config(config.parent)  # the cashiers with their PINs
        config.write_text(config.read_text("utf-8") + (
            f'[processing]\nurl = "http://127.0.0.1:{port}"\ntoken = "{TOKEN}"\n'),
            encoding="utf-8")
        assert f"Файл настроек: {config}\n" in run("config", env=env).stdout
        services = run("services", env=env)
        assert services.returncode == 0 and "P1011" in services.stdout, services.stderr
        cashier = "Тестова Анна"
        opened = run("shift", "open", "--cashier", cashier, env=env, stdin=PINS[cashier] + "\n")
        assert opened.returncode == 0, opened.stderr
        paid = run("pay", "--service", "P1011", "--account", "9051234567", "--amount", "150",
                   "--cashier", cashier, "--json", env=env, stdin=PINS[cashier] + "\n")
        assert paid.returncode == 0, paid.stdout + paid.stderr
        payment = json.loads(paid.stdout)
        assert payment["state"] == "paid"
        # what the frozen program imports only when asked: the printer (python-escpos, its
        # capabilities, qrcode and Pillow for the code) and the Excel export
        printer = tmp_path / "printer.bin"
        on_paper = {**env, "CASHIER_PRINTER_KIND": "file", "CASHIER_PRINTER_ADDRESS": str(printer)}
        printed = run("receipt", str(payment["agentTransactionId"]), "--print", env=on_paper)
        assert printed.returncode == 0, printed.stdout + printed.stderr
        assert printer.read_bytes().startswith(b"\x1b@")
        assert "ЧЕК".encode("cp866") in printer.read_bytes()
        tested = run("printer", "test", env=on_paper)
        assert tested.returncode == 0, tested.stdout + tested.stderr
        assert b"\x1d(k" in printer.read_bytes()  # the test page's QR code
        export = tmp_path / "journal.xlsx"
        exported = run("journal", "--format", "xlsx", "--output", str(export), env=env)
        assert exported.returncode == 0 and export.read_bytes()[:2] == b"PK", exported.stderr
        # the terminal's start at logon: the watchdog, from the frozen program, starts the
        # frozen kiosk (itself, not a Python that is not there) and stops it on SIGTERM
        started = run("autostart", "on", env=env)
        entry = home / ".config" / "autostart" / "cashier-app-kiosk.desktop"
        assert started.returncode == 0 and entry.is_file(), started.stderr
        assert "Exec=/opt/cashier-app/cashier-app watchdog\n" in entry.read_text("utf-8")
        beat = home / ".local" / "share" / "cashier-app" / "kiosk.heartbeat"
        guard = subprocess.Popen([str(INSTALLED), "watchdog"], env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while not beat.exists() and guard.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert beat.exists(), "the kiosk the watchdog started never beat"
        finally:
            guard.terminate()
            _, said = guard.communicate(timeout=30)
        assert guard.returncode == 0, said
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    # the windows: the demo desk and the demo kiosk, offscreen, from the installed program
    for mode in ((), ("--kiosk",)):
        shot = tmp_path / f"window{'-'.join(mode)}.png"
        window = run(*mode, "--demo", "--smoke-screenshot", str(shot), env=env, timeout=90)
        assert window.returncode == 0, window.stdout + window.stderr
        assert shot.stat().st_size > 10_000
    # and on a real X server, through the X11 plugin the folder carries
    with xvfb() as display:  # scripts/test installs Xvfb
        shot = tmp_path / "x11.png"
        window = run("--demo", "--smoke-screenshot", str(shot), timeout=90,
                     env={**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"})
        assert window.returncode == 0, window.stdout + window.stderr

    journal = home / ".local" / "share" / "cashier-app" / "journal.sqlite3"
    assert journal.is_file()
    # an edited configuration file survives a reinstall (an upgrade keeps it the same way)
    site = Path("/etc/cashier-app/config.toml")
    edited = site.read_text("utf-8") + "# настроено инженером\n"
    assert as_root("sh", "-c", f"printf '%s\\n' '# настроено инженером' >> {site}"
                   ).returncode == 0
    # nobody installs over, or removes, a running program
    busy = subprocess.Popen([str(INSTALLED), "emulator", "--port", str(free_port())], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert busy.stdout is not None and "слушает" in busy.stdout.readline()
        for refused in (as_root("dpkg", "-i", str(installed)),
                        as_root("dpkg", "-r", "cashier-app")):
            assert refused.returncode != 0
            assert "«Касса» запущена" in refused.stderr, refused.stdout + refused.stderr
        assert INSTALLED.exists()
    finally:
        busy.terminate()
        busy.wait(timeout=10)
    again = as_root("dpkg", "-i", str(installed))
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.read_text("utf-8") == edited

    removed = as_root("dpkg", "-r", "cashier-app")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not INSTALLED.exists() and not Path("/opt/cashier-app").exists()
    # the payment is still in the journal, which nothing of the package touched
    with sqlite3.connect(journal) as conn:
        states = [row[0] for row in conn.execute("select state from payments")]
    assert states == ["paid"]
    assert site.read_text("utf-8") == edited  # remove keeps the point's settings (purge not)
    as_root("dpkg", "--purge", "cashier-app")
    assert not site.exists()
    assert journal.is_file()  # even a purge leaves the money's journal alone
