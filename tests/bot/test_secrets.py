"""Secrets stay secret: the bot token, the webhook secret and the database password appear in no
log line (at DEBUG, PTB's and the HTTP clients' loggers included), no message and no file written.

The real bot runs as its own process on the Bot API stand-in and a PostgreSQL URL with a
password (the test server trusts its socket, so it accepts the password and ignores it). The
run provokes the errors that log most: a forged webhook post, a button press never issued, an
export, and the database server going away under a dialog. It runs once more with
NIANBAO_LOG_FORMAT=json, whose formatter renders tracebacks and extras itself: every line is then
a JSON object, and the same grep applies.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.log_redaction import RedactSecrets
from dialogs import messages_telegram as tmsg
from storage.db import Database
from tests.helpers.bot_process import BotProcess, bot_env, bot_process, free_port, webhook_env
from tests.helpers.botapi import StandIn
from tests.helpers.postgres import PostgresCluster, postgres_cluster
from tests.helpers.telegram_bot import ADMIN, WEBHOOK_PATH, join, open_round_with_agency

STAFF = 5201
PASSWORD = "pw-Gd83kQz19xLm"
SECRET = "hook-secret-Vq72nHs0aa"


@pytest.fixture
def lone_pg() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        yield cluster


def _with_password(url: str) -> str:
    user, rest = url.removeprefix("postgresql://").split("@", 1)
    return f"postgresql://{user}:{PASSWORD}@{rest}"


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """A file's text, and that of every member when it is a zip (an export, a .docx)."""
    yield name, data.decode("utf-8", "replace")
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _texts(f"{name}!{member}", archive.read(member))


def _written_files(root: Path) -> list[tuple[str, str]]:
    return [t for path in root.rglob("*") if path.is_file() for t in _texts(str(path), path.read_bytes())]


async def _reply(api: StandIn, chat: int, text: str) -> None:
    while (await api.next_reply(chat, timeout=60))["text"] != text:
        pass


async def _provoke(api: StandIn, pg: PostgresCluster, bot: BotProcess, *, webhook_port: int | None) -> None:
    if webhook_port is not None:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{webhook_port}/{WEBHOOK_PATH}",
                json={"update_id": 1, "message": "not an update"},
                headers={"X-Telegram-Bot-Api-Secret-Token": "guessed"},
            ) as answer,
        ):
            assert answer.status == 403
    token = await open_round_with_agency(api, "区行政审批局", "部门")
    prompt = await join(api, STAFF, token)
    await api.send_text(STAFF, "1 0 3")
    await api.next_reply(STAFF)
    stale = StandIn.buttons(prompt)[0][0].callback_data
    assert stale is not None
    await api.press(STAFF, prompt, stale)  # a button of a question answered already
    await api.send_text(STAFF, "/start wrong-invite-token")
    await _reply(api, STAFF, tmsg.INVITE_INVALID)
    await api.send_text(ADMIN, "/export 2024")
    await api.wait_for_call("sendDocument", chat_id=ADMIN, timeout=60)
    pg.stop()
    await api.send_text(STAFF, "2 1 40")
    await _reply(api, STAFF, tmsg.DB_UNAVAILABLE)
    pg.start()
    await api.send_text(STAFF, "/fill")
    await api.next_reply(STAFF, timeout=60)
    assert bot.process.returncode is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "log_format"), [("webhook", "text"), ("polling", "text"), ("webhook", "json")]
)
async def test_no_secret_in_any_log_line_message_or_file(
    mode: str, log_format: str, api: StandIn, lone_pg: PostgresCluster, tmp_path: Path
) -> None:
    url = _with_password(lone_pg.create_database())
    db = Database(url)
    await db.upgrade()  # the password URL works (nothing here hides a connection failure)
    await db.dispose()
    port = free_port() if mode == "webhook" else None
    extra = webhook_env(port, SECRET) if port is not None else {}
    env = bot_env(api, url, tmp_path, NIANBAO_LOG_LEVEL="DEBUG", NIANBAO_LOG_FORMAT=log_format, **extra)
    async with bot_process(api, env, tmp_path) as bot:
        await _provoke(api, lone_pg, bot, webhook_port=port)
    log = "".join(bot.log_lines)
    if log_format == "json":
        records = [json.loads(line) for line in bot.log_lines]  # every line is one JSON object
        assert any("exception" in r for r in records) or any(
            "database unavailable" in r["message"] for r in records
        )
    assert "Calling Bot API endpoint" in log  # PTB's DEBUG lines are there to be searched
    assert "Traceback" in log or "database unavailable" in log
    secrets = [api.token, api.token.partition(":")[2], PASSWORD]
    if port is not None:
        secrets.append(SECRET)
        assert api.webhook is not None
        assert api.webhook["secret_token"] == SECRET  # the secret did reach Telegram
    places: list[tuple[str, str]] = [(f"log line {n}", line) for n, line in enumerate(bot.log_lines)]
    places += [
        (f"message {m.get('message_id')}", str(m)) for m in api.bot_messages(STAFF) + api.bot_messages(ADMIN)
    ]
    for call in api.sent:
        if call.document_bytes is not None:
            places += _texts(f"sent {call.document_name}", call.document_bytes)
    places += _written_files(tmp_path)
    leaks = [(where, secret) for where, text in places for secret in secrets if secret in text]
    assert leaks == []
    assert len(bot.log_lines) > 50  # about 110-130 lines per run are grepped


def test_the_filter_redacts_arguments_and_tracebacks() -> None:
    import logging

    redact = RedactSecrets(["s3cr3t-token"])
    try:
        raise ValueError("GET /bots3cr3t-token/getMe failed")
    except ValueError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", ("/bots3cr3t-token/x",), None)
        record.exc_info = (type(error), error, error.__traceback__)
    assert redact.filter(record)
    formatted = logging.Formatter().format(record)
    assert "s3cr3t-token" not in formatted
    assert "/bot[redacted]/x" in formatted
