"""Load driver: scripted users talk to a bot process through the Bot API stand-in on 127.0.0.1.

One run starts ``tests.helpers.botapi.StandIn``, starts the bot as a separate process pointed at it,
lets N simulated users act at once (each user waits for the bot's answer before its next input), then
stops the bot with SIGTERM and the stand-in. It reports reply latency (p50/p95/max), throughput
(bot outputs per second), lost replies, the bot's peak RSS (psutil, sampled, children included) and
the bot's CPU time per reply. Nothing but 127.0.0.1 is contacted, and every run is bounded: per-reply
timeout, an overall deadline, and capped user and message counts on the command line.

With ``processes=N, webhook=Webhook()`` the bot runs as N processes taking updates by webhook:
each listens on its own 127.0.0.1 port (BOTAPI_WEBHOOK_LISTEN), all set the same webhook URL
(BOTAPI_WEBHOOK_URL, with BOTAPI_WEBHOOK_SECRET), that of a round-robin balancer started as its
own process (tests/helpers/balancer.py), and the stand-in posts each update there as Telegram
does (at most setWebhook's max_connections at once). RSS and CPU are then summed over the
processes; the balancer's CPU is reported apart.

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
import secrets
import shlex
import signal
import socket
import statistics
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
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
    "Webhook",
    "echo_users",
    "format_table",
    "median_result",
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
    peak_rss_mib: float  # of all the bot's processes together
    bot_cpu_ms_per_reply: float  # of all the bot's processes together
    processes: int = 1
    balancer_cpu_ms_per_reply: float = 0.0  # the load balancer's, in webhook mode (not the bot's)


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


async def _sample_rss(processes: Sequence[psutil.Process], interval: float, peak: list[int]) -> None:
    """The peak of the processes' (and their children's) RSS together."""
    # Listing children scans all of /proc (milliseconds of this event loop's time), so the process
    # trees are refreshed about once a second while the cheap RSS reads happen every interval.
    refresh_every = max(1, round(1.0 / interval))
    members: list[psutil.Process] = []
    for tick in itertools.count():
        if tick % refresh_every == 0:
            members = [member for process in processes for member in _tree(process)]
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


@dataclass(frozen=True, slots=True)
class Webhook:
    """Updates through a webhook instead of long polling: each bot process listens on its own
    127.0.0.1 port and the stand-in posts to one URL, a round-robin balancer's
    (tests/helpers/balancer.py, its own process) in front of them. The stand-in delivers as
    Telegram does, at most setWebhook's max_connections POSTs at once."""

    path: str = "bench/updates"


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
    processes: int = 1,
    webhook: Webhook | None = None,
) -> LoadResult:
    """Runs ``users`` scripted users against fresh bot processes and measures them.

    Polling needs one process (Telegram ends a second getUpdates with 409). With ``webhook``,
    each of the ``processes`` also gets BOTAPI_WEBHOOK_URL (the balancer's), BOTAPI_WEBHOOK_SECRET
    and BOTAPI_WEBHOOK_LISTEN (its own host:port).
    """
    if processes < 1 or (processes > 1 and webhook is None):
        raise ValueError("several bot processes need a webhook (one URL, a balancer in front)")
    async with StandIn(webhook_max_connections=webhook is not None) as api:
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
        bots: list[asyncio.subprocess.Process] = []
        balancer: asyncio.subprocess.Process | None = None
        try:
            if webhook is None:
                bots.append(await asyncio.create_subprocess_exec(*command, cwd=_REPO, env=process_env))
            else:
                ports = [_free_port() for _ in range(processes)]
                front = _free_port()
                balancer = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.helpers.balancer",
                    "--port",
                    str(front),
                    *itertools.chain.from_iterable(("--to", f"http://127.0.0.1:{p}") for p in ports),
                    cwd=_REPO,
                )
                secret = secrets.token_urlsafe(24)
                for port in ports:
                    bot_env = {
                        **process_env,
                        "BOTAPI_WEBHOOK_URL": f"http://127.0.0.1:{front}/{webhook.path}",
                        "BOTAPI_WEBHOOK_SECRET": secret,
                        "BOTAPI_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                    }
                    bots.append(await asyncio.create_subprocess_exec(*command, cwd=_REPO, env=bot_env))
                await _until_accepting([front, *ports], [balancer, *bots], startup_timeout)
            return await _measure(
                api,
                bots,
                balancer,
                script,
                users=users,
                label=label or " ".join(bot_command[1:4]),
                reply_timeout=reply_timeout,
                deadline=deadline,
                startup_timeout=startup_timeout,
                rss_interval=rss_interval,
                first_user_id=first_user_id,
                webhook=webhook is not None,
            )
        finally:
            await asyncio.gather(*(_stop_process(bot, grace=15.0) for bot in bots))
            if balancer is not None:
                await _stop_process(balancer, grace=5.0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until_accepting(
    ports: Sequence[int],
    processes: Sequence[asyncio.subprocess.Process],
    timeout: float,  # noqa: ASYNC109
) -> None:
    """Until every port on 127.0.0.1 takes a connection (the bots listen a moment after they
    set the webhook); a process that exits meanwhile fails the run."""
    async with asyncio.timeout(timeout):
        for port in ports:
            while True:
                exited = [p.returncode for p in processes if p.returncode is not None]
                if exited:
                    raise RuntimeError(f"a bot process exited before listening (exit code {exited[0]})")
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.02)  # another process's port: no event to await
                    continue
                writer.close()
                await writer.wait_closed()
                break


async def _until_ready(
    api: StandIn,
    bots: Sequence[asyncio.subprocess.Process],
    *,
    webhook: bool,
    timeout: float,  # noqa: ASYNC109
) -> None:
    """Polling: until the bot called getUpdates. Webhook: until every process set the webhook."""
    if webhook:

        async def all_set() -> None:
            since = 0
            for _ in bots:
                call = await api.wait_for_call("setWebhook", since=since, timeout=timeout)
                since = api.sent.index(call) + 1

        ready = asyncio.create_task(all_set())
    else:
        ready = asyncio.create_task(api.wait_until_polling(timeout))
    exits = [asyncio.create_task(bot.wait()) for bot in bots]
    await asyncio.wait([ready, *exits], return_when=asyncio.FIRST_COMPLETED)
    for task in exits:
        task.cancel()
    if not ready.done() or ready.exception() is not None:
        ready.cancel()
        codes = [bot.returncode for bot in bots]
        raise RuntimeError(f"bot did not start taking updates (exit codes {codes})")


async def _measure(
    api: StandIn,
    bots: Sequence[asyncio.subprocess.Process],
    balancer: asyncio.subprocess.Process | None,
    script: ScriptFactory,
    *,
    users: int,
    label: str,
    reply_timeout: float,
    deadline: float,
    startup_timeout: float,
    rss_interval: float,
    first_user_id: int,
    webhook: bool,
) -> LoadResult:
    await _until_ready(api, bots, webhook=webhook, timeout=startup_timeout)
    watched = [psutil.Process(bot.pid) for bot in bots]
    front = psutil.Process(balancer.pid) if balancer is not None else None
    peak = [0]
    sampler = asyncio.create_task(_sample_rss(watched, rss_interval, peak))
    cpu_before = sum(_tree_cpu(p) for p in watched)
    front_before = _tree_cpu(front) if front is not None else 0.0
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
    cpu_after = sum(_tree_cpu(p) for p in watched)
    front_after = _tree_cpu(front) if front is not None else 0.0
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler

    start = tally.first_input_at or 0.0
    duration = (tally.last_reply_at or start) - start
    latencies_ms = sorted(x * 1000 for x in tally.latencies)

    def per_reply(cpu_seconds: float) -> float:
        return cpu_seconds * 1000 / tally.replies if tally.replies else float("nan")

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
        bot_cpu_ms_per_reply=per_reply(cpu_after - cpu_before),
        processes=len(bots),
        balancer_cpu_ms_per_reply=per_reply(front_after - front_before),
    )


def median_result(results: Sequence[LoadResult], label: str) -> LoadResult:
    """Every figure the median over `results` (rounds of one case)."""
    if not results:
        raise ValueError("no results")
    figures: dict[str, object] = {"label": label}
    for item in fields(LoadResult):
        if item.name == "label":
            continue
        value = statistics.median(float(getattr(r, item.name)) for r in results)
        figures[item.name] = int(value) if item.type in ("int", int) else value
    return LoadResult(**figures)  # type: ignore[arg-type]


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
