"""A small real network for gateway tests: members on PostgreSQL, a gateway.

The members' catalogues are cut from the shipped MARC excerpt the way the
demo cuts them, so some works are held by two members.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import asyncpg

from fulfillment_network.demo import excerpt_path, holds_record
from gateway import create_app
from gateway.config import GatewaySettings, MemberConfig, NetworkConfig
from institution_subgraph.app import create_app as create_member_app
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.settings import MemberSettings
from institution_subgraph.storage.institution import prepare_database

from .servers import serve

__all__ = ["MEMBERS", "RunningNetwork", "load_catalogues", "running_network"]

MEMBERS = (
    ("TSTA", "Test Alpha University"),
    ("TSTB", "Test Beta College"),
    ("TSTC", "Test Gamma Library"),
)

# Records of the excerpt the test network holds: enough to search, quick to load.
RECORDS = 600


async def load_catalogues(server_dsn: str) -> None:
    for number, (code, name) in enumerate(MEMBERS):
        connection = await asyncpg.connect(
            await prepare_database(server_dsn, code, name)
        )
        try:
            if await connection.fetchval("SELECT count(*) FROM bib_record"):
                continue
            with open_marc(excerpt_path()) as stream:
                await import_marc(
                    connection,
                    code,
                    stream,
                    keep=lambda p, n=number: (
                        p <= RECORDS and holds_record(p, n, len(MEMBERS))
                    ),
                    progress=False,
                )
        finally:
            await connection.close()


@dataclass
class RunningNetwork:
    gateway_url: str
    member_urls: dict[str, str]
    stack: AsyncExitStack
    member_stacks: dict[str, AsyncExitStack] = field(default_factory=dict)

    async def query(
        self, query: str, variables: dict[str, object] | None = None
    ) -> dict[str, object]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                self.gateway_url + "/graphql",
                json={"query": query, "variables": variables or {}},
            ) as response,
        ):
            assert response.status == 200, await response.text()
            body: dict[str, object] = await response.json()
            return body

    async def stop_member(self, code: str) -> None:
        await self.member_stacks.pop(code).aclose()


@asynccontextmanager
async def running_network(
    server_dsn: str,
    members: Sequence[tuple[str, str]] = MEMBERS,
    settings: GatewaySettings | None = None,
    stand_ins: Sequence[MemberConfig] = (),
) -> AsyncIterator[RunningNetwork]:
    """Real members on ``server_dsn``, plus ``stand_ins`` served elsewhere."""
    async with AsyncExitStack() as stack:
        member_stacks: dict[str, AsyncExitStack] = {}
        urls = {}
        for code, name in members:
            member_stack = AsyncExitStack()
            app = create_member_app(MemberSettings(code, name, server_dsn))
            urls[code] = await member_stack.enter_async_context(serve(app))
            member_stacks[code] = member_stack
            stack.push_async_callback(_close_if_open, member_stacks, code)
        network = NetworkConfig(
            members=(
                *(
                    MemberConfig(code, name, urls[code] + "/graphql")
                    for code, name in members
                ),
                *stand_ins,
            ),
            settings=settings or GatewaySettings(),
        )
        gateway_url = await stack.enter_async_context(serve(create_app(network)))
        yield RunningNetwork(gateway_url, urls, stack, member_stacks)


async def _close_if_open(stacks: dict[str, AsyncExitStack], code: str) -> None:
    if code in stacks:
        await stacks.pop(code).aclose()
