"""Finding a service as the cashier types: over name, group and service id, case- and
ё/е-insensitive, every word of the query must match; most used services first. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .services import ServiceDefinition, human_text


def fold(text: str) -> str:
    """Lower case, ё → е, odd spaces made plain: what both sides of a match are reduced to."""
    return human_text(text).casefold().replace("ё", "е")


def _haystack(service: ServiceDefinition) -> str:
    return fold(f"{service.name} {service.group} {service.service_id}")


def search(services: Iterable[ServiceDefinition], query: str,
           usage: Mapping[str, int] | None = None) -> list[ServiceDefinition]:
    """Services matching every word of ``query``; by use count (desc), then name.

    An empty query returns every service in that order. A service whose name starts with the
    query ranks above one that only contains it, at equal use."""
    usage = usage or {}
    words = fold(query).split()
    found: list[tuple[int, int, str, ServiceDefinition]] = []
    for service in services:
        haystack = _haystack(service)
        if all(word in haystack for word in words):
            starts = 0 if words and fold(service.name).startswith(words[0]) else 1
            found.append((-usage.get(service.service_id, 0), starts, fold(service.name),
                           service))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]


def most_used(services: Sequence[ServiceDefinition], usage: Mapping[str, int],
              limit: int = 6) -> list[ServiceDefinition]:
    """The services used at this point, most used first, for a quick-pick row."""
    used = [s for s in services if usage.get(s.service_id, 0) > 0]
    return search(used, "", usage)[:limit]
