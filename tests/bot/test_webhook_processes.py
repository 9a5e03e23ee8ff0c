"""Two nianbao processes in webhook mode on one PostgreSQL, behind a round-robin load balancer.

The stand-in posts every update to the balancer, which hands them to the two processes in turn,
so consecutive updates of one chat go to different processes. Each round, every person types
the answer to the question on screen and, at once, a second message (as when someone sends a
correction a moment later): that one was sent before the next question was shown and must be
refused, not stored as the next answer. Handled out of order, the second would be stored in the
first's place. Every third update is posted again to the other process (Telegram repeats a post
it did not hear back from in time): handled twice, it would be answered twice.

Both processes share one send rate (NIANBAO_SEND_PER_SECOND=20 between them), and the stand-in
refuses (429) anything beyond 25 messages a second overall: alone, each process would keep under
20 and together exceed 25. At the end, every answer is stored once, at its question, the
refusals came in order, and no send was over the limit in any one-second window.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.telegram_webhook import HEALTH_PATH
from dialogs import messages as msg
from storage.db import Database
from storage.tables import Answer, AnswerChange
from tests.helpers.balancer import Balancer
from tests.helpers.bot_process import BotProcess, bot_env, bot_process, free_port
from tests.helpers.botapi import Json, StandIn
from tests.helpers.postgres import PostgresCluster
from tests.helpers.telegram_bot import (
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    add_agency,
    join,
    open_round_with_agency,
    token_of,
)

PEOPLE = 24
FIRST_PERSON = 5001
SHARED_RATE = 20  # messages/s for both processes together
TELEGRAM_LIMIT = 25  # what the stand-in lets through in any one-second window
# (the question's token, the answer, the message sent right after it), table 二 of a 部门
ROUNDS = (
    ("t2.regulations", "0 0 3", "7 7 7"),
    ("t2.normative_documents", "1 0 12", "8 8 8"),
    ("t2.licensing", "5", "7"),
    ("t2.penalty", "2", "8"),
    ("t2.coercion", "0", "7"),
)
NEXT = "t2.fees"


@asynccontextmanager
async def two_processes(
    api: StandIn, url: str, tmp_path: Path
) -> AsyncIterator[tuple[Balancer, list[BotProcess]]]:
    ports = [free_port(), free_port()]
    async with AsyncExitStack() as stack:
        balancer = await stack.enter_async_context(
            Balancer([f"http://127.0.0.1:{port}" for port in ports], repeat_every=3)
        )
        processes = []
        for index, port in enumerate(ports):
            env = bot_env(
                api,
                url,
                tmp_path / f"process{index}",
                NIANBAO_WEBHOOK_URL=f"{balancer.url}/{WEBHOOK_PATH}",
                NIANBAO_WEBHOOK_SECRET=WEBHOOK_SECRET,
                NIANBAO_LISTEN=f"127.0.0.1:{port}",
                NIANBAO_SEND_PER_SECOND=str(SHARED_RATE),
            )
            processes.append(await stack.enter_async_context(bot_process(api, env, tmp_path)))
        yield balancer, processes


async def _next_second() -> None:
    """Until just after the wall clock's next whole second: Telegram dates messages in whole
    seconds, and one dated the second its question appeared counts as sent before it."""
    await asyncio.sleep(1.05 - time.time() % 1.0)


async def _fill(api: StandIn, person: int) -> list[tuple[Json, Json]]:
    """Every round's two replies: the next question, then the refusal of the second message."""
    replies = []
    for _token, answer, second in ROUNDS:
        await _next_second()
        await api.send_text(person, answer)
        await api.send_text(person, second)
        first, refusal = await api.wait_for_messages(person, 2, timeout=60)
        replies.append((first, refusal))
    return replies


def _max_in_one_second(moments: list[float]) -> int:
    moments.sort()
    most, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] <= moment - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.mark.slow
async def test_two_processes_keep_each_chat_in_order_store_every_answer_once_and_share_the_rate(
    api: StandIn, pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database()
    db = Database(url)
    await db.upgrade()
    try:
        async with two_processes(api, url, tmp_path) as (balancer, _processes):
            async with aiohttp.ClientSession() as http:
                for backend in balancer.targets:
                    async with http.get(backend + HEALTH_PATH) as health:
                        assert health.status == 200
                        assert (await health.json())["database"] == "ok"
            people = list(range(FIRST_PERSON, FIRST_PERSON + PEOPLE))
            tokens = [await open_round_with_agency(api, "区政府办公室", "部门")]
            tokens += [await add_agency(api, f"区第{n}局", "部门") for n in range(1, PEOPLE)]
            for person, token in zip(people, tokens, strict=True):
                assert token_of(await join(api, person, token)) == ROUNDS[0][0]
            api.enforce_limits(per_chat_per_s=5, global_per_s=TELEGRAM_LIMIT)
            since = len(api.sent)

            replies = await asyncio.gather(*(_fill(api, person) for person in people))

            sends = [
                c.at for c in api.sent[since:] if c.method in ("sendMessage", "sendDocument") and c.is_ok
            ]
        # Both processes took updates, and each person's consecutive updates alternated between them.
        assert set(balancer.routed.values()) == {0, 1}
        assert len(balancer.repeated) >= PEOPLE * len(ROUNDS) * 2 // 3
        assert api.limit_violations == 0
        assert _max_in_one_second(sends) <= TELEGRAM_LIMIT
        assert len(sends) == PEOPLE * len(ROUNDS) * 2
        for rounds in replies:
            for (first, refusal), following in zip(rounds, [*(r[0] for r in ROUNDS[1:]), NEXT], strict=True):
                assert token_of(first) == following, first["text"]
                assert msg.OUTDATED_ANSWER not in first["text"]
                assert refusal["text"].startswith(msg.OUTDATED_ANSWER), refusal["text"]
                assert token_of(refusal) == following

        async with db.session() as session:
            answers = (await session.exec(select(Answer))).all()
            changes = (await session.exec(select(AnswerChange))).all()
        written: dict[tuple[int, str], int] = defaultdict(int)
        for change in changes:
            written[change.report_id, change.key] += 1
        assert set(written.values()) == {1}  # every cell written once
        typed: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for answer in answers:
            typed[answer.report_id][answer.key.rsplit(".", 1)[0]].add(answer.raw)
        assert len(typed) == PEOPLE
        expected = {token: {answer} for token, answer, _second in ROUNDS}
        for report in typed.values():
            assert {k: v for k, v in report.items() if k in expected} == expected
            assert set(report) <= set(expected)
    finally:
        await db.dispose()
