"""Logging set up so no secret reaches a log line: the bot token, the webhook secret, the
database password.

PTB logs every Bot API call with its parameters at DEBUG (setWebhook's carry the secret), and
httpx/aiohttp errors name request URLs, which contain the token. A filter on every root
handler rewrites each record, its traceback included, before it is formatted.

NIANBAO_LOG_FORMAT=json writes one JSON object a line (python-json-logger) for journald or a
log collector. That formatter renders the traceback itself and adds the extras a call passes
(`extra={"report_id": …}`), so it redacts again what it is about to write: every value, then
the line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote

from pythonjsonlogger.json import JsonFormatter

from bot.settings import Settings
from storage.db import url_password

REDACTED = "[redacted]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces every secret in a record's message, traceback and stack by REDACTED."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # The longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def redact_value(self, value: Any) -> Any:
        """`value` with every string in it redacted (dicts and lists walked); others as they are."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(item) for item in value]
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def settings_secrets(settings: Settings) -> list[str]:
    """The token (and its secret half), the webhook secret, the database password (also URL-quoted)."""
    found: list[str] = []
    if settings.telegram_token is not None:
        token = settings.telegram_token.get_secret_value()
        found += [token, token.partition(":")[2]]
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    if settings.database_url:
        password = url_password(settings.database_url)
        if password:
            found += [password, quote(password, safe="")]
    return found


class JsonLines(JsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, exception, extras."""

    def __init__(self, redact: RedactSecrets) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            json_ensure_ascii=False,  # Chinese stays readable in journalctl
        )
        self._redact = redact

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        redacted: dict[str, Any] = self._redact.redact_value(log_data)
        return redacted

    def serialize_log_record(self, log_data: dict[str, Any]) -> str:
        # An extra that is no str (an exception, an object) is str()-ed by the encoder: once more.
        return self._redact.redact(super().serialize_log_record(log_data))


def log_handler(settings: Settings, stream: TextIO) -> logging.Handler:
    """A handler writing to `stream` in NIANBAO_LOG_FORMAT, with the secrets of `settings` redacted."""
    redact = RedactSecrets(settings_secrets(settings))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonLines(redact) if settings.log_format == "json" else logging.Formatter(LOG_FORMAT)
    )
    handler.addFilter(redact)
    return handler


def configure_logging(settings: Settings, *, is_bot: bool) -> None:
    """Root logging at NIANBAO_LOG_LEVEL (default INFO for the bot, WARNING otherwise), redacted."""
    level = settings.log_level or (logging.INFO if is_bot else logging.WARNING)
    logging.basicConfig(level=level, handlers=[log_handler(settings, sys.stderr)])
    if settings.log_format == "json":
        logging.captureWarnings(True)  # a library's warning is a JSON line too, not a bare one
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # httpx logs every request URL at INFO; keep that noise out unless debugging.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        # pdfminer warns about every font of an imported PDF it reads only in part (a missing
        # FontBBox): noise for a file that was read; one that cannot be read is logged by importer/pdf.py.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
