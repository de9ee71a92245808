"""Nothing POSIX-only on the way to a working program, checked here as Windows would check it.

A build for Windows cannot run on this machine; what can be checked is our own code. In a
fresh interpreter the libraries are imported first (their choice of platform is theirs and
is tested by them), then the interpreter is made to look like Windows — ``sys.platform`` is
``win32`` (our code asks only that; ``os.name`` stays, or pathlib would make no path), the
POSIX-only modules cannot be imported and the POSIX-only
functions and signals are gone — and then every module of the program is imported and the
start-up path is run: settings, the data directory, the installer's mutex, the example
settings, and a shift opened and a payment paid in process against the emulator (settings
file, journal, leases, engine, processing client).

What this cannot see (checked by review, written in the README): the libraries' own Windows
code, and calls made only by the software validator's pty (which takes a socket on Windows).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(r'''
    import asyncio, importlib, os, pkgutil, signal, sqlite3, ssl, sys, tempfile
    import filelock, httpx, platformdirs, qasync, qrcode, serial, sqlite_utils  # noqa: F401
    from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401

    POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog",
                  "posixpath_only")
    for name in POSIX_ONLY:
        sys.modules.pop(name, None)

    class NotOnWindows:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in POSIX_ONLY:
                raise ImportError(f"{name} does not exist on Windows")
            return None

    sys.meta_path.insert(0, NotOnWindows())
    for attr in ("fork", "forkpty", "openpty", "ttyname", "getuid", "geteuid", "getgid",
                 "setsid", "killpg", "getpgid", "setpgid", "O_DIRECTORY", "O_NOFOLLOW",
                 "sync", "getloadavg", "uname", "chown", "lchown", "mkfifo"):
        if hasattr(os, attr):
            delattr(os, attr)
    for attr in ("SIGKILL", "SIGSTOP", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM",
                 "SIGCHLD", "SIGPIPE"):
        if hasattr(signal, attr):
            delattr(signal, attr)
    sys.platform = "win32"  # (os.name stays: pathlib would refuse to make any path)

    import cashier_app
    failed = []
    for module in pkgutil.walk_packages(cashier_app.__path__, "cashier_app."):
        if module.name == "cashier_app.__main__":
            continue  # it runs the program
        try:
            importlib.import_module(module.name)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failed.append(f"{module.name}: {type(error).__name__}: {error}")
    if failed:
        print("IMPORT FAILED", *failed, sep="\n")
        sys.exit(3)

    from cashier_app import settings as cfg
    from cashier_app.cli import main
    from cashier_app.util.install_mutex import hold_install_mutex

    env = {"PROGRAMDATA": r"C:\ProgramData"}
    assert str(cfg.site_config_path(env)).replace("/", "\\") == \
        r"C:\ProgramData\cashier-app\config.toml", cfg.site_config_path(env)
    assert str(cfg.default_data_dir(kiosk=True, env=env)).replace("/", "\\") == \
        r"C:\ProgramData\cashier-app"
    assert hold_install_mutex() is False  # no kernel32 here: said in the log, never raised

    from cashier_app.core.cashiers import hash_pin
    from cashier_app.emulator import EmulatorServer, ProcessingCenter, load_catalog

    server = EmulatorServer(ProcessingCenter(load_catalog()), token="t").start()
    with tempfile.TemporaryDirectory() as home:
        config = os.path.join(home, "config.toml")
        with open(config, "w", encoding="utf-8") as file:
            file.write(f'[processing]\nurl = "{server.url}"\ntoken = "t"\n'
                       f'[cashiers]\nlist = [{{ name = "Иванова Анна", '
                       f'pin = "{hash_pin("1111", iterations=1000)}" }}]\n')
        os.environ["CASHIER_DATA_DIR"] = os.path.join(home, "data")
        os.environ["CASHIER_CONFIG"] = config
        assert main(["config", "--example"]) == 0
        assert main(["services"]) == 0
        assert main(["shift", "open", "--cashier", "Иванова Анна"]) == 0
        assert main(["pay", "--service", "P1011", "--account", "9051234567", "--amount", "150",
                     "--cashier", "Иванова Анна", "--json"]) == 0
        assert [t["account"] for t in server.center.state()["transactions"]] == ["9051234567"]
    server.stop()
    print("WINDOWS START PATH OK")
''')


def test_every_module_imports_and_a_demo_payment_runs_as_on_windows(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, input="1111\n1111\n",
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
                               "PYTHONIOENCODING": "utf-8"})
    assert "WINDOWS START PATH OK" in done.stdout, done.stdout[-4000:] + done.stderr[-4000:]
