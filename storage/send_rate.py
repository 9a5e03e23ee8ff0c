"""The one send-rate row several processes on one PostgreSQL share (bot/services/send_rate.py).

A generic cell rate algorithm: ``next_at`` is when the next message may leave. `reserve` moves it
forward by ``count`` intervals, starting no earlier than the server's clock, and says how far in
the future the first of the reserved slots is; the slots follow one interval apart. Two processes
never get overlapping slots (the row's lock serializes the updates), so together they send no
faster than one message per interval. `hold` pushes ``next_at`` past a 429's retry_after, for all.

PostgreSQL only: one process writes a SQLite file, and keeps its rate in memory.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

_RESERVE = text(
    "UPDATE send_rate SET next_at = GREATEST(next_at, clock_timestamp()) + :span * interval '1 second' "
    "WHERE id = 1 "
    "RETURNING EXTRACT(EPOCH FROM (next_at - :span * interval '1 second' - clock_timestamp()))"
)
_HOLD = text(
    "UPDATE send_rate SET next_at = GREATEST(next_at, clock_timestamp() + :seconds * interval '1 second') "
    "WHERE id = 1"
)


def reserve(conn: Connection, *, count: int, interval: float) -> float:
    """Seconds from now until the first of ``count`` slots reserved for this process (≤ 0: now)."""
    delay = conn.execute(_RESERVE, {"span": count * interval}).scalar_one()
    return float(delay)


def hold(conn: Connection, *, seconds: float) -> None:
    """No slot for anyone before ``seconds`` from now."""
    conn.execute(_HOLD, {"seconds": seconds})
