"""A round-robin reverse proxy on 127.0.0.1: "the load balancer" in front of several bot processes.

Telegram posts a bot's webhook updates to one URL. To run several nianbao processes, that URL is
the balancer's; each process listens on its own port (NIANBAO_LISTEN) and the balancer hands each
request to the next process in turn, passing method, path, query, headers (the webhook's secret
token among them) and body through, and the process's answer back::

    async with Balancer(["http://127.0.0.1:8001", "http://127.0.0.1:8002"]) as balancer:
        webhook_url = f"{balancer.url}/nianbao/updates"  # NIANBAO_WEBHOOK_URL of both processes
        ...
        assert balancer.forwarded == [n1, n2]  # requests each target answered

With ``repeat_every`` n, every n-th request is then sent again to the following target, as when
Telegram, not hearing back in time, posts an update again and the balancer picks another process;
``routed`` keeps, per update_id, the target that got it first, and ``repeated`` the update_ids
sent twice.

A target that refuses the connection is skipped for that request (the next one is tried); when
none accepts, or one fails after it got the request, the request gets 502, as from a real load
balancer (Telegram then posts the update again later). As its own process
(the benchmark runs it so, apart from the load driver's event loop)::

    python -m tests.helpers.balancer --port 8000 --to http://127.0.0.1:8001 --to http://127.0.0.1:8002

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

__all__ = ["Balancer"]

# Hop-by-hop headers (RFC 9110 §7.6.1) and those aiohttp recomputes: not passed through.
_NOT_FORWARDED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}
)


class Balancer:
    def __init__(self, targets: Sequence[str], *, port: int = 0, repeat_every: int = 0) -> None:
        if not targets:
            raise ValueError("a balancer needs at least one target")
        for target in targets:
            if not target.startswith("http://127.0.0.1:"):
                raise ValueError(f"only 127.0.0.1 targets: {target}")
        self.targets = [t.rstrip("/") for t in targets]
        self.forwarded = [0] * len(self.targets)  # requests answered, per target
        self.failed = 0  # requests no target answered
        self.repeat_every = repeat_every
        self.routed: dict[int, int] = {}  # update_id -> the target that got it first
        self.repeated: list[int] = []
        self._requests = 0
        self._next = 0
        self._wanted_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> Self:
        # Keep-alive connections to each target, as a real balancer keeps its upstream pool.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=60)
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._wanted_port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Balancer is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        start = self._next
        self._next = (self._next + 1) % len(self.targets)
        self._requests += 1
        answered = await self._send(request, body, headers, start)
        update_id = _update_id(body)
        if answered is not None and update_id is not None:
            self.routed.setdefault(update_id, answered[0])
        if self.repeat_every and self._requests % self.repeat_every == 0:
            again = await self._send(request, body, headers, (start + 1) % len(self.targets))
            if again is not None and update_id is not None:
                self.repeated.append(update_id)
        if answered is None:
            self.failed += 1
            return web.Response(status=502, text="Bad Gateway: no target answered")
        return answered[1]

    async def _send(
        self, request: web.Request, body: bytes, headers: dict[str, str], start: int
    ) -> tuple[int, web.Response] | None:
        """The request to the first target from `start` that takes it: which one, and its answer."""
        assert self._session is not None
        for attempt in range(len(self.targets)):
            index = (start + attempt) % len(self.targets)
            try:
                async with self._session.request(
                    request.method,
                    self.targets[index] + request.rel_url.path_qs,
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                ) as answer:
                    payload = await answer.read()
                    status, answer_headers = answer.status, answer.headers
            except aiohttp.ClientConnectorError:
                continue  # nothing was sent to that one: the next target gets the request
            except (aiohttp.ClientError, TimeoutError):
                break  # it may have taken the request: not sent twice
            self.forwarded[index] += 1
            return index, web.Response(
                status=status,
                body=payload,
                headers={k: v for k, v in answer_headers.items() if k.lower() not in _NOT_FORWARDED},
            )
        return None


def _update_id(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["update_id"])
    except (ValueError, KeyError, TypeError):
        return None


async def _serve(port: int, targets: Sequence[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with Balancer(targets, port=port) as balancer:
        await stop.wait()
    # On stderr, so a run's log shows how the requests were spread.
    sys.stderr.write(
        f"balancer: forwarded {balancer.forwarded} to {balancer.targets}, failed {balancer.failed}\n"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Round-robin reverse proxy on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", action="append", required=True, help="a target, http://127.0.0.1:PORT")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.to))


if __name__ == "__main__":
    main()
