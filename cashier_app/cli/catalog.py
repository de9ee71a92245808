"""``services`` and ``balance``: the catalog and the agent's balance, as the center has them."""

from __future__ import annotations

import asyncio
from typing import Any

from cashier_app import settings as cfg
from cashier_app.bootstrap import make_client
from cashier_app.core.money import format_amount, to_cents
from cashier_app.core.wire import encode_body
from cashier_app.engine.catalog import Catalog, CatalogError, CatalogStore, catalog_as_json
from cashier_app.processing.errors import AuthError, ProcessingError

from .common import EXIT_OK, CommandFailed, echo


def add_commands(commands: Any) -> None:
    services = commands.add_parser("services", help="получить каталог услуг, сохранить и вывести")
    services.add_argument("--json", action="store_true", help="вывод в JSON")
    services.add_argument("--offline", action="store_true",
                          help="не обращаться к процессингу, показать сохранённый каталог")
    services.set_defaults(run=lambda settings, args: asyncio.run(
        _services(settings, as_json=args.json, offline=args.offline)))

    balance = commands.add_parser("balance", help="баланс агента")
    balance.add_argument("--json", action="store_true", help="вывод в JSON")
    balance.set_defaults(run=lambda settings, args: asyncio.run(
        _balance(settings, as_json=args.json)))


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
