"""``cashier-app``: the window by default, headless commands for scripts and support.

Exit codes: 0 success, 1 a final error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from cashier_app import settings as cfg
from cashier_app.bootstrap import demo_environment
from cashier_app.errors import UserFacingError
from cashier_app.util.fsutil import private_umask
from cashier_app.util.install_mutex import hold_install_mutex
from cashier_app.util.logging_setup import setup_logging

from . import (
    acceptor,
    autostart,
    card,
    catalog,
    journal,
    payments,
    receipts,
    shift,
    tools,
    wallet,
    watchdog,
)
from .common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    echo,
    silence,
)

log = logging.getLogger(__name__)


class VersionAction(argparse.Action):
    """``--version``: the version is read only when asked for (see ``program_version``)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from cashier_app.util.version import program_version

        echo(f"{parser.prog} {program_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cashier-app",
        description="«Касса» — программа кассира пункта приёма платежей. "
        "Без команды открывает окно кассира.",
    )
    parser.add_argument("--version", action=VersionAction, nargs=0,
                        help="показать версию программы и выйти")
    parser.add_argument("--demo", action="store_true",
                        help="демо-режим: встроенный эмулятор процессинга и временный каталог "
                             "данных, без настроек и токена")
    parser.add_argument("--kiosk", action="store_true",
                        help="режим терминала самообслуживания (или kiosk.enabled в настройках)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=f"файл настроек (по умолчанию {cfg.default_config_path()})")
    parser.add_argument("-v", "--verbose", action="store_true", help="подробный вывод в stderr")
    parser.add_argument("--smoke-screenshot", type=Path, metavar="PNG",
                        help="открыть окно, дождаться каталога и баланса, сохранить снимок окна "
                             "в PNG и выйти (проверка установки)")
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    for group in (catalog, tools, payments, journal, shift, receipts, acceptor, wallet, card,
                  watchdog, autostart):
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever happens, the person at the terminal gets one Russian line
    and an exit code, never a traceback (the traceback goes to the log)."""
    private_umask()
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        echo("cashier-app: прервано (Ctrl+C)", err=True)
        return EXIT_INTERRUPTED
    except UsageError as error:
        echo(f"cashier-app: {error}", err=True)
        return EXIT_USAGE
    except UserFacingError as error:  # a refusal, a bad setting, a full disk…: said as is
        echo(f"cashier-app: {error}", err=True)
        return EXIT_FAILED
    except BrokenPipeError:  # a stream written directly (CSV to stdout), reader gone
        silence(sys.stdout)
        return EXIT_OK
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        echo("cashier-app: внутренняя ошибка программы; платежи сохранены в журнале, "
             "подробности — в логе программы (каталог данных, logs/cashier.log)", err=True)
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    alone = getattr(args, "run_alone", None)  # commands that need no point settings
    if alone is not None:
        code = alone(args)
        if code is not None:
            return int(code)
    settings = cfg.Settings.load(args.config)
    if args.kiosk:  # the terminal's settings for its commands too (its data directory)
        settings = settings.with_overrides({cfg.KIOSK_ENABLED: True})
    if args.demo:
        with demo_environment(settings) as demo_settings:
            return _with_settings(args, demo_settings)
    return _with_settings(args, settings)


def _with_settings(args: argparse.Namespace, settings: cfg.Settings) -> int:
    # the terminal gets the command's own Russian lines; the log's English detail only
    # with --verbose (it is all in the log file)
    console = logging.DEBUG if args.verbose else logging.CRITICAL + 10
    setup_logging(settings.data_dir / "logs", level=settings[cfg.LOG_LEVEL],
                  secrets=[settings[cfg.PROCESSING_TOKEN], settings[cfg.WALLET_CLIENT_SECRET],
                           settings[cfg.CARD_TOKEN]],
                  console_level=console)
    hold_install_mutex()  # Windows: the installer waits while the program works for the point
    for warning in settings.warnings():
        log.warning("settings: %s", warning)
        if args.command is not None:  # the window shows them in its notice row
            echo(f"cashier-app: предупреждение: {warning}", err=True)
    if args.command is None and (args.kiosk or settings[cfg.KIOSK_ENABLED]):
        from cashier_app.ui.kiosk.launch import run_kiosk  # Qt only when a window is wanted

        return run_kiosk(settings, demo=args.demo, smoke_screenshot=args.smoke_screenshot)
    if args.command is None:
        from cashier_app.ui.launch import run_window  # Qt only when a window is wanted

        return run_window(settings, demo=args.demo, smoke_screenshot=args.smoke_screenshot)
    return int(args.run(settings, args))
