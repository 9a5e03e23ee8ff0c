"""One message's transaction (permission check, load, engine, save, commit), without Telegram.

Two kinds of message on SQLite, each measured twice in the same run: as nianbao runs it (answers
kept between turns, narratives read once) and with those caches emptied before every message, as
the baseline of what they save:

- *early*: the 3rd answer of a report just begun (what the bot bench's staff type);
- *review*: an edit in a complete report with last year's report on file (real report 1), which
  runs every rule again before showing the checklist.

    .venv/bin/python -m bench.turn_bench [--turns 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.__main__ import utc_clock
from bot.services.turns import Turns
from dialogs.catalogue import ALL_RULES
from dialogs.engine import Input, Text
from dialogs.narrative_claims import read_claims, read_docs_claims
from dialogs.report_2021 import form_2021
from dialogs.rules_cross_year import similarity
from storage import repositories as repo
from storage.db import Database, sqlite_url
from storage.turn_store import AnswerCache
from tests.helpers.fixtures import REAL_REPORTS, answers_from_json, narratives_from_json
from tests.helpers.seeded_reports import seed_report

EARLY, REVIEW = 9001, 9002


def _forget(turns: Turns) -> None:
    turns.answer_cache = AnswerCache()
    for kept in (read_claims, read_docs_claims, similarity):
        kept.cache_clear()


async def _median_ms(
    turns: Turns, telegram_id: int, inputs: Callable[[int], Input], count: int, *, cold: bool
) -> float:
    times: list[float] = []
    for n in range(count):
        if cold:
            _forget(turns)
        start = time.perf_counter()
        await turns.handle_caller(telegram_id, inputs(n))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


@dataclass(frozen=True, slots=True)
class TurnFigure:
    message: str
    warm_ms: float  # as nianbao runs it (median)
    cold_ms: float  # with the caches emptied before every message


async def measure(count: int) -> list[TurnFigure]:
    """Both kinds of message, `count` of each, warm and cold."""
    with tempfile.TemporaryDirectory(prefix="nianbao-turn-bench-") as directory:
        db = Database(sqlite_url(Path(directory) / "bench.sqlite3"))
        await db.upgrade()
        try:
            async with db.session() as session:
                early = await repo.telegram_person(session=session, telegram_id=EARLY)
                review = await repo.telegram_person(session=session, telegram_id=REVIEW)
                assert early is not None
                assert review is not None
            real = REAL_REPORTS[0]
            complete = {**answers_from_json(real), **narratives_from_json(real)}
            await seed_report(db, agency="刚开始的单位", year=2024, answers={}, person_id=early.id)
            await seed_report(
                db, agency="已填完的单位", year=2024, answers=complete, previous=complete, person_id=review.id
            )
            turns = Turns(db, form_2021(), utc_clock, ALL_RULES)
            for telegram_id, first in ((EARLY, "目录 1"), (REVIEW, "目录 1")):
                await turns.handle_caller(telegram_id, Text(first))

            def early_input(n: int) -> Input:  # 规章, then back to it: always the same question
                return Text("2 0 15" if n % 2 == 0 else "上一步")

            def review_input(n: int) -> Input:  # 修改 1, an answer, back to the review
                return Text("修改 1" if n % 2 == 0 else f"{n % 7} 0 3")

            rows = []
            for label, telegram_id, inputs in (
                ("early answer", EARLY, early_input),
                ("edit in a complete report", REVIEW, review_input),
            ):
                cold = await _median_ms(turns, telegram_id, inputs, count, cold=True)
                warm = await _median_ms(turns, telegram_id, inputs, count, cold=False)
                rows.append(TurnFigure(label, warm, cold))
        finally:
            await db.dispose()
    return rows


async def run(count: int) -> None:
    rows = await measure(count)
    print("| message | as run (ms, median) | caches emptied each time (ms) | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.message} | {row.warm_ms:.3f} | {row.cold_ms:.3f} | {row.warm_ms / row.cold_ms:.2f} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One message's transaction, with and without the caches.")
    parser.add_argument("--turns", type=int, default=400)
    args = parser.parse_args(argv)
    asyncio.run(run(args.turns))


if __name__ == "__main__":
    main()
