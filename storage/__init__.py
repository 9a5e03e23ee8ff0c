"""Storage: SQLModel tables, repositories, the database handle and Alembic migrations."""

from storage.db import Database, async_url, sqlite_url
from storage.tables import ReportStatus, Role

__all__ = ["Database", "ReportStatus", "Role", "async_url", "sqlite_url"]
