"""Fixtures shared by the whole suite: a real PostgreSQL server.

The suite starts its own private cluster with pgserver in a temporary
directory, or uses the server named by ``FULFILLMENT_NETWORK_DSN``. Each test
that asks for ``database`` gets a new, migrated database of its own, cloned
from a template so that migrations run once per session.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from fulfillment_network.postgres import (
    DSN_ENV,
    PostgresServer,
    database_dsn,
    ensure_database,
    postgres_server,
)
from institution_subgraph.storage.migrate import apply_migrations

_TEMPLATE = f"fn_test_template_{os.getpid()}"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    data_dir: Path = tmp_path_factory.mktemp("postgres")
    with postgres_server(os.environ.get(DSN_ENV), data_dir) as server:
        yield server


@pytest.fixture(scope="session")
async def migrated_template(postgres: PostgresServer) -> AsyncIterator[str]:
    dsn = await ensure_database(postgres.dsn, _TEMPLATE)
    connection = await asyncpg.connect(dsn)
    try:
        await apply_migrations(connection)
    finally:
        await connection.close()
    yield _TEMPLATE
    await _drop_database(postgres.dsn, _TEMPLATE)


@pytest.fixture
async def database(
    postgres: PostgresServer, migrated_template: str
) -> AsyncIterator[str]:
    """The DSN of a new, migrated, empty database for one test."""
    name = f"fn_test_{os.getpid()}_{next(_counter)}"
    admin = await asyncpg.connect(database_dsn(postgres.dsn, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    finally:
        await admin.close()
    yield database_dsn(postgres.dsn, name)
    await _drop_database(postgres.dsn, name)


@pytest.fixture
async def connection(database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database)
    yield connection
    await connection.close()


async def _drop_database(server_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(database_dsn(server_dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
