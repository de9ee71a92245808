import io
import json
import logging
import os
import stat
import urllib.parse
from pathlib import Path

import pytest

from cashier_app.util.logging_setup import SecretMask, secret_forms, setup_logging


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


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def _reset() -> None:
    setup_logging(None, console_level=logging.CRITICAL)


@pytest.mark.parametrize("token", ["tok\nen-SECRET", "токен-СЕКРЕТ", "tok en/SECRET?&",
                                   "tok'en\"SECRET\\x"])
def test_every_form_of_the_token_is_masked(tmp_path: Path, token: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = setup_logging(tmp_path, secrets=[token], console_level=logging.WARNING)
    assert path is not None
    log = logging.getLogger("cashier_app.test")
    forms = {
        "raw": token, "repr": repr(token), "ascii": ascii(token), "json": json.dumps(token),
        "json_utf8": json.dumps(token, ensure_ascii=False),
        "unicode_escape": token.encode("unicode_escape").decode(),
        "percent": urllib.parse.quote(token, safe=""),
        "percent_plus": urllib.parse.quote_plus(token),
        "bytes": repr(token.encode("utf-8")), "header": repr(f"Bearer {token}".encode()),
        "double": repr(repr(token)),
    }
    for name, form in forms.items():
        log.warning("%s: Illegal header value %s", name, form)
        log.warning("as message " + form)
    try:
        raise ValueError(f"Illegal header value {f'Bearer {token}'.encode()!r}")
    except ValueError:
        log.exception("boom %r", {"Authorization": f"Bearer {token}"})
    _flush()
    text = path.read_text(encoding="utf-8") + capsys.readouterr().err
    _reset()
    assert "SECRET" not in text and "СЕКРЕТ" not in text
    assert text.count("***") >= 2 * len(forms)


def test_the_console_gets_one_line_and_no_traceback(capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    setup_logging(None, console_level=logging.WARNING)
    log = logging.getLogger("cashier_app.test")
    try:
        raise RuntimeError("inner detail")
    except RuntimeError:
        log.exception("could not do it\nsecond line \x1b[2J")
    err = capsys.readouterr().err
    _reset()
    assert err.count("\n") == 1
    assert "Traceback" not in err and "inner detail" not in err and "\x1b" not in err
    assert "could not do it second line" in err


def test_a_failing_log_write_prints_nothing(tmp_path: Path,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    path = setup_logging(tmp_path, console_level=logging.CRITICAL)
    assert path is not None
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.stream.close()
            handler.stream = FullDisk()
    logging.getLogger("cashier_app.test").error("the disk is full")
    console = logging.getLogger().handlers[0]
    assert isinstance(console, logging.StreamHandler)
    console.setLevel(logging.DEBUG)
    console.setStream(FullDisk())  # a closed or broken stderr, too
    logging.getLogger("cashier_app.test").error("stderr is gone")
    out, err = capfd.readouterr()
    _reset()
    assert err == "" and out == ""


def test_the_log_is_owner_only(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    path = setup_logging(logs, console_level=logging.CRITICAL)
    assert path is not None
    logging.getLogger("cashier_app.test").warning("hello")
    _flush()
    if os.name != "posix":  # no such modes there
        _reset()
        return
    assert stat.S_IMODE(os.stat(logs).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    _reset()
    os.chmod(path, 0o644)  # left by an older version
    os.chmod(logs, 0o755)
    setup_logging(logs, console_level=logging.CRITICAL)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(logs).st_mode) == 0o700
    _reset()


def test_secret_forms_cover_the_escapes() -> None:
    forms = secret_forms("a\nбв")
    for form in ("a\nбв", "a\\nбв", "a\\n\\u0431\\u0432", "a%0A%D0%B1%D0%B2",
                 "a\\n\\xd0\\xb1\\xd0\\xb2", "a\\\\n\\\\xd0\\\\xb1\\\\xd0\\\\xb2"):
        assert form in forms, form
    assert SecretMask(["abc"]).secrets == []  # too short to mask safely
