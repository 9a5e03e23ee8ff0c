"""Load driver: scripted users talk to a bot process through the Bot API stand-in on 127.0.0.1.

One run starts ``tests.helpers.botapi.StandIn``, starts the bot as a separate process pointed at it,
lets N simulated users act at once (each user waits for the bot's answer before its next input), then
stops the bot with SIGTERM and the stand-in. It reports reply latency (p50/p95/max), throughput
(bot outputs per second), lost replies, the bot's peak RSS (psutil, sampled, children included) and
the bot's CPU time per reply. Nothing but 127.0.0.1 is contacted, and every run is bounded: per-reply
timeout, an overall deadline, and capped user and message counts on the command line.

Command line (the echo bot by default)::

    .venv/bin/python -m bench.load --bot echo --users 200 --messages 10
    .venv/bin/python -m bench.load --cmd "{python} -m bot --some-flag" --users 50 --messages 20

``--cmd`` may use ``{python}``, ``{token}``, ``{base_url}`` and ``{base_file_url}``; the bot also gets
BOTAPI_TOKEN, BOTAPI_BASE_URL and BOTAPI_BASE_FILE_URL in its environment.

User scripts (how nianbao's own benchmark drives a real report fill)
-------------------------------------------------------------------
A *script factory* is called once per simulated user with that user's Telegram id and returns the
user's *script*: a callable that receives what the bot did in answer to the previous input (a
sequence of ``BotOutput`` — new messages and edits, empty before the first input) and returns the next
input, or ``None`` when the user is done. Inputs are values:

* ``SendText(text)``: the user types ``text`` (``/start`` gets its bot_command entity);
* ``Press(callback_data)``: the user presses that inline button on the newest bot message carrying it
  (or on ``message_id``);
* ``SendDocument(filename, data)``: the user uploads a file.

Each input has ``expect`` (default 1): how many bot outputs (new messages or edits) make up the
answer. Latency is measured from the input to the ``expect``-th output. A script is plain Python, so
it can keep state and read the bot's text and buttons (``StandIn.buttons(message)``)::

    def fill_report(user_id: int) -> UserScript:
        inputs = iter([SendText("/start"), Press("begin"), SendText("12"), SendText("3.5")])

        def next_input(answer: Sequence[BotOutput]) -> Action | None:
            if answer and "已提交" in answer[-1].message.get("text", ""):
                return None
            return next(inputs, None)

        return next_input

    result = asyncio.run(run_load(command, fill_report, users=50, label="nianbao fill"))

``scripted(actions)`` makes a factory from a fixed list (``Callable[[int], Sequence[Action]]``), and
``echo_users(messages)`` is the default echo workload. When an answer does not arrive within
``reply_timeout`` its expected outputs count as lost and that user stops (its script could no longer
be trusted to be in step with the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import shlex
import signal
import statistics
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.helpers.botapi import BotOutput, StandIn

__all__ = [
    "ECHO_BOT",
    "Action",
    "LoadResult",
    "Press",
    "ScriptFactory",
    "SendDocument",
    "SendText",
    "UserScript",
    "echo_users",
    "format_table",
    "run_load",
    "scripted",
]

_REPO = Path(__file__).resolve().parents[1]
_MIB = 1024 * 1024
ECHO_BOT = (
    "{python}",
    "-m",
    "bench.echo_bot",
    "--token",
    "{token}",
    "--base-url",
    "{base_url}",
    "--base-file-url",
    "{base_file_url}",
)
_MAX_USERS = 5000
_MAX_MESSAGES = 1000


@dataclass(frozen=True, slots=True)
class SendText:
    text: str
    expect: int = 1


@dataclass(frozen=True, slots=True)
class Press:
    callback_data: str
    message_id: int | None = None  # None: the newest bot message that carries this button
    expect: int = 1


@dataclass(frozen=True, slots=True)
class SendDocument:
    filename: str
    data: bytes
    expect: int = 1


Action = SendText | Press | SendDocument
UserScript = Callable[[Sequence[BotOutput]], Action | None]
ScriptFactory = Callable[[int], UserScript]


@dataclass(frozen=True, slots=True)
class LoadResult:
    label: str
    users: int
    inputs: int  # inputs the users sent
    replies: int  # bot outputs received as answers
    lost: int  # expected outputs that did not arrive in time
    unfinished_users: int  # users stopped by a lost reply or by the deadline
    error_calls: int  # bot calls the stand-in answered with an error
    p50_ms: float
    p95_ms: float
    max_ms: float
    replies_per_s: float
    duration_s: float
    peak_rss_mib: float
    bot_cpu_ms_per_reply: float


@dataclass(slots=True)
class _Tally:
    latencies: list[float] = field(default_factory=list)
    inputs: int = 0
    replies: int = 0
    lost: int = 0
    unfinished: int = 0
    first_input_at: float | None = None
    last_reply_at: float | None = None


def scripted(actions_for: Callable[[int], Sequence[Action]]) -> ScriptFactory:
    """A factory whose users send a fixed list of inputs, whatever the bot answers."""

    def factory(user_id: int) -> UserScript:
        actions: Iterator[Action] = iter(actions_for(user_id))

        def next_input(answer: Sequence[BotOutput]) -> Action | None:
            return next(actions, None)

        return next_input

    return factory


def echo_users(messages: int) -> ScriptFactory:
    """Each user sends ``messages`` distinct texts, one at a time."""
    return scripted(lambda user_id: [SendText(f"u{user_id} m{number}") for number in range(messages)])


def _percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


async def _perform(api: StandIn, user_id: int, action: Action) -> None:
    match action:
        case SendText(text=text):
            await api.send_text(user_id, text)
        case SendDocument(filename=filename, data=data):
            await api.send_document(user_id, filename, data)
        case Press(callback_data=data, message_id=message_id):
            if message_id is None:
                carriers = [
                    m
                    for m in api.bot_messages(user_id)
                    if any(
                        b.callback_data == data
                        for row in api.buttons(api.message(user_id, m["message_id"]))
                        for b in row
                    )
                ]
                if not carriers:
                    raise ValueError(f"user {user_id}: no bot message carries button {data!r}")
                message_id = int(carriers[-1]["message_id"])
            await api.press(user_id, message_id, data)


async def _run_user(
    api: StandIn, user_id: int, factory: ScriptFactory, reply_timeout: float, tally: _Tally
) -> None:
    script = factory(user_id)
    answer: Sequence[BotOutput] = ()
    while (action := script(answer)) is not None:
        started = api.clock()
        if tally.first_input_at is None:
            tally.first_input_at = started
        await _perform(api, user_id, action)
        tally.inputs += 1
        try:
            answer = await api.wait_for_outputs(user_id, action.expect, reply_timeout)
        except TimeoutError:
            tally.lost += action.expect
            tally.unfinished += 1
            return
        tally.replies += len(answer)
        tally.latencies.append(answer[-1].at - started)
        tally.last_reply_at = max(tally.last_reply_at or 0.0, answer[-1].at)


def _tree(process: psutil.Process) -> list[psutil.Process]:
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        return [process, *process.children(recursive=True)]
    return [process]


def _tree_cpu(process: psutil.Process) -> float:
    cpu = 0.0
    for member in _tree(process):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = member.cpu_times()
            cpu += times.user + times.system
    return cpu


async def _sample_rss(process: psutil.Process, interval: float, peak: list[int]) -> None:
    # Listing children scans all of /proc (milliseconds of this event loop's time), so the process
    # tree is refreshed about once a second while the cheap RSS reads happen every interval.
    refresh_every = max(1, round(1.0 / interval))
    for tick in itertools.count():
        if tick % refresh_every == 0:
            members = _tree(process)
        rss = 0
        for member in members:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                rss += member.memory_info().rss
        peak[0] = max(peak[0], rss)
        await asyncio.sleep(interval)  # a sampling period, not a wait for an event


async def _stop_process(process: asyncio.subprocess.Process, grace: float) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)  # PTB's run_polling stops cleanly on SIGTERM
    try:
        async with asyncio.timeout(grace):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


async def run_load(
    bot_command: Sequence[str],
    script: ScriptFactory,
    *,
    users: int,
    label: str = "",
    reply_timeout: float = 10.0,
    deadline: float = 300.0,
    startup_timeout: float = 30.0,
    rss_interval: float = 0.05,
    env: Mapping[str, str] | None = None,
    first_user_id: int = 100_000,
) -> LoadResult:
    """Runs ``users`` scripted users against a fresh bot process and measures it."""
    async with StandIn() as api:
        values = {
            "python": sys.executable,
            "token": api.token,
            "base_url": api.base_url,
            "base_file_url": api.base_file_url,
        }
        command = [part.format(**values) for part in bot_command]
        process_env = {
            **os.environ,
            **(env or {}),
            "BOTAPI_TOKEN": api.token,
            "BOTAPI_BASE_URL": api.base_url,
            "BOTAPI_BASE_FILE_URL": api.base_file_url,
        }
        process = await asyncio.create_subprocess_exec(*command, cwd=_REPO, env=process_env)
        try:
            return await _measure(
                api,
                process,
                script,
                users=users,
                label=label or " ".join(bot_command[1:4]),
                reply_timeout=reply_timeout,
                deadline=deadline,
                startup_timeout=startup_timeout,
                rss_interval=rss_interval,
                first_user_id=first_user_id,
            )
        finally:
            await _stop_process(process, grace=15.0)


async def _measure(
    api: StandIn,
    process: asyncio.subprocess.Process,
    script: ScriptFactory,
    *,
    users: int,
    label: str,
    reply_timeout: float,
    deadline: float,
    startup_timeout: float,
    rss_interval: float,
    first_user_id: int,
) -> LoadResult:
    polling = asyncio.create_task(api.wait_until_polling(startup_timeout))
    exited = asyncio.create_task(process.wait())
    await asyncio.wait([polling, exited], return_when=asyncio.FIRST_COMPLETED)
    if not polling.done() or polling.exception() is not None:
        polling.cancel()
        exited.cancel()
        raise RuntimeError(f"bot did not start polling (exit code {process.returncode})")
    exited.cancel()

    watched = psutil.Process(process.pid)
    peak = [0]
    sampler = asyncio.create_task(_sample_rss(watched, rss_interval, peak))
    cpu_before = _tree_cpu(watched)
    tally = _Tally()
    tasks = [
        asyncio.create_task(_run_user(api, first_user_id + n, script, reply_timeout, tally))
        for n in range(users)
    ]
    try:
        async with asyncio.timeout(deadline):
            await asyncio.gather(*tasks)
    except TimeoutError:
        pending = [t for t in tasks if not t.done()]
        tally.unfinished += len(pending)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    cpu_after = _tree_cpu(watched)
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler

    start = tally.first_input_at or 0.0
    duration = (tally.last_reply_at or start) - start
    latencies_ms = sorted(x * 1000 for x in tally.latencies)
    return LoadResult(
        label=label,
        users=users,
        inputs=tally.inputs,
        replies=tally.replies,
        lost=tally.lost,
        unfinished_users=tally.unfinished,
        error_calls=sum(1 for call in api.sent if not call.is_ok),
        p50_ms=_percentile(latencies_ms, 0.50),
        p95_ms=_percentile(latencies_ms, 0.95),
        max_ms=latencies_ms[-1] if latencies_ms else float("nan"),
        replies_per_s=tally.replies / duration if duration > 0 else float("nan"),
        duration_s=duration,
        peak_rss_mib=peak[0] / _MIB,
        bot_cpu_ms_per_reply=(cpu_after - cpu_before) * 1000 / tally.replies
        if tally.replies
        else float("nan"),
    )


def format_table(results: Sequence[LoadResult]) -> str:
    header = (
        "| bot | users | inputs | replies | lost | p50 ms | p95 ms | max ms | replies/s | "
        "peak RSS MiB | bot CPU ms/reply | error calls |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for r in results:
        lines.append(
            f"| {r.label} | {r.users} | {r.inputs} | {r.replies} | {r.lost} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | "
            f"{r.max_ms:.0f} | {r.replies_per_s:.0f} | {r.peak_rss_mib:.0f} | {r.bot_cpu_ms_per_reply:.2f} | "
            f"{r.error_calls} |"
        )
    return "\n".join(lines)


def _bounded(maximum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be between 1 and {maximum}")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load a bot through the Bot API stand-in on 127.0.0.1.")
    parser.add_argument("--bot", choices=["echo"], default="echo", help="a built-in bot to start")
    parser.add_argument(
        "--cmd", help="the bot's command line instead; may use {python} {token} {base_url} ..."
    )
    parser.add_argument("--concurrent-updates", type=int, default=1, help="for the echo bot")
    parser.add_argument("--users", type=_bounded(_MAX_USERS), default=200)
    parser.add_argument("--messages", type=_bounded(_MAX_MESSAGES), default=10)
    parser.add_argument("--rounds", type=_bounded(10), default=1)
    parser.add_argument("--reply-timeout", type=float, default=10.0)
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for one round, at most")
    args = parser.parse_args(argv)

    if args.cmd:
        command: list[str] = shlex.split(args.cmd)
        label = args.cmd
    else:
        command = [*ECHO_BOT, "--concurrent-updates", str(args.concurrent_updates)]
        label = "PTB echo" + (
            f", concurrent_updates={args.concurrent_updates}" if args.concurrent_updates > 1 else ""
        )
    results = [
        asyncio.run(
            run_load(
                command,
                echo_users(args.messages),
                users=args.users,
                label=f"{label} ({args.users}×{args.messages})",
                reply_timeout=args.reply_timeout,
                deadline=args.deadline,
            )
        )
        for _ in range(args.rounds)
    ]
    print(format_table(results))


if __name__ == "__main__":
    main()
