"""The Linux package: a .deb made with ``dpkg-deb`` from the frozen folder.

What it installs:

- ``/opt/cashier-app/`` — the folder as built (the program and its libraries);
- ``/usr/bin/cashier-app`` — the command, a two-line script that runs the folder's program;
- ``/usr/share/applications/`` — menu entries for the cashier's window and the kiosk;
- ``/etc/cashier-app/config.toml`` — the point's settings, from the example, as a dpkg
  configuration file: an upgrade never replaces one that was edited, and ``remove`` keeps it
  (only ``purge`` deletes it).

While any process of the installed program runs, installing over it and removing it are
refused (``preinst``/``prerm``: the Windows installer's AppMutex, here).

What it never touches: the journal, the logs and the catalog cache, in each user's data
directory (``~/.local/share/cashier-app``). No maintainer script deletes anything there, so
removing or upgrading the package keeps every payment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "cashier-app"
PREFIX = Path("opt") / PACKAGE
SITE_CONFIG = Path("etc") / PACKAGE / "config.toml"

#: What Qt loads from the system (the same list scripts/bootstrap installs for the program),
#: and a font with Cyrillic. t64: the names of the same libraries on Ubuntu 24.04 and later.
DEPENDS = (
    "libegl1", "libgl1", "libglib2.0-0 | libglib2.0-0t64", "libfontconfig1", "libfreetype6",
    "libxkbcommon0", "libdbus-1-3", "libx11-xcb1", "libxkbcommon-x11-0", "libxcb-cursor0",
    "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-xfixes0", "libxcb-xkb1",
    "fonts-dejavu-core | fonts-liberation2",
)

DESCRIPTION = """\
«Касса»: программа пункта приёма платежей
 Кассир принимает наличные и проводит платежи за связь, ЖКХ, банки и заказы
 через процессинговый центр; старший кассир ведёт журнал и смены; тот же
 пакет — терминал самообслуживания с купюроприёмником (cashier-app --kiosk).
 Журнал платежей хранится в каталоге данных пользователя и при удалении
 пакета остаётся на месте."""


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def build_deb(folder: Path, version: str, out: Path) -> Path:
    """``out/cashier-app_<version>_<arch>.deb``, compressed with xz at its fastest preset:
    every dpkg in use reads xz (zstd is not read by Debian 11 or Ubuntu 20.04), and on this
    folder it is smaller than gzip at its best (70 against 81 MB) in a fifth of the time
    (8 against 43 s on two cores)."""
    arch = architecture()
    target = out / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="deb-", dir=out) as staging_name:
        staging = Path(staging_name)
        _tree(staging, folder)
        installed_kb = folder_size(staging) // 1024
        control = staging / "DEBIAN"
        control.mkdir(mode=0o755)
        (control / "control").write_text(
            f"Package: {PACKAGE}\n"
            f"Version: {version}\n"
            f"Architecture: {arch}\n"
            "Maintainer: Kassa developers <kassa@localhost>\n"
            "Section: misc\n"
            "Priority: optional\n"
            f"Installed-Size: {installed_kb}\n"
            f"Depends: {', '.join(DEPENDS)}\n"
            f"Description: {DESCRIPTION}\n", encoding="utf-8")
        (control / "conffiles").write_text(f"/{SITE_CONFIG.as_posix()}\n", encoding="ascii")
        for script in ("preinst", "prerm"):  # refuse while the program runs
            shutil.copyfile(HERE / "linux" / "running-check.sh", control / script)
            (control / script).chmod(0o755)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z0", "--build",
                        str(staging), str(target)], check=True, capture_output=True)
    return target


def _tree(staging: Path, folder: Path) -> None:
    program = staging / PREFIX
    program.parent.mkdir(parents=True)
    shutil.copytree(folder, program, symlinks=True, copy_function=_link_or_copy)
    command = staging / "usr" / "bin" / PACKAGE
    command.parent.mkdir(parents=True)
    shutil.copyfile(HERE / "linux" / "cashier-app.sh", command)
    command.chmod(0o755)
    menu = staging / "usr" / "share" / "applications"
    menu.mkdir(parents=True)
    for entry in ("cashier-app.desktop", "cashier-app-kiosk.desktop"):
        shutil.copyfile(HERE / "linux" / entry, menu / entry)
    config = staging / SITE_CONFIG
    config.parent.mkdir(parents=True)
    shutil.copyfile(folder / "config.example.toml", config)
    for path in staging.rglob("*"):  # what dpkg installs: readable by all, the rest root's
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)  # the staging copy of ~170 MB, without copying it
    except OSError:
        shutil.copy2(source, destination)


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (symbolic links not counted)."""
    return sum(path.lstat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())
