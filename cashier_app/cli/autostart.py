"""``cashier-app autostart on|off|status``: the kiosk started at logon on a Linux terminal.

A desktop session starts what ``~/.config/autostart`` lists (the XDG autostart rule every
Linux desktop follows), so the terminal's own account gets an entry that runs the watchdog,
which starts the kiosk and restarts it if it ends or hangs. One account, the kiosk's, not
every user of the machine: an engineer who logs on to service the terminal gets a desktop.
On Windows the installer does this (its task «Терминал самообслуживания»: a shortcut in the
Startup folder of all users), and this command says so.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import platformdirs

from cashier_app.util.fsutil import atomic_write
from cashier_app.util.resources import own_command

from .common import EXIT_FAILED, EXIT_OK, echo

ENTRY_NAME = "cashier-app-kiosk.desktop"


def add_commands(commands: Any) -> None:
    parser = commands.add_parser(
        "autostart", help="автозапуск киоска при входе в систему (Linux, этот пользователь)")
    parser.add_argument("action", choices=("on", "off", "status"),
                        help="on — включить, off — выключить, status — показать")
    parser.set_defaults(run_alone=run)


def autostart_entry() -> Path:
    """``$XDG_CONFIG_HOME/autostart/…`` (``~/.config`` by default), as platformdirs finds
    the user's configuration directory for the settings file too."""
    return Path(platformdirs.user_config_dir()) / "autostart" / ENTRY_NAME


def entry_text() -> str:
    """What starts it: this same program (the package's /opt/cashier-app/cashier-app, or
    this interpreter and source tree), so the entry runs what the command was run from."""
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Касса — терминал\n"
            "Comment=Киоск «Кассы» под сторожем: перезапуск, если завершился или завис\n"
            f"Exec={' '.join(desktop_quoted(arg) for arg in [*own_command(), 'watchdog'])}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n")


def desktop_quoted(arg: str) -> str:
    """One argument of a desktop entry's ``Exec`` (the XDG rules, not a shell's): plain if
    plain, else in double quotes with ``"`$\\`` escaped; ``%`` doubled everywhere."""
    arg = arg.replace("%", "%%")
    if re.fullmatch(r"[\w@+=:,./-]+", arg):
        return arg
    return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'


def run(args: argparse.Namespace) -> int:
    if sys.platform == "win32":
        echo("На Windows автозапуск киоска включает установщик: задача «Терминал "
             "самообслуживания» (ярлык в папке автозагрузки).", err=True)
        return EXIT_FAILED
    entry = autostart_entry()
    if args.action == "on":
        entry.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(entry, entry_text().encode("utf-8"))
        echo(f"Автозапуск киоска включён: {entry}")
    elif args.action == "off":
        entry.unlink(missing_ok=True)
        echo("Автозапуск киоска выключен")
    else:
        echo(f"Автозапуск киоска: {'включён' if entry.exists() else 'выключен'} ({entry})")
    return EXIT_OK
