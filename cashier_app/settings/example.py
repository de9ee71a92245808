"""A commented ``config.toml`` with every key and its default (``cashier-app config
--example``; the README's settings table follows the same declarations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .registry import REGISTRY

LIST_EXAMPLES = {
    "receipt.header": '["Пункт приёма платежей «У дома»"]',
    "receipt.footer": '["Спасибо!", "Сохраняйте чек до зачисления платежа"]',
    "commission.rules": '[{ service = "*", percent = 1.5, minimum = 10 }]',
    "cashiers.list": '[{ name = "Иванова А.", pin = "pbkdf2_sha256$120000$…" }]',
    "sbp.field_names": '["qrId=qrcId", "payload=qrUrl"]',
    "sbp.status_names": '["PAID=ACWP", "CREATED=NTST"]',
    "kiosk.popular": '["P1011", "P1012", "P0005"]',
    "card.service_map": '{ P1011 = "109-5804-1", "*" = "109-5804-9" }',
    "card.paths": '{ anonymous = "/shop/payment/anonymous" }',
}


def example_config(values: Mapping[str, Any] | None = None) -> str:
    """A commented config.toml with every key and its default, for the README and --help;
    ``values`` shown instead of some defaults (the kiosk installer's file: kiosk on)."""
    values = values or {}
    lines: list[str] = []
    section = ""
    for key, setting in REGISTRY.items():
        table, name = key.split(".", 1)
        if table != section:
            lines.append(f"\n[{table}]")
            section = table
        lines.append(f"# {setting.description} (переменная {setting.env})")
        default = values.get(key, setting.default)
        if isinstance(default, list):
            lines.append(f"# пример: {name} = {LIST_EXAMPLES.get(key, '[]')}")
            shown = "[]"
        elif isinstance(default, dict):
            lines.append(f"# пример: {name} = {LIST_EXAMPLES.get(key, '{}')}")
            shown = "{}"
        elif isinstance(default, bool):
            shown = "true" if default else "false"
        elif isinstance(default, str):
            shown = f'"{default}"'
        else:
            shown = str(default)
        lines.append(f"{name} = {shown}")
    return "\n".join(lines).lstrip() + "\n"
