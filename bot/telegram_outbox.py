"""The outbox on Telegram: PTB's errors as the outbox's outcomes, and the periodic drain job.

The only module that tells a 429 or a 403 from other errors; bot/services/outbox.py decides what they mean.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from bot.services.outbox import Blocked, Failed, NotSent, Outbox, RetryLater
from storage.outbox import Buttons

__all__ = ["JOB_NAME", "TelegramSender", "register_outbox", "retry_after_seconds"]

JOB_NAME = "nianbao-outbox"


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait after a 429."""
    # PTB 22 warns on reading retry_after as an int (it becomes a timedelta); accept both.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


class TelegramSender:
    """`bot.services.outbox.Sender` through PTB's Bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> None:
        try:
            await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=_markup(buttons))
        except RetryAfter as error:
            raise RetryLater(retry_after_seconds(error)) from error
        except Forbidden as error:
            raise Blocked(error.message) from error
        except TimedOut as error:
            # The request may have reached Telegram: delivery unknown, never re-sent.
            raise Failed("timed out; delivery unknown") from error
        except BadRequest as error:
            raise Failed(error.message) from error
        except NetworkError as error:
            # No answer came back before the connection failed: it did not arrive.
            raise NotSent(type(error).__name__) from error
        except TelegramError as error:
            raise Failed(f"{type(error).__name__}: {error.message}") from error


async def _drain_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    outbox = context.job.data if context.job is not None else None
    if isinstance(outbox, Outbox):
        outbox.kick()


def register_outbox(
    application: Application,  # type: ignore[type-arg]
    outbox: Outbox,
    *,
    interval: timedelta = timedelta(seconds=15),
    first: timedelta = timedelta(seconds=1),
) -> None:
    """The periodic drain (rows left by a restart, or due again after a 429) in PTB's JobQueue."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the outbox needs python-telegram-bot[job-queue]")
    job_queue.run_repeating(
        _drain_job,
        interval=interval,
        first=first,
        name=JOB_NAME,
        data=outbox,
        job_kwargs={"id": JOB_NAME, "replace_existing": True, "coalesce": True, "max_instances": 1},
    )
