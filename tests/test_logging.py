import logging
from pathlib import Path

from cashier_app.logging_setup import setup_logging


def test_token_is_masked_in_the_log_file(tmp_path: Path) -> None:
    token = "tok-SECRET-123"
    path = setup_logging(tmp_path, secrets=[token], console_level=logging.CRITICAL)
    assert path is not None
    log = logging.getLogger("cashier_app.test")
    log.info("header Authorization: Bearer %s", token)
    try:
        raise RuntimeError(f"failed with {token}")
    except RuntimeError:
        log.exception("boom")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert token not in text
    assert "Bearer ***" in text and "failed with ***" in text
    setup_logging(None, console_level=logging.CRITICAL)
