"""A small real network for gateway tests: members on PostgreSQL, a gateway.

The members' catalogues are cut from the shipped MARC excerpt the way the
demo cuts them, so some works are held by two members.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import aiohttp
import asyncpg
from starlette.applications import Starlette
from strawberry import Schema

from fulfillment_network.demo import (
    excerpt_path,
    holds_record,
    install_demo_patrons,
)
from fulfillment_network.identity import write_key_pair
from gateway import create_app
from gateway.config import GatewaySettings, MemberConfig, NetworkConfig
from gateway.security.authentication import IssuerConfig
from institution_subgraph.api.schema import schema as subgraph_schema
from institution_subgraph.app import create_app as create_member_app
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.settings import MemberSettings
from institution_subgraph.storage.institution import prepare_database
from institution_subgraph.storage.seed import install_circulation_defaults

from .servers import RecordingApp, serve

__all__ = [
    "MEMBERS",
    "RunningNetwork",
    "gateway_keys",
    "load_catalogues",
    "running_network",
]

MEMBERS = (
    ("TSTA", "Test Alpha University"),
    ("TSTB", "Test Beta College"),
    ("TSTC", "Test Gamma Library"),
)

# Records of the excerpt the test network holds: enough to search, quick to load.
RECORDS = 600


@cache
def gateway_keys() -> tuple[Path, Path]:
    """The test gateway's key pair (private, public), made once per run."""
    return write_key_pair(Path(tempfile.mkdtemp(prefix="fn-keys-")))


async def load_catalogues(server_dsn: str) -> None:
    """Catalogues, default desks and policies for the test members."""
    codes = [code for code, _ in MEMBERS]
    for number, (code, name) in enumerate(MEMBERS):
        connection = await asyncpg.connect(
            await prepare_database(server_dsn, code, name)
        )
        try:
            partners = [other for other in codes if other != code]
            await install_circulation_defaults(connection, code, partners=partners)
            await install_demo_patrons(connection, code)
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
    recorders: dict[str, RecordingApp] = field(default_factory=dict)
    gateway: Starlette | None = None

    def member_calls(self, code: str, *, schema_loads: bool = False) -> list[str]:
        """The queries a member received, without the gateway's schema loads."""
        return [
            query
            for query in self.recorders[code].queries
            if schema_loads or "_service" not in query
        ]

    def forget_calls(self) -> None:
        for recorder in self.recorders.values():
            recorder.queries.clear()

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
    member_schema: Schema | None = None,
    contract: Path | None = None,
    issuers: Sequence[IssuerConfig] = (),
) -> AsyncIterator[RunningNetwork]:
    """Real members on ``server_dsn``, plus ``stand_ins`` served elsewhere.

    Every real member's calls are recorded; ``member_schema`` replaces the
    members' schema and ``contract`` the gateway's contract folder.
    """
    async with AsyncExitStack() as stack:
        member_stacks: dict[str, AsyncExitStack] = {}
        recorders: dict[str, RecordingApp] = {}
        urls = {}
        for code, name in members:
            member_stack = AsyncExitStack()
            settings_ = MemberSettings(
                code, name, server_dsn, gateway_key=gateway_keys()[1]
            )
            app = create_member_app(settings_, member_schema or subgraph_schema)
            recorders[code] = RecordingApp(app)
            urls[code] = await member_stack.enter_async_context(serve(recorders[code]))
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
            issuers=tuple(issuers),
        )
        if network.settings.signing_key is None:
            signed = replace(network.settings, signing_key=gateway_keys()[0])
            network = replace(network, settings=signed)
        if contract is not None:
            network = replace(
                network, settings=replace(network.settings, contract=contract)
            )
        gateway = create_app(network)
        gateway_url = await stack.enter_async_context(serve(gateway))
        yield RunningNetwork(
            gateway_url, urls, stack, member_stacks, recorders, gateway
        )


async def _close_if_open(stacks: dict[str, AsyncExitStack], code: str) -> None:
    if code in stacks:
        await stacks.pop(code).aclose()
