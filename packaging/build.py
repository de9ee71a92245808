"""Build the installable program (run by ``./scripts/build``).

1. ``dist/cashier-app/``: the PyInstaller one-folder build of ``cashier-app.spec``;
2. beside the executables in it, ``VERSION`` (the installer script reads it) and the example
   settings for a desk and for a kiosk, ``config.example.toml`` and
   ``config.kiosk.example.toml`` (written by the frozen program itself, ``config --example``:
   the build is also the first proof that the frozen program runs);
3. on Linux, ``dist/cashier-app_<version>_<arch>.deb`` from that folder (``debian.py``).

Stdlib only: it runs in the project's environment, where PyInstaller is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NAME = "cashier-app"
EXE = ".exe" if sys.platform == "win32" else ""


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"])


def freeze(out: Path, work: Path) -> Path:
    """PyInstaller on the spec; returns the folder."""
    folder = out / NAME
    if folder.exists():
        shutil.rmtree(folder)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(out), "--workpath", str(work), str(HERE / f"{NAME}.spec")],
                   check=True, cwd=ROOT)
    return folder


def finish_folder(folder: Path, version: str) -> None:
    """The files the installers take from the folder besides the program."""
    (folder / "VERSION").write_text(version + "\n", encoding="ascii")
    for name, extra in (("config.example.toml", []), ("config.kiosk.example.toml", ["--kiosk"])):
        example = subprocess.run([str(folder / f"{NAME}{EXE}"), "config", "--example", *extra],
                                 check=True, capture_output=True, env=_clean_env()).stdout
        (folder / name).write_bytes(example)
    reported = subprocess.run([str(folder / f"{NAME}{EXE}"), "--version"], check=True,
                              capture_output=True, text=True, env=_clean_env()).stdout.split()
    if reported[-1:] != [version]:
        raise SystemExit(f"build: the frozen program says {' '.join(reported)!r}, "
                         f"pyproject.toml says {version}")


def _clean_env() -> dict[str, str]:
    """The frozen program run as on a point: none of this machine's program settings."""
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("CASHIER_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/build", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist",
                        help="where the folder and the package go (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's working directory (kept between builds: faster)")
    parser.add_argument("--no-deb", action="store_true", help="the folder only")
    args = parser.parse_args(argv)
    from debian import build_deb, folder_size  # packaging/debian.py, beside this script

    version = project_version()
    folder = freeze(args.out.resolve(), args.work.resolve())
    finish_folder(folder, version)
    print(f"build: {folder} ({folder_size(folder) / 1e6:.0f} MB), version {version}")
    if sys.platform.startswith("linux") and not args.no_deb:
        package = build_deb(folder, version, args.out.resolve())
        print(f"build: {package} ({package.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
