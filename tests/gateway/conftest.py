from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fulfillment_network.postgres import PostgresServer

from ..network import RunningNetwork, load_catalogues, running_network


@pytest.fixture(scope="session")
async def catalogues(postgres: PostgresServer) -> str:
    """The server DSN, once the test members' catalogues are loaded on it."""
    await load_catalogues(postgres.dsn)
    return postgres.dsn


@pytest.fixture(scope="module")
async def network(catalogues: str) -> AsyncIterator[RunningNetwork]:
    """Three members and a gateway, shared by the read-only tests of a module."""
    async with running_network(catalogues) as running:
        yield running
