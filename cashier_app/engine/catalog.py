"""The service catalog: fetched from ``/services``, cached on disk for when the processing
center is slow or unreachable. No Qt here."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cashier_app.core.answers import ServicesAnswer
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.wire import WireFormatError, decode_body, encode_body
from cashier_app.errors import UserFacingError
from cashier_app.processing.client import ProcessingClient
from cashier_app.processing.errors import ResponseFormatError
from cashier_app.util.fsutil import atomic_write

log = logging.getLogger(__name__)
CACHE_NAME = "catalog-cache.json"


@dataclass(frozen=True)
class Catalog:
    services: tuple[ServiceDefinition, ...]
    fetched_at: datetime
    from_cache: bool
    problems: tuple[str, ...] = ()

    def by_id(self, service_id: str) -> ServiceDefinition | None:
        return next((s for s in self.services if s.service_id == service_id), None)

    def groups(self) -> dict[str, list[ServiceDefinition]]:
        grouped: dict[str, list[ServiceDefinition]] = {}
        for service in self.services:
            grouped.setdefault(service.group or "Прочее", []).append(service)
        return grouped


class CatalogError(UserFacingError):
    """The processing center gave a final error for /services and there is no cache."""


class CatalogStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CACHE_NAME

    def save(self, answer: object, fetched_at: datetime) -> None:
        """Write atomically: a crash leaves either the old cache or the new one."""
        payload = {"fetchedAt": fetched_at.isoformat(timespec="seconds"), "answer": answer}
        atomic_write(self.path, encode_body(payload, strict_amounts=False))

    def load(self) -> Catalog | None:
        try:
            payload = decode_body(self.path.read_bytes())
            answer = ServicesAnswer.parse(payload["answer"])
            fetched_at = datetime.fromisoformat(payload["fetchedAt"])
        except FileNotFoundError:
            return None
        except (OSError, WireFormatError, ResponseFormatError, KeyError, TypeError,
                ValueError) as error:
            log.warning("catalog cache %s unusable: %s", self.path, error)
            return None
        return Catalog(answer.services, fetched_at, True, answer.problems)

    async def refresh(self, client: ProcessingClient) -> Catalog:
        """Fetch ``/services`` and cache it. Raises ProcessingError (no answer) or
        CatalogError (a final error code)."""
        data = await client.post("services", b"{}")
        try:
            answer = ServicesAnswer.parse(data)
        except ResponseFormatError as error:
            raise CatalogError(str(error)) from error
        if not answer.ok:
            raise CatalogError(f"Каталог услуг не получен: {answer.cashier_message}")
        for problem in answer.problems:
            log.warning("catalog: %s", problem)
        now = datetime.now()
        self.save(data, now)
        return Catalog(answer.services, now, False, answer.problems)


def catalog_as_json(catalog: Catalog) -> str:
    rows = []
    for service in catalog.services:
        rows.append({
            "serviceId": service.service_id,
            "name": service.name,
            "group": service.group,
            "type": service.type_code,
            "scheme": service.scheme.value,
            "fixedPayment": service.fixed_payment,
            "country": service.country,
            "inputs": [{"name": f.name, "title": f.title, "required": f.required,
                        "regexp": f.regexp} for f in service.inputs],
            "displays": [{"name": f.name, "title": f.title} for f in service.displays],
        })
    return json.dumps(rows, ensure_ascii=False, indent=2)
