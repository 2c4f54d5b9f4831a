"""The caller in the gateway's token reaches the member's access checks,
through the member's own HTTP app."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from fulfillment_network.identity import Caller, GatewaySigner, write_key_pair
from fulfillment_network.postgres import PostgresServer, database_dsn, database_name
from institution_subgraph.app import create_app
from institution_subgraph.settings import MemberSettings
from institution_subgraph.storage.patrons import insert_local_patron

# A code no other test's member uses: the app makes the database fn_acx.
CODE = "ACX"
PATRON = "query ($id: ID!) { patron(id: $id) { name } }"


@dataclass
class RunningMember:
    app: Starlette
    signer: GatewaySigner
    patron_id: str
    network_patron: uuid.UUID

    async def ask(
        self, caller: Caller | None, query: str, **variables: Any
    ) -> tuple[int, dict[str, Any]]:
        """POST /graphql with the gateway's token for ``caller``."""
        token = self.signer.token_for(CODE, caller)
        body = json.dumps({"query": query, "variables": variables}).encode()
        return await _post(self.app, token, body)


@pytest.fixture
async def running_member(
    postgres: PostgresServer, tmp_path: Path
) -> AsyncIterator[RunningMember]:
    private_key, public_key = write_key_pair(tmp_path)
    settings = MemberSettings(
        institution=CODE,
        name="Access Test Library",
        server_dsn=postgres.dsn,
        pool_size=2,
        gateway_key=public_key,
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            network_patron = uuid.uuid4()
            key = await _add_patron(postgres.dsn, network_patron)
            yield RunningMember(
                app,
                GatewaySigner.from_file(private_key),
                f"Patron:{CODE}:{key}",
                network_patron,
            )
    finally:
        await _drop_database(postgres.dsn)


async def test_the_caller_in_the_gateways_token_reaches_the_members_checks(
    running_member: RunningMember,
) -> None:
    member = running_member
    themself = Caller(
        subject="ann",
        issuer="test-issuer",
        institution=CODE,
        patron=member.patron_id,
        network_patron=str(member.network_patron),
    )
    someone_else = Caller(
        subject="ben",
        issuer="test-issuer",
        institution=CODE,
        patron=f"Patron:{CODE}:999",
        network_patron=str(uuid.uuid4()),
    )

    catalogue = await member.ask(None, "{ institutions { code } }")
    anonymous = await member.ask(None, PATRON, id=member.patron_id)
    other = await member.ask(someone_else, PATRON, id=member.patron_id)
    own = await member.ask(themself, PATRON, id=member.patron_id)

    assert catalogue == (200, {"data": {"institutions": [{"code": CODE}]}})
    for status, body in (anonymous, other):
        assert status == 200
        assert body["data"] == {"patron": None}
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert own == (200, {"data": {"patron": {"name": "Ann Acx"}}})


async def _add_patron(server_dsn: str, network_patron: uuid.UUID) -> int:
    dsn = database_dsn(server_dsn, database_name(CODE))
    connection = await asyncpg.connect(dsn)
    try:
        return await insert_local_patron(
            connection,
            home_institution=CODE,
            network_patron_id=network_patron,
            barcode="P-ANN",
            name="Ann Acx",
            user_group="patron",
            expires_on=date(2030, 1, 1),
        )
    finally:
        await connection.close()


async def _drop_database(server_dsn: str) -> None:
    admin = await asyncpg.connect(database_dsn(server_dsn, "postgres"))
    try:
        name = database_name(CODE)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _post(app: Starlette, token: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """One HTTP request straight into the ASGI app, as a server would send it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("member.test", 80),
    }
    incoming: list[Message] = [
        {"type": "http.request", "body": body, "more_body": False}
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status: int = sent[0]["status"]
    response = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(response)
