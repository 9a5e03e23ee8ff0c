"""The load balancer of the multi-process benchmark (tests/helpers/balancer.py), and the
stand-in's Telegram-like webhook delivery it sits behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from tests.helpers.balancer import Balancer
from tests.helpers.bot_process import free_port
from tests.helpers.botapi import StandIn


@asynccontextmanager
async def _target(name: str, seen: list[tuple[str, str, str, bytes]]) -> AsyncIterator[str]:
    """A server on 127.0.0.1 that records what reached it and answers with its name."""

    async def handle(request: web.Request) -> web.Response:
        seen.append((name, request.path_qs, request.headers.get("X-Secret", ""), await request.read()))
        return web.Response(status=201, text=name, headers={"X-Served-By": name})

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_requests_go_round_robin_with_path_headers_and_body() -> None:
    seen: list[tuple[str, str, str, bytes]] = []
    async with (
        _target("a", seen) as a,
        _target("b", seen) as b,
        Balancer([a, b]) as balancer,
        aiohttp.ClientSession() as session,
    ):
        answers = []
        for n in range(4):
            async with session.post(
                f"{balancer.url}/hook/path?n={n}", data=f"body {n}".encode(), headers={"X-Secret": "s"}
            ) as answer:
                answers.append((answer.status, await answer.text(), answer.headers["X-Served-By"]))
        assert [a for _, a, _ in answers] == ["a", "b", "a", "b"]
        assert {status for status, _, _ in answers} == {201}
        assert seen == [
            ("a", "/hook/path?n=0", "s", b"body 0"),
            ("b", "/hook/path?n=1", "s", b"body 1"),
            ("a", "/hook/path?n=2", "s", b"body 2"),
            ("b", "/hook/path?n=3", "s", b"body 3"),
        ]
        assert balancer.forwarded == [2, 2]


async def test_a_target_that_refuses_is_skipped_and_none_gives_502() -> None:
    seen: list[tuple[str, str, str, bytes]] = []
    down = f"http://127.0.0.1:{free_port()}"
    async with _target("up", seen) as up, aiohttp.ClientSession() as session:
        async with Balancer([down, up]) as balancer:
            for _ in range(3):
                async with session.post(f"{balancer.url}/x", data=b"1") as answer:
                    assert await answer.text() == "up"
            assert balancer.forwarded == [0, 3]
        async with Balancer([down]) as alone, session.post(f"{alone.url}/x", data=b"1") as answer:
            assert answer.status == 502
            assert alone.failed == 1


async def test_stand_in_delivers_at_most_max_connections_at_once_in_order() -> None:
    in_flight = 0
    most = 0
    started: list[str] = []
    release = asyncio.Event()
    two_started = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        nonlocal in_flight, most
        update = await request.json()
        started.append(update["message"]["text"])
        if len(started) >= 2:
            two_started.set()
        in_flight += 1
        most = max(most, in_flight)
        await release.wait()
        in_flight -= 1
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with StandIn(webhook_max_connections=True) as api, aiohttp.ClientSession() as session:
            async with session.post(
                f"{api.base_url}{api.token}/setWebhook", json={"url": url, "max_connections": 2}
            ) as answer:
                assert (await answer.json())["ok"]
            sends = [asyncio.create_task(api.send_text(100 + n, f"m{n}")) for n in range(5)]
            async with asyncio.timeout(10):
                await two_started.wait()
            # An observation window, not a wait for an event: unbounded, the other three POSTs
            # would arrive within it; bounded, nothing can.
            await asyncio.sleep(0.2)
            assert len(started) == 2
            release.set()
            await asyncio.gather(*sends)
        assert most == 2
        assert started == [f"m{n}" for n in range(5)]
    finally:
        await runner.cleanup()
