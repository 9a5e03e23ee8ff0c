"""Fixtures of the bot tests: the Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.helpers.botapi import StandIn


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    """A fresh stand-in per test, stopped afterwards."""
    async with StandIn() as stand_in:
        yield stand_in
