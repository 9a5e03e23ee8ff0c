"""Configuration from the environment (NIANBAO_*), in one pydantic-settings class.

Secrets are SecretStr, so they never appear in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import async_url, sqlite_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIANBAO_", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_api_url: str | None = None
    """Bot API base URL, e.g. http://127.0.0.1:8081/bot (PTB base_url); default: Telegram's."""
    telegram_file_url: str | None = None
    database_url: str | None = None
    data_dir: Path = Path("data")
    output_dir: Path = Path("out")
    admins: Annotated[tuple[int, ...], NoDecode] = ()
    timezone: str = "Asia/Shanghai"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "127.0.0.1:8443"
    log_level: str | None = None
    """Logging level name (DEBUG, INFO, …); default INFO for the bot, WARNING otherwise."""
    bot_username: str | None = None
    """The bot's @username, for the invite links the command line prints (Telegram knows it itself)."""
    concurrent_chats: int = Field(default=4, ge=1, le=256)
    """Chats whose updates are processed at once (each chat stays in order); 4 measured best here."""
    send_per_second: float = Field(default=25, ge=0)
    """Messages per second the bot sends in all, shared by every process on one PostgreSQL
    (Telegram allows about 30); 0: unpaced, only for a Bot API stand-in."""
    log_format: Literal["text", "json"] = "text"
    """Log lines on stderr: text for a terminal, json (one object a line) for journald or a log collector."""

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return tuple(int(p) for p in parts if p)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip().upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return value.strip().upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_token")
    @classmethod
    def _real_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip() in {"", "TOKEN", "changeme", "xxx"}:
            raise ValueError("NIANBAO_TELEGRAM_TOKEN is empty or a placeholder")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return async_url(self.database_url)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return sqlite_url((self.data_dir / "nianbao.sqlite3").resolve())
