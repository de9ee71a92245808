"""The fixtures are the seed's own bytes: check them against the seed when it is present."""

from pathlib import Path

from tests.conftest import ROOT, SEED_FIXTURES


def test_fixtures_are_verbatim_excerpts_of_the_seed() -> None:
    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("003_*.txt"))
    fixtures = sorted(Path(SEED_FIXTURES).glob("*.json"))
    assert len(fixtures) == 19
    if not seeds:  # a clone without shared/ beside it: the fixtures still stand on their own
        return
    seed = seeds[0].read_text(encoding="utf-8")
    for fixture in fixtures:
        assert fixture.read_text(encoding="utf-8") in seed, fixture.name
