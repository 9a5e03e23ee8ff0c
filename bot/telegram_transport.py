"""PTB's networking backend on aiohttp: what carries every Bot API call of the bot.

python-telegram-bot talks HTTP through a pluggable `telegram.request.BaseRequest`; its default,
`HTTPXRequest`, spends most of the bot's CPU per reply in httpx/httpcore (../shared/PERFORMANCE.md:
PTB's echo bot 1.85 ms per reply, a bare aiohttp loop 0.14 ms). This class keeps everything PTB
does above the transport (typed objects, error mapping from the Bot API's answers, retries,
`RetryAfter` on 429) and replaces only the HTTP client, after PTB's own `AiohttpRequest` in
ptbcontrib, with two changes measured here: parameters travel as one JSON body (as the Bot API
accepts) instead of a form rebuilt per call, and timeouts objects are built once per combination.

Every message the bot sends (replies and the outbox's) first waits for its slot of the overall
send rate (`Pacing`, bot/services/send_rate.py: shared by every process on one PostgreSQL), and
a 429 holds that rate for everyone for the retry_after Telegram asks.

HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment are honoured, as with httpx.

Timeouts map onto aiohttp's: `connect_timeout` → `sock_connect`, `read_timeout` → `sock_read`,
`pool_timeout` → `connect` (which in aiohttp covers waiting for a pooled connection plus
connecting). aiohttp has no write timeout; `write_timeout` (and `media_write_timeout` for
uploads) bounds the whole call instead, on top of the read timeout, so an upload cannot hang.
"""

from __future__ import annotations

import io
import json
import logging
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


def proxy_configured() -> bool:
    """Whether HTTP(S)_PROXY is set: where Telegram is blocked, the Bot API is reached through one.

    aiohttp honours those variables only with `trust_env`, which also makes it look them up
    (and ~/.netrc) on every call, so it is switched on only when there is a proxy to use.
    """
    return bool({"http", "https"} & urllib.request.getproxies().keys())


_JSON: Final = {"Content-Type": "application/json"}
# The Bot API methods that deliver a message: Telegram's flood limits count these.
SENDING_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage"}
)


@dataclass(frozen=True, slots=True)
class Pacing:
    """What the transport awaits before a message leaves, and tells after a 429."""

    acquire: Callable[[], Awaitable[None]]
    hold: Callable[[float], Awaitable[None]]


def _retry_after(body: bytes) -> float | None:
    try:
        answer = json.loads(body)
        return float(answer["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


class AiohttpTransport(BaseRequest):
    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pacing",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_timeouts",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        pool_size: int = 8,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        pacing: Pacing | None = None,
    ) -> None:
        self._pacing = pacing
        self._pool_size = pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # The session belongs to the running loop, so it is made here and not in __init__
        # (PTB builds requests before the loop runs).
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                trust_env=proxy_configured(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        *,
        upload: bool,
    ) -> aiohttp.ClientTimeout:
        read_s = self._read_timeout if isinstance(read, DefaultValue) else read
        connect_s = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        if isinstance(write, DefaultValue):
            write_s = self._media_write_timeout if upload else self._write_timeout
        else:
            write_s = write
        key = (read_s, write_s, connect_s, pool_s)
        timeout = self._timeouts.get(key)
        if timeout is None:
            parts = (read_s, write_s, connect_s, pool_s)
            total = None if any(part is None for part in parts) else sum(p for p in parts if p is not None)
            timeout = aiohttp.ClientTimeout(
                total=total, connect=pool_s, sock_connect=connect_s, sock_read=read_s
            )
            self._timeouts[key] = timeout
        return timeout

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpTransport is not initialized")
        upload = request_data is not None and request_data.contains_files
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, upload=upload)
        data: bytes | aiohttp.FormData | None = None
        headers = None
        if request_data is not None and upload:
            # aiohttp's default (`quote_fields=True`) percent-encodes the filename parameter, which
            # Telegram's server takes literally: a document arrived named "%E5%B9%B3…txt". Like
            # PTB's httpx transport and browsers (RFC 7578 §4.2), send the name as raw UTF-8.
            form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                # As a stream: aiohttp warns that a raw body over 1 MiB (a district's export zip)
                # "might lock the event loop".
                body = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
                form.add_field(name, body, filename=filename, content_type=mime)
            data = form
        elif request_data is not None:
            data = request_data.json_payload
            headers = _JSON
        pacing = self._pacing if url.rpartition("/")[2] in SENDING_METHODS else None
        if pacing is not None:
            await pacing.acquire()
        try:
            async with session.request(method, url, data=data, headers=headers, timeout=timeout) as response:
                status, answer = response.status, await response.read()
        except TimeoutError as error:
            if isinstance(error, aiohttp.ConnectionTimeoutError):
                raise TimedOut("no connection to the Bot API in time; the request was not sent") from error
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        if status == 429 and pacing is not None:
            seconds = _retry_after(answer)
            if seconds is not None:
                await pacing.hold(seconds)
        return status, answer
