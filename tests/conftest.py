"""Shared fixtures: the form, clocks, and databases (SQLite in tmp_path and a real PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogs.form import Form
from dialogs.report_2021 import form_2021
from storage.db import Database, sqlite_url
from tests.helpers.postgres import PostgresCluster, postgres_cluster


@pytest.fixture(scope="session")
def form() -> Form:
    return form_2021()


@pytest.fixture
def fixed_now() -> datetime:
    return datetime(2025, 1, 10, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind (the schema comes from the migrations)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "nianbao.sqlite3")
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.dispose()
