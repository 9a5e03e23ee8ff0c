"""Webhook mode: nianbao's own HTTP server for Telegram's posts, and the health endpoint.

``POST /<path of NIANBAO_WEBHOOK_URL>``: the secret header is checked first (403 without it);
the update is stored in the inbox (bot/services/inbox.py) and only then answered 200, so an
update Telegram counts as delivered is never lost with the process. Handling then runs in the
chat's order across every process, through PTB's handlers (`Application.process_update`),
outside the post. When the database cannot take the update, it is handled at once instead: the
handlers find the database gone too and tell the person their answer was not saved, as in
polling mode.

``GET /healthz``: 200 with a JSON body when the database answers, 503 otherwise
(bot/services/health.py), for the load balancer, the container's health check and monitoring.

Not PTB's own webhook server: it answers Telegram before an update is stored and handles it in
whichever process received it, so behind a load balancer two updates of one chat could be
handled at once, in either order; and it serves no health check.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from telegram import Update

from bot.services.health import check_health
from bot.services.inbox import Inbox
from bot.telegram_handlers import NianbaoApp, NianbaoContext
from storage.faults import DatabaseFault

__all__ = ["HEALTH_PATH", "SECRET_HEADER", "WebhookServer"]

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (the header's name, not a secret)
SWEEP_SECONDS = 15.0  # how often a process looks for updates a stopped one left waiting
_MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are a few KB; a larger body is not one


class WebhookServer:
    def __init__(self, application: NianbaoApp, *, url: str, secret: str, listen: str, bound: int) -> None:
        services = application.bot_data.services
        if services is None:
            raise RuntimeError("build_application did not set the services")
        self.application = application
        self.services = services
        self.url = url
        self.path = "/" + url.split("://", 1)[-1].partition("/")[2]
        self._secret = secret.encode()
        host, _, port = listen.rpartition(":")
        self.host = host or "127.0.0.1"
        self.port = int(port)
        self.inbox = Inbox(services.db, self._handle, clock=services.clock, bound=bound)
        self._runner: web.AppRunner | None = None

    async def _handle(self, payload: Mapping[str, Any]) -> None:
        update = Update.de_json(dict(payload), self.application.bot)
        await self.application.process_update(update)

    def _web_app(self) -> web.Application:
        app = web.Application(client_max_size=_MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._on_post)
        app.router.add_get(HEALTH_PATH, self._on_health)
        return app

    async def _on_post(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("a webhook post without the secret was refused")
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400)
        try:
            await self.inbox.receive(update)
        except DatabaseFault as fault:
            # Handled here and now instead: the handlers find the database gone too and tell the
            # person that nothing was saved (as in polling mode), rather than leaving them with
            # no answer until Telegram posts it again.
            log.warning(
                "update %s not stored (%s): handled without the inbox", update["update_id"], fault.fault
            )
            await self._handle(update)
        return web.Response(status=200)

    async def _on_health(self, _request: web.Request) -> web.Response:
        health = await check_health(self.services.db, self.services.clock)
        return web.json_response(health.as_json(), status=200 if health.ok else 503)

    async def start(self) -> None:
        """Listen first, then tell Telegram where to post, then take over what a stopped process
        left waiting."""
        runner = web.AppRunner(self._web_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self._runner = runner
        await self.application.bot.set_webhook(
            self.url,
            secret_token=self._secret.decode(),
            allowed_updates=Update.ALL_TYPES,
        )
        job_queue = self.application.job_queue
        if job_queue is not None:
            job_queue.run_repeating(
                self._sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="inbox sweep"
            )
        recovered = await self.inbox.recover()
        log.info("webhook listening on %s:%s; %s chats had updates waiting", self.host, self.port, recovered)

    async def _sweep(self, _context: NianbaoContext) -> None:
        try:
            await self.inbox.sweep()
        except DatabaseFault as fault:
            log.warning("inbox sweep skipped: %s", fault.fault)

    async def stop(self) -> None:
        """Stop taking posts (the load balancer sends them to another process), then let the
        updates in hand finish."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.inbox.stop()
