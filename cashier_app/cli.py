"""``cashier-app``: the window by default, headless commands for scripts and support.

Exit codes: 0 success, 1 a final error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from cashier_app import __version__, cli_journal, cli_payments, cli_receipts, cli_supervisor
from cashier_app import settings as cfg
from cashier_app.app import demo_environment, make_client
from cashier_app.catalog import Catalog, CatalogError, CatalogStore, catalog_as_json
from cashier_app.cli_common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CommandFailed,
    UsageError,
    echo,
    silence,
)
from cashier_app.core.money import format_amount, to_cents
from cashier_app.core.wire import encode_body
from cashier_app.fsutil import private_umask
from cashier_app.journal import JournalError
from cashier_app.journal.leases import AlreadyRunning
from cashier_app.logging_setup import setup_logging
from cashier_app.processing.errors import AuthError, ProcessingError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cashier-app",
        description="«Касса» — программа кассира пункта приёма платежей. "
        "Без команды открывает окно кассира.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="демо-режим: встроенный эмулятор процессинга и временный каталог "
                             "данных, без настроек и токена")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=f"файл настроек (по умолчанию {cfg.default_config_path()})")
    parser.add_argument("-v", "--verbose", action="store_true", help="подробный вывод в stderr")
    parser.add_argument("--smoke-screenshot", type=Path, metavar="PNG",
                        help="открыть окно, дождаться каталога и баланса, сохранить снимок окна "
                             "в PNG и выйти (проверка установки)")
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА")

    services = commands.add_parser("services", help="получить каталог услуг, сохранить и вывести")
    services.add_argument("--json", action="store_true", help="вывод в JSON")
    services.add_argument("--offline", action="store_true",
                          help="не обращаться к процессингу, показать сохранённый каталог")

    balance = commands.add_parser("balance", help="баланс агента")
    balance.add_argument("--json", action="store_true", help="вывод в JSON")

    emulator = commands.add_parser("emulator", help="запустить эмулятор процессинга")
    emulator.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=8020, help="порт (по умолчанию 8020)")
    emulator.add_argument("--token", default="", help="требовать этот токен (по умолчанию — любой)")
    emulator.add_argument("--catalog", type=Path, help="свой каталог вместо демо-каталога")
    emulator.add_argument("--faults", type=Path,
                          help="JSON-файл со сценарием сбоев: {\"rules\": [...]}")

    cli_payments.add_commands(commands)
    cli_receipts.add_commands(commands)
    cli_supervisor.add_commands(commands)

    pin = commands.add_parser("pin-hash", help="хэш PIN кассира для ключа cashiers.list")
    pin.add_argument("--name", default="", help="имя кассира: напечатать готовую строку настроек")
    pin.add_argument("--role", choices=("cashier", "supervisor", "admin"), default="cashier",
                     help="роль в готовой строке: кассир, старший кассир, администратор")

    config = commands.add_parser("config", help="показать действующие настройки")
    config.add_argument("--example", action="store_true",
                        help="напечатать пример config.toml со всеми ключами")
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
    except (cfg.ConfigError, CommandFailed, ProcessingError, CatalogError, JournalError,
            AlreadyRunning) as error:
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
    if args.command == "emulator":
        return _run_emulator(args)
    if args.command == "pin-hash":
        return _pin_hash(args)
    if args.command == "config" and args.example:
        sys.stdout.write(cfg.example_config())
        return EXIT_OK
    settings = cfg.Settings.load(args.config)
    if args.demo:
        with demo_environment(settings) as demo_settings:
            return _with_settings(args, demo_settings)
    return _with_settings(args, settings)


def _with_settings(args: argparse.Namespace, settings: cfg.Settings) -> int:
    # the terminal gets the command's own Russian lines; the log's English detail only
    # with --verbose (it is all in the log file)
    console = logging.DEBUG if args.verbose else logging.CRITICAL + 10
    setup_logging(settings.data_dir / "logs", level=settings[cfg.LOG_LEVEL],
                  secrets=[settings[cfg.PROCESSING_TOKEN]], console_level=console)
    for warning in settings.warnings():
        log.warning("settings: %s", warning)
        if args.command is not None:  # the window shows them in its notice row
            echo(f"cashier-app: предупреждение: {warning}", err=True)
    if args.command is None:
        from cashier_app.ui.launch import run_window  # Qt only when a window is wanted

        return run_window(settings, demo=args.demo, smoke_screenshot=args.smoke_screenshot)
    if args.command == "config":
        echo(f"Файл настроек: {settings.config_path}")
        echo(f"Каталог данных: {settings.data_dir}")
        for key, value, source in settings.describe():
            echo(f"{key} = {value!s}    ({source})")
        return EXIT_OK
    if args.command == "services":
        return asyncio.run(_services(settings, as_json=args.json, offline=args.offline))
    if args.command == "balance":
        return asyncio.run(_balance(settings, as_json=args.json))
    if args.command == "pay":
        return asyncio.run(cli_payments.run_pay(settings, args))
    if args.command == "recover":
        return asyncio.run(cli_payments.run_recover(settings, args))
    if args.command == "pending":
        return cli_payments.run_pending(settings, args)
    if args.command == "journal":
        if args.action == "verify":
            return cli_supervisor.run_verify(settings, args)
        if args.action == "new":
            return cli_journal.run_new(settings, args)
        return cli_payments.run_journal(settings, args)
    if args.command == "shift":
        return cli_supervisor.run_shift(settings, args)
    if args.command in ("printer", "receipt", "report"):
        return cli_receipts.run(settings, args)
    raise AssertionError(args.command)


async def _services(settings: cfg.Settings, *, as_json: bool, offline: bool) -> int:
    store = CatalogStore(settings.data_dir)
    catalog: Catalog | None
    if offline:
        catalog = store.load()
        if catalog is None:
            raise CommandFailed("Сохранённого каталога услуг нет: выполните cashier-app services")
    else:
        try:
            async with make_client(settings) as client:
                catalog = await store.refresh(client)
        except (ProcessingError, CatalogError) as error:
            catalog = store.load()
            if catalog is None or isinstance(error, AuthError):
                raise
            echo(f"cashier-app: {error}; показан сохранённый каталог от "
                  f"{catalog.fetched_at:%d.%m.%Y %H:%M}", err=True)
    for problem in catalog.problems:
        echo(f"cashier-app: предупреждение: {problem}", err=True)
    if as_json:
        echo(catalog_as_json(catalog))
        return EXIT_OK
    for group, services in catalog.groups().items():
        echo(group)
        for service in services:
            fixed = ", фиксированная сумма" if service.fixed_payment else ""
            echo(f"  {service.service_id:<8} {service.name}  [{_SCHEME_RU[service.scheme.value]}"
                  f"{fixed}]")
    return EXIT_OK


_SCHEME_RU = {"simple": "простая", "choice": "с выбором", "complex": "комплексная"}


async def _balance(settings: cfg.Settings, *, as_json: bool) -> int:
    async with make_client(settings) as client:
        answer = await client.balance()
    if not answer.ok:
        raise CommandFailed(f"Баланс не получен: {answer.cashier_message}")
    if as_json:
        data = {
            "agentId": answer.agent_id,
            "agentName": answer.agent_name,
            "balance": to_cents(answer.balance),
            "overdraft": to_cents(answer.overdraft),
            "notification": to_cents(answer.notification) if answer.notification is not None
            else None,
            "currency": answer.currency,
        }
        echo(encode_body(data).decode("utf-8"))
        return EXIT_OK
    echo(f"Агент: {answer.agent_name} (id {answer.agent_id})")
    echo(f"Баланс: {format_amount(answer.balance)} {answer.currency}".rstrip())
    echo(f"Отключение приёма при балансе: {format_amount(answer.overdraft)}")
    if answer.notification is not None:
        echo(f"Уведомление при балансе: {format_amount(answer.notification)}")
    return EXIT_OK


def _pin_hash(args: argparse.Namespace) -> int:
    """Read a PIN (twice at a terminal, once from a pipe) and print its hash."""
    import getpass

    from cashier_app.core.cashiers import PinError, hash_pin

    if sys.stdin.isatty():
        pin = getpass.getpass("PIN: ")
        if getpass.getpass("PIN ещё раз: ") != pin:
            raise CommandFailed("PIN не совпали")
    else:
        pin = sys.stdin.readline().strip()
    try:
        hashed = hash_pin(pin)
    except PinError as error:
        raise CommandFailed(str(error)) from None
    if args.name:
        name = args.name.replace("\\", "\\\\").replace('"', '\\"')
        role = "" if args.role == "cashier" else f', role = "{args.role}"'
        echo(f'{{ name = "{name}", pin = "{hashed}"{role} }}')
    else:
        echo(hashed)
    return EXIT_OK


def _run_emulator(args: argparse.Namespace) -> int:
    from cashier_app.emulator import EmulatorServer, FaultRule, ProcessingCenter, load_catalog

    setup_logging(None, console_level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        center = ProcessingCenter(load_catalog(args.catalog))
        rules = []
        if args.faults:
            data = json.loads(args.faults.read_text(encoding="utf-8"))
            rules = [FaultRule.from_dict(item) for item in data.get("rules", [])]
        server = EmulatorServer(center, host=args.host, port=args.port, token=args.token)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandFailed(f"Эмулятор не запущен: {error}") from None
    server.add_faults(rules)
    echo(f"Эмулятор процессинга слушает {server.url}/api/v20/ "
          f"({'токен обязателен' if args.token else 'токен не проверяется'}); Ctrl+C — выход")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK
