"""NIANBAO_LOG_FORMAT=json: one JSON object a line that a log collector can parse, with no secret in it.

The handler is the one `./nianbao` installs (bot.log_redaction.log_handler), on a logger of the
test's own so the root logger stays pytest's. The real process is grepped in test_secrets.py.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from pydantic import SecretStr

from bot.log_redaction import REDACTED, log_handler
from bot.settings import Settings

TOKEN = "123456:AAH-secret-token-part_x9"
WEBHOOK_SECRET = "hook-Zr81pWq0vv"
PASSWORD = 'pg pw/with:odd@chars"q'  # a quote: JSON escapes it, so only the values can be searched
QUOTED = "pg%20pw%2Fwith%3Aodd%40chars%22q"
URL = f"postgresql://nianbao:{QUOTED}@db.internal:5432/nianbao"
SECRETS = [TOKEN, TOKEN.partition(":")[2], WEBHOOK_SECRET, PASSWORD, QUOTED, json.dumps(PASSWORD)[1:-1]]


def _settings(log_format: str) -> Settings:
    return Settings(
        telegram_token=SecretStr(TOKEN),
        webhook_secret=SecretStr(WEBHOOK_SECRET),
        database_url=URL,
        log_format=log_format,
    )


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through the configured handler into a buffer."""
    buffer = io.StringIO()
    logger = logging.getLogger("nianbao.test_log_format")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = log_handler(_settings("json"), buffer)
    logger.addHandler(handler)
    try:
        yield logger, buffer
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def _log_everything(logger: logging.Logger) -> None:
    logger.info("starting with token %s", TOKEN)  # in the args
    logger.warning(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")  # in the message  # noqa: G004
    logger.info("report saved", extra={"report_id": 42, "field_key": "t3.new.total"})
    logger.debug("setWebhook %s", {"url": "https://x.example/hook", "secret_token": WEBHOOK_SECRET})
    # An extra that is no string is turned into one by the JSON encoder.
    error = OSError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage")
    logger.info(
        "extra with a secret", extra={"url": f"https://api.telegram.org/bot{TOKEN}/x", "error": error}
    )
    try:
        raise ConnectionError(f"could not connect to postgresql://nianbao:{PASSWORD}@db.internal/nianbao")
    except ConnectionError:
        logger.exception("database unavailable (%s)", WEBHOOK_SECRET)


def _records(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 6  # one line per record: the traceback is inside its line
    return [json.loads(line) for line in lines]


def test_json_lines_parse_with_time_level_logger_message_and_extras(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = logged
    _log_everything(logger)
    records = _records(buffer)
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
        assert record["logger"] == "nianbao.test_log_format"
        assert datetime.fromisoformat(record["time"]).utcoffset() is not None  # a zone, not local guesswork
    assert [r["level"] for r in records] == ["INFO", "WARNING", "INFO", "DEBUG", "INFO", "ERROR"]
    assert records[2]["message"] == "report saved"
    assert records[2]["report_id"] == 42
    assert records[2]["field_key"] == "t3.new.total"
    assert "Traceback (most recent call last)" in records[5]["exception"]
    assert "ConnectionError" in records[5]["exception"]


def test_no_secret_in_json_lines_message_args_extras_or_traceback(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = logged
    _log_everything(logger)
    text = buffer.getvalue()
    assert [s for s in SECRETS if s in text] == []
    records = _records(buffer)
    assert records[0]["message"] == f"starting with token {REDACTED}"
    assert f"/bot{REDACTED}/getMe" in records[1]["message"]
    assert records[4]["url"] == f"https://api.telegram.org/bot{REDACTED}/x"
    assert f"/bot{REDACTED}/sendMessage" in records[4]["error"]
    assert f"nianbao:{REDACTED}@db.internal" in records[5]["exception"]
    assert records[5]["message"] == f"database unavailable ({REDACTED})"


def test_text_format_is_the_default_and_redacts_too() -> None:
    buffer = io.StringIO()
    logger = logging.getLogger("nianbao.test_log_format.text")
    logger.propagate = False
    handler = log_handler(_settings("text"), buffer)
    logger.addHandler(handler)
    try:
        _log_everything(logger)
    finally:
        logger.removeHandler(handler)
    text = buffer.getvalue()
    assert Settings().log_format == "text"
    assert " WARNING nianbao.test_log_format.text: GET " in text
    assert not text.lstrip().startswith("{")
    assert [s for s in SECRETS if s in text] == []
