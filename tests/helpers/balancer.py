"""A round-robin load balancer on 127.0.0.1: what nginx's upstream block is in front of N processes.

Each POST goes to the next backend in turn, with its body and Telegram's secret header, and its
answer goes back as the backend gave it. ``routed`` records, per update_id, which backend got it.
With ``repeat_every`` n, every n-th post is then posted again to the following backend, as when
Telegram, not hearing back in time, posts an update again and the balancer picks another process.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

_FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    def __init__(self, backends: Sequence[str], path: str, *, repeat_every: int = 0) -> None:
        """``backends``: base URLs (``http://127.0.0.1:PORT``); ``path``: the webhook path served."""
        self.backends = list(backends)
        self.repeat_every = repeat_every
        self.repeated: list[int] = []
        self._posts = 0
        self.path = "/" + path.lstrip("/")
        self.routed: dict[int, int] = {}
        self._turn = itertools.cycle(range(len(self.backends)))
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        index = next(self._turn)
        headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
        status = await self._post(index, body, headers)
        update_id = _update_id(body)
        if update_id is not None:
            self.routed[update_id] = index
        self._posts += 1
        if self.repeat_every and self._posts % self.repeat_every == 0:
            await self._post((index + 1) % len(self.backends), body, headers)
            if update_id is not None:
                self.repeated.append(update_id)
        return web.Response(status=status)

    async def _post(self, index: int, body: bytes, headers: dict[str, str]) -> int:
        assert self._session is not None
        try:
            async with self._session.post(
                self.backends[index] + self.path, data=body, headers=headers
            ) as answer:
                return answer.status
        except aiohttp.ClientError:
            return 502

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post(self.path, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()


def _update_id(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["update_id"])
    except (ValueError, KeyError, TypeError):
        return None
