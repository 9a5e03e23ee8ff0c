"""The reminders' tick: one repeating PTB JobQueue job that runs the reminder service.

The service (bot/services/reminders.py) reads what is due from the database, claims, enqueues and
drains the outbox; this module only schedules it and builds it with the Telegram sender.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.services.outbox import Outbox
from bot.services.reminders import Reminders
from bot.settings import Settings
from bot.telegram_outbox import TelegramSender
from bot.working_calendar import WorkingCalendar
from dialogs.form import Form
from dialogs.report_2021 import form_2021
from storage.db import Database

__all__ = ["JOB_NAME", "Reminders", "register_reminders"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
JOB_NAME = "nianbao-reminders"


def _job_callback(reminders: Reminders) -> Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    async def tick(_context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            report = await reminders.run_once()
        except Exception:
            log.exception("reminder run failed; the next run retries from the database")
            return
        if report.sent or report.blocked or report.failed or report.digests:
            log.info(
                "reminders: sent %d, blocked %d, failed %d, retried %d, deferred %d, digests %d",
                report.sent,
                report.blocked,
                report.failed,
                report.retried,
                report.deferred,
                report.digests,
            )

    return tick


def register_reminders(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    form: Form | None = None,
    outbox: Outbox | None = None,
    interval: timedelta = timedelta(seconds=60),
    first: timedelta = timedelta(seconds=5),
    calendar: WorkingCalendar | None = None,
) -> Reminders:
    """Add the one repeating reminder job to the application's JobQueue; returns the service.

    Every process may register it: the claims in the database keep two processes from sending
    one reminder twice. The stable job id with ``replace_existing`` keeps a second call from
    adding a second job.
    """
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("reminders need python-telegram-bot[job-queue]")
    reminders = Reminders(
        outbox=outbox or Outbox(db, TelegramSender(application.bot), clock=clock),
        db=db,
        zone=settings.zone,
        clock=clock,
        form=form or form_2021(),
        calendar=calendar,
    )
    job_queue.run_repeating(
        _job_callback(reminders),
        interval=interval,
        first=first,
        name=JOB_NAME,
        # A tick that comes late (a busy loop, or ``first`` passed before the scheduler started)
        # still runs, once: misfires are coalesced, never dropped or replayed.
        job_kwargs={
            "id": JOB_NAME,
            "replace_existing": True,
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": None,
        },
    )
    return reminders
