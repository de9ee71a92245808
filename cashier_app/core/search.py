"""Finding a service as the cashier types: over name, group and service id, case- and
ё/е-insensitive, every word of the query must match; most used services first. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, islice
from operator import itemgetter

from .services import ServiceDefinition, human_text


def fold(text: str) -> str:
    """Lower case, ё → е, odd spaces made plain: what both sides of a match are reduced to."""
    return human_text(text).casefold().replace("ё", "е")


def _haystack(service: ServiceDefinition) -> str:
    return fold(f"{service.name} {service.group} {service.service_id}")


class SearchIndex:
    """The catalog folded once, so that a keystroke only scans prepared text: with 10,000
    services a search stays well under one frame (see ``benchmarks/bench_window.py``)."""

    def __init__(self, services: Iterable[ServiceDefinition]) -> None:
        rows = [(_haystack(service), fold(service.name), service) for service in services]
        rows.sort(key=itemgetter(1))  # name order: the order among equally used services
        self._rows = rows
        self._by_id = {row[2].service_id: row for row in rows}
        # the last query and its matches: typing on only narrows them (a longer query that
        # starts with the previous one matches a subset of what that one matched)
        self._last: tuple[str, list[tuple[str, str, ServiceDefinition]]] = ("", rows)

    def search(self, query: str, usage: Mapping[str, int] | None = None,
               limit: int | None = None) -> tuple[list[ServiceDefinition], int]:
        """The best ``limit`` matches (all when None), in order, and how many matched.

        Order: services used at this point first (most used first), then those whose name
        starts with the first word, then the rest; by name within each."""
        usage = usage or {}
        folded = fold(query)
        words = folded.split()
        last_query, last_rows = self._last
        rows = last_rows if last_query and folded.startswith(last_query) else self._rows
        for word in words:  # one C-level substring pass per word
            rows = [row for row in rows if word in row[0]]
        self._last = (folded, rows)
        first = words[0] if words else ""
        # the used services are few: rank them directly instead of sorting every match
        used_rows = [row for service_id, count in usage.items() if count > 0
                     and (row := self._by_id.get(service_id)) is not None
                     and all(word in row[0] for word in words)]
        used_rows.sort(key=lambda row: (-usage[row[2].service_id],
                                        0 if first and row[1].startswith(first) else 1, row[1]))
        used_ids = {row[2].service_id for row in used_rows}
        # the rest in name order, those starting with the first word first — taken lazily,
        # so a limited search stops at its ``limit`` instead of ordering every match (a
        # one-letter query matches most of a big catalog)
        rest: Iterable[tuple[str, str, ServiceDefinition]]
        if first:
            rest = chain((row for row in rows if row[1].startswith(first)
                          and row[2].service_id not in used_ids),
                         (row for row in rows if not row[1].startswith(first)
                          and row[2].service_id not in used_ids))
        else:
            rest = (row for row in rows if row[2].service_id not in used_ids)
        best = used_rows[:limit]
        best += islice(rest, None if limit is None else limit - len(best))
        return [row[2] for row in best], len(rows)


def search(services: Iterable[ServiceDefinition], query: str,
           usage: Mapping[str, int] | None = None) -> list[ServiceDefinition]:
    """Services matching every word of ``query``; by use count (desc), then name.

    An empty query returns every service in that order. A service whose name starts with the
    query ranks above one that only contains it, at equal use."""
    return SearchIndex(services).search(query, usage)[0]


def most_used(services: Sequence[ServiceDefinition], usage: Mapping[str, int],
              limit: int = 6) -> list[ServiceDefinition]:
    """The services used at this point, most used first, for a quick-pick row."""
    used = [s for s in services if usage.get(s.service_id, 0) > 0]
    return search(used, "", usage)[:limit]
