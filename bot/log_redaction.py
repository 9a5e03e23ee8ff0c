"""Logging set up so no secret reaches a log line: the bot token, the webhook secret, the
database password.

PTB logs every Bot API call with its parameters at DEBUG (setWebhook's carry the secret), and
httpx/aiohttp errors name request URLs, which contain the token. A filter on every root
handler rewrites each record, its traceback included, before it is formatted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

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


def configure_logging(settings: Settings, *, is_bot: bool) -> None:
    """Root logging at NIANBAO_LOG_LEVEL (default INFO for the bot, WARNING otherwise), redacted."""
    level = settings.log_level or (logging.INFO if is_bot else logging.WARNING)
    logging.basicConfig(level=level, format=LOG_FORMAT)
    redact = RedactSecrets(settings_secrets(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # httpx logs every request URL at INFO; keep that noise out unless debugging.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        # pdfminer warns about every font of an imported PDF it reads only in part (a missing
        # FontBBox): noise for a file that was read; one that cannot be read is logged by importer/pdf.py.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
