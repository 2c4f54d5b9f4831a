"""A small real network for gateway tests: members on PostgreSQL, a gateway.

The members' catalogues are cut from the shipped MARC excerpt the way the
demo cuts them, so some works are held by two members; each member has the
demo's patrons. The gateway trusts a test issuer (the demo's, in a folder
of its own), and :class:`RunningNetwork` mints its tokens: for a member of
staff (``network.token("TSTA", roles=["user_manager"])``,
``network.staff_token("TSTB")``) or a demo patron
(``network.patron_token("TSTA", 1)``), to pass as ``query(..., token=)``.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from opentelemetry.trace import TracerProvider
from starlette.applications import Starlette
from strawberry import Schema

from fulfillment_network.demo import (
    demo_patron,
    excerpt_path,
    holds_record,
    install_demo_patrons,
)
from fulfillment_network.demo_issuer import (
    DEMO_AUDIENCE,
    DEMO_ISSUER,
    demo_token,
    write_demo_issuer,
)
from fulfillment_network.identity import write_key_pair
from fulfillment_network.postgres import database_dsn, database_name
from gateway import create_app
from gateway.config import GatewaySettings, MemberConfig, NetworkConfig
from gateway.security.authentication import IssuerConfig
from institution_subgraph.api.schema import schema as subgraph_schema
from institution_subgraph.app import create_app as create_member_app
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.settings import MemberSettings
from institution_subgraph.storage.institution import prepare_database
from institution_subgraph.storage.patrons import insert_local_patron
from institution_subgraph.storage.seed import install_circulation_defaults

from .servers import RecordingApp, serve

__all__ = [
    "MEMBERS",
    "RunningNetwork",
    "gateway_keys",
    "issuer_folder",
    "load_catalogues",
    "running_network",
    "trusted_issuer",
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


@cache
def issuer_folder() -> Path:
    """Where the test issuer keeps its key and JWKS, once per run."""
    return Path(tempfile.mkdtemp(prefix="fn-issuer-"))


def trusted_issuer() -> IssuerConfig:
    """The issuer every test network trusts unless told otherwise."""
    jwks = write_demo_issuer(issuer_folder())
    return IssuerConfig(DEMO_ISSUER, DEMO_AUDIENCE, jwks_file=jwks)


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
                    keep=_share(number),
                    progress=False,
                )
        finally:
            await connection.close()


def _share(member: int) -> Callable[[int], bool]:
    """Which of the excerpt's first records member number ``member`` holds."""
    return lambda position: (
        position <= RECORDS and holds_record(position, member, len(MEMBERS))
    )


@dataclass
class RunningNetwork:
    gateway_url: str
    member_urls: dict[str, str]
    stack: AsyncExitStack
    server_dsn: str
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

    def nobody_called(self) -> bool:
        """Whether no member was asked anything since :meth:`forget_calls`."""
        return all(not self.member_calls(code) for code in self.recorders)

    def forget_calls(self) -> None:
        for recorder in self.recorders.values():
            recorder.queries.clear()
            recorder.authorizations.clear()

    def token(
        self,
        institution: str,
        *,
        roles: Sequence[str] = (),
        scopes: Sequence[str] = (),
        patron: str | None = None,
        network_patron: str | None = None,
        client: str | None = None,
    ) -> str:
        """A token of the test issuer; a test network given its own
        ``issuers`` does not trust it."""
        who = patron or "-".join((institution, *roles))
        return demo_token(
            issuer_folder(),
            institution=institution,
            subject=f"{client}:{who}" if client else who,
            roles=roles,
            scopes=scopes,
            patron=patron,
            network_patron=network_patron,
            client=client,
        )

    def staff_token(
        self, institution: str, role: str = "circulation_desk_operator"
    ) -> str:
        return self.token(institution, roles=[role])

    def patron_token(self, institution: str, number: int = 1) -> str:
        """Demo patron ``number`` of ``institution`` (1 is Robin Reader)."""
        patron = demo_patron(institution, number)
        return self.token(
            institution,
            patron=patron.id,
            network_patron=str(patron.network_patron_id),
        )

    async def new_patron(self, institution: str, name: str) -> tuple[str, str]:
        """A patron of ``institution`` with no history anywhere, for a test
        that counts what a patron has (the members' databases outlive a
        test): their global ID, and their token."""
        card = uuid.uuid4()
        connection = await asyncpg.connect(
            database_dsn(self.server_dsn, database_name(institution))
        )
        try:
            local_id = await insert_local_patron(
                connection,
                home_institution=institution,
                network_patron_id=card,
                barcode=f"{institution}-{card.hex}",
                name=name,
                user_group="patron",
                expires_on=date.today() + timedelta(days=365),
            )
        finally:
            await connection.close()
        patron = f"Patron:{institution}:{local_id}"
        return patron, self.token(institution, patron=patron, network_patron=str(card))

    async def query(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = dict(headers or {})
        if token:
            headers["authorization"] = f"Bearer {token}"
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                self.gateway_url + "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=headers,
            ) as response,
        ):
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
            return body

    async def data(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """The answer's data; the answer must carry no errors."""
        body = await self.query(query, variables, token)
        assert "errors" not in body, body["errors"]
        data = body["data"]
        assert isinstance(data, dict)
        return data

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
    issuers: Sequence[IssuerConfig] | None = None,
    tracer_provider: TracerProvider | None = None,
) -> AsyncIterator[RunningNetwork]:
    """Real members on ``server_dsn``, plus ``stand_ins`` served elsewhere.

    Every real member's calls are recorded; ``member_schema`` replaces the
    members' schema, ``contract`` the gateway's contract folder,
    ``issuers`` the test issuer, and ``tracer_provider`` receives every span.
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
            app = create_member_app(
                settings_,
                member_schema or subgraph_schema,
                tracer_provider=tracer_provider,
            )
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
            issuers=(trusted_issuer(),) if issuers is None else tuple(issuers),
        )
        if network.settings.signing_key is None:
            signed = replace(network.settings, signing_key=gateway_keys()[0])
            network = replace(network, settings=signed)
        if contract is not None:
            network = replace(
                network, settings=replace(network.settings, contract=contract)
            )
        gateway = create_app(network, tracer_provider=tracer_provider)
        gateway_url = await stack.enter_async_context(serve(gateway))
        yield RunningNetwork(
            gateway_url, urls, stack, server_dsn, member_stacks, recorders, gateway
        )


async def _close_if_open(stacks: dict[str, AsyncExitStack], code: str) -> None:
    if code in stacks:
        await stacks.pop(code).aclose()
