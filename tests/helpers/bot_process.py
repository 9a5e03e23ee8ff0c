"""The real `nianbao` bot as its own process, on the Bot API stand-in (for kills and log greps)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers.botapi import StandIn
from tests.helpers.telegram_bot import ADMIN, WEBHOOK_PATH

REPO = Path(__file__).resolve().parents[2]
START_LIMIT = 60.0  # seconds: a safety bound on a start, so a hung process fails the test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(api: StandIn, database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    env.update(
        NIANBAO_TELEGRAM_TOKEN=api.token,
        NIANBAO_TELEGRAM_API_URL=api.base_url,
        NIANBAO_TELEGRAM_FILE_URL=api.base_file_url,
        NIANBAO_DATABASE_URL=database_url,
        NIANBAO_ADMINS=str(ADMIN),
        NIANBAO_OUTPUT_DIR=str(tmp_path / "out"),
        NIANBAO_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


def webhook_env(port: int, secret: str) -> dict[str, str]:
    return {
        "NIANBAO_WEBHOOK_URL": f"http://127.0.0.1:{port}/{WEBHOOK_PATH}",
        "NIANBAO_WEBHOOK_SECRET": secret,
        "NIANBAO_LISTEN": f"127.0.0.1:{port}",
    }


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_lines: list[str] = field(default_factory=list)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)


async def _collect(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode("utf-8", "replace"))


async def _until_listening(listen: str) -> None:
    """PTB (22.8) sets the webhook a moment before its server listens: connect until it accepts."""
    host, _, port = listen.rpartition(":")
    async with asyncio.timeout(START_LIMIT):
        while True:
            try:
                _, writer = await asyncio.open_connection(host, int(port))
            except OSError:
                await asyncio.sleep(0.01)  # a probe of another process's port: no event to await
                continue
            writer.close()
            await writer.wait_closed()
            return


@asynccontextmanager
async def bot_process(
    api: StandIn, env: dict[str, str], cwd: Path, command: Sequence[str] = (sys.executable, "-m", "bot")
) -> AsyncIterator[BotProcess]:
    """Starts `command` (`python -m bot`), waits until it takes updates (polls, or set its webhook),
    and at the end stops it with SIGTERM (unless the test killed it). Every stderr line is kept."""
    since = len(api.sent)
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=cwd,
    )
    assert process.stdout is not None
    running = BotProcess(process)
    reader = asyncio.create_task(_collect(process.stdout, running.log_lines))
    try:
        ready = "setWebhook" if "NIANBAO_WEBHOOK_URL" in env else "deleteWebhook"
        await api.wait_for_call(ready, since=since, timeout=START_LIMIT)
        if ready == "deleteWebhook":
            await api.wait_until_polling(START_LIMIT)
        else:
            await _until_listening(env["NIANBAO_LISTEN"])
        yield running
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), START_LIMIT)
        except TimeoutError:
            process.kill()
            await process.wait()
        with suppress(TimeoutError):
            await asyncio.wait_for(reader, START_LIMIT)
