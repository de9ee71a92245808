from cashier_app import settings as cfg
from tests.conftest import ROOT


def test_readme_documents_every_setting_and_both_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in cfg.REGISTRY.values():
        assert f"`{setting.key}`" in readme and f"`{setting.env}`" in readme, setting.key
    assert "`./scripts/demo`" in readme and "`./scripts/test`" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
