from hypothesis import given
from hypothesis import strategies as st

from cashier_app.core.search import SearchIndex, fold, most_used, search
from cashier_app.core.services import ServiceDefinition


def service(service_id: str, name: str, group: str) -> ServiceDefinition:
    return ServiceDefinition.from_wire({"serviceId": service_id, "type": 0, "name": name,
                                        "group": group})


CATALOG = [
    service("P1011", "Билайн", "Сотовая связь"),
    service("P1012", "МТС", "Сотовая связь"),
    service("P1013", "МегаФон", "Сотовая связь"),
    service("P0005", "ЕРЦ «Городские коммунальные системы»", "ЖКХ"),
    service("P3001", "Интернет «Сеть-Дом»", "Интернет и ТВ"),
    service("P7001", "Ёлочный базар", "Сезонные\u00a0товары"),
]


def ids(found: list[ServiceDefinition]) -> list[str]:
    return [s.service_id for s in found]


def test_fold() -> None:
    assert fold("  ЁЛКА\u00a0Ёж ") == "елка еж"


def test_by_name_group_and_id_case_insensitive() -> None:
    assert ids(search(CATALOG, "мегафон")) == ["P1013"]
    assert ids(search(CATALOG, "СОТОВАЯ")) == ["P1011", "P1013", "P1012"]  # by name
    assert ids(search(CATALOG, "p0005")) == ["P0005"]
    assert ids(search(CATALOG, "жкх")) == ["P0005"]


def test_yo_and_ye_are_the_same_letter() -> None:
    assert ids(search(CATALOG, "елочный")) == ["P7001"]
    assert ids(search(CATALOG, "Сеть-Дом")) == ids(search(CATALOG, "сеть-дом")) == ["P3001"]
    assert ids(search(CATALOG, "сезонные товары")) == ["P7001"]  # NBSP in the group


def test_every_word_must_match() -> None:
    assert ids(search(CATALOG, "связь мтс")) == ["P1012"]
    assert search(CATALOG, "связь жкх") == []


def test_most_used_first_then_prefix_then_name() -> None:
    usage = {"P1012": 5, "P1013": 9}
    assert ids(search(CATALOG, "связь", usage)) == ["P1013", "P1012", "P1011"]
    assert ids(most_used(CATALOG, usage)) == ["P1013", "P1012"]
    # at equal use, a name that starts with the query comes before one that only contains it,
    # even when it is later in the alphabet
    with_bank = [*CATALOG, service("P9001", "Банк МТС", "Банки")]
    assert ids(search(with_bank, "мтс")) == ["P1012", "P9001"]
    # empty query: everything, by name (ё folded to е)
    assert ids(search(CATALOG, "")) == ["P1011", "P7001", "P0005", "P3001", "P1013", "P1012"]


def test_index_gives_the_same_answer_typed_on_or_asked_afresh() -> None:
    from cashier_app.core.search import SearchIndex

    services = [ServiceDefinition.from_wire({"serviceId": f"P{i}", "name": name, "group": group})
                for i, (name, group) in enumerate([
                    ("Мосэнерго", "ЖКХ"), ("МТС", "Сотовая связь"), ("Ёлка-Телеком", "Интернет"),
                    ("Водоканал Москвы", "ЖКХ"), ("Мособлгаз", "ЖКХ")])]
    usage = {"P3": 2}
    typed = SearchIndex(services)
    for query in ["м", "мо", "мос", "мос ж", "мосэ", "е", "ел", "м"]:
        found, total = typed.search(query, usage)
        fresh, fresh_total = SearchIndex(services).search(query, usage)
        assert (found, total) == (fresh, fresh_total), query
    names, total = typed.search("мо", usage, limit=2)
    assert total == 3 and [s.name for s in names] == ["Водоканал Москвы", "Мособлгаз"]


@given(st.lists(st.tuples(st.sampled_from(["Мос", "Вод", "Ёлка", "Банк", "Газ", "мо"]),
                          st.sampled_from(["энерго", "канал", "связь", "кредит"])),
                min_size=1, max_size=60),
       st.sampled_from(["м", "мо", "в", "вод", "банк к", "газ", "ёлка", "", "к"]),
       st.dictionaries(st.integers(0, 59).map(lambda n: f"S{n:03d}"), st.integers(0, 5),
                       max_size=8),
       st.integers(1, 12))
def test_the_first_few_are_the_first_of_the_whole_order(names: list[tuple[str, str]],
                                                         query: str, usage: dict[str, int],
                                                         limit: int) -> None:
    """The window asks for the best hundred only; they are exactly the head of the full
    order (used first, then names starting with the first word, then the rest)."""
    catalog = [service(f"S{n:03d}", f"{a}{b} №{n}", "Группа") for n, (a, b) in enumerate(names)]
    index = SearchIndex(catalog)
    everything, total = index.search(query, usage)
    index = SearchIndex(catalog)  # a fresh index: no narrowing from the query before
    head, head_total = index.search(query, usage, limit)
    assert ids(head) == ids(everything)[:limit] and head_total == total == len(everything)
