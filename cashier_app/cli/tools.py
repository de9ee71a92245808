"""Commands that need no point settings: ``pin-hash``, ``emulator``, ``config``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from cashier_app import settings as cfg
from cashier_app.util.logging_setup import setup_logging

from .common import EXIT_OK, CommandFailed, echo


def add_commands(commands: Any) -> None:
    emulator = commands.add_parser("emulator", help="запустить эмулятор процессинга")
    emulator.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=8020, help="порт (по умолчанию 8020)")
    emulator.add_argument("--token", default="", help="требовать этот токен (по умолчанию — любой)")
    emulator.add_argument("--catalog", type=Path, help="свой каталог вместо демо-каталога")
    emulator.add_argument("--faults", type=Path,
                          help="JSON-файл со сценарием сбоев: {\"rules\": [...]}")
    emulator.add_argument("--wallet-port", type=int, default=0, metavar="PORT",
                          help="ещё и эмулятор сервиса кошельков на этом порту (учётные данные "
                               "партнёра — как в демо-режиме; 0 — не запускать)")
    emulator.set_defaults(run_alone=_run_emulator)

    pin = commands.add_parser("pin-hash", help="хэш PIN кассира для ключа cashiers.list")
    pin.add_argument("--name", default="", help="имя кассира: напечатать готовую строку настроек")
    pin.add_argument("--role", choices=("cashier", "supervisor", "admin"), default="cashier",
                     help="роль в готовой строке: кассир, старший кассир, администратор")
    pin.set_defaults(run_alone=_pin_hash)

    config = commands.add_parser("config", help="показать действующие настройки")
    config.add_argument("--example", action="store_true",
                        help="напечатать пример config.toml со всеми ключами")
    config.add_argument("--kiosk", action="store_true", dest="example_kiosk",
                        help="с --example: пример для терминала самообслуживания "
                             "(kiosk.enabled = true)")
    config.set_defaults(run=_config, run_alone=_example)


def _example(args: argparse.Namespace) -> int | None:
    """``config --example`` needs no settings file (it prints one); plain ``config`` does."""
    if not args.example:
        return None
    values = {cfg.KIOSK_ENABLED.key: True} if args.example_kiosk else None
    sys.stdout.write(cfg.example_config(values))
    return EXIT_OK


def _config(settings: cfg.Settings, args: argparse.Namespace) -> int:
    echo(f"Файл настроек: {settings.config_path}")
    echo(f"Каталог данных: {settings.data_dir}")
    for key, value, source in settings.describe():
        echo(f"{key} = {value!s}    ({source})")
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
    wallets = _wallet_emulator(args.host, args.wallet_port) if args.wallet_port else None
    echo(f"Эмулятор процессинга слушает {server.url}/api/v20/ "
          f"({'токен обязателен' if args.token else 'токен не проверяется'}); Ctrl+C — выход")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if wallets is not None:
            wallets.stop()
    return EXIT_OK


def _wallet_emulator(host: str, port: int) -> Any:
    """The wallet service beside the center, with the demo's partner credentials (said on
    the terminal: they are the emulator's, not secrets)."""
    from cashier_app.emulator import WalletServer
    from cashier_app.emulator.demo import DEMO_WALLET

    try:
        wallets = WalletServer(host=host, port=port, client_id=DEMO_WALLET["client_id"],
                               client_secret=DEMO_WALLET["client_secret"],
                               partner_id=DEMO_WALLET["partner_id"]).start()
    except OSError as error:
        raise CommandFailed(f"Эмулятор кошельков не запущен: {error}") from None
    echo(f"Эмулятор кошельков слушает {wallets.url} (wallet.client_id="
         f"{DEMO_WALLET['client_id']}, wallet.client_secret={DEMO_WALLET['client_secret']}, "
         f"wallet.partner_id={DEMO_WALLET['partner_id']})")
    return wallets
