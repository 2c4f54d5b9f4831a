"""Where the PostgreSQL server comes from.

Precedence is resolved here and nowhere else: a DSN given on the command line,
then ``FULFILLMENT_NETWORK_DSN`` from the environment, then a private cluster
that the project starts itself with ``pgserver`` in a data directory (by
default under the user's cache directory).

A DSN always names a *server*. Each institution keeps its data in a database
of its own on that server, named by :func:`database_name`, so one server can
carry a whole demo network and a production member can point at its own.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import platformdirs

__all__ = [
    "DSN_ENV",
    "PostgresServer",
    "database_dsn",
    "database_name",
    "default_data_dir",
    "ensure_database",
    "postgres_server",
]

DSN_ENV = "FULFILLMENT_NETWORK_DSN"

logger = logging.getLogger("fulfillment_network.postgres")

_INSTITUTION_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its DSN, and whether this process started it."""

    dsn: str
    private: bool


def default_data_dir() -> Path:
    return Path(platformdirs.user_cache_dir("fulfillment-network")) / "postgres"


def database_name(institution: str) -> str:
    """The database that holds one institution's data: ``fn_ash`` for ``ASH``."""
    if not _INSTITUTION_CODE.match(institution):
        raise ValueError(
            f"institution code {institution!r} must be 2-16 capital letters"
            " or digits, starting with a letter"
        )
    return f"fn_{institution.lower()}"


def database_dsn(server_dsn: str, database: str) -> str:
    """The same server DSN, pointing at another database."""
    parts = urlsplit(server_dsn)
    return urlunsplit(parts._replace(path="/" + database))


@contextmanager
def postgres_server(
    dsn: str | None = None, data_dir: Path | None = None
) -> Iterator[PostgresServer]:
    """Yield a server to use, starting a private one when no DSN is given.

    A private cluster started here is stopped again when the block ends,
    unless another process still uses it.
    """
    dsn = dsn or os.environ.get(DSN_ENV)
    if dsn:
        yield PostgresServer(dsn=dsn, private=False)
        return

    data_dir = (data_dir or default_data_dir()).expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    logger.info("starting private PostgreSQL", extra={"data_dir": str(data_dir)})
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR pgserver falls back to a folder under /tmp,
        # which is fine for its lock files; the warning only alarms users.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        from pgserver.postgres_server import get_server

        server = get_server(data_dir, cleanup_mode="stop")
    try:
        yield PostgresServer(dsn=server.get_uri(), private=True)
    finally:
        server.cleanup()


async def ensure_database(server_dsn: str, database: str) -> str:
    """Create ``database`` on the server if it is missing; return its DSN."""
    connection = await asyncpg.connect(database_dsn(server_dsn, "postgres"))
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", database
        )
        if not exists:
            # Identifiers cannot be bound as parameters; the name was checked
            # by database_name() or comes from the test suite.
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
    return database_dsn(server_dsn, database)
