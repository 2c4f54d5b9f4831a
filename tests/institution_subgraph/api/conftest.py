"""A member (BRK) whose circulation API the tests drive through GraphQL.

BRK owns the items. Patrons of ASH borrow at BRK through linked accounts
made by ``linkPatron``; BRK's own patrons are added straight to the
database; CED's front desk is a remote pickup desk in BRK's records. The
schema runs in-process against a fresh migrated database.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery

from fulfillment_network.identity import Caller
from institution_subgraph.api.context import Institution, RequestContext
from institution_subgraph.api.schema import schema
from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.clock import ManualClock
from institution_subgraph.storage.desks import insert_desk
from institution_subgraph.storage.institution import record_institution
from institution_subgraph.storage.patrons import insert_local_patron
from institution_subgraph.storage.seed import install_circulation_defaults

HERE = Institution("BRK", "Birkbeck Library")
BRK_MAIN = "Desk:BRK:MAIN"
CED_FRONT = "Desk:CED:FRONT"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

LINK_PATRON = """
mutation ($key: String!, $patron: SharedPatronInput!) {
  linkPatron(idempotencyKey: $key, institution: "BRK", patron: $patron) {
    created patron { id }
  }
}
"""

LEND = """
mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status dueAt }
  }
}
"""


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    @property
    def codes(self) -> list[str]:
        return [error["extensions"]["code"] for error in self.errors]


@dataclass
class Member:
    pool: asyncpg.Pool
    clock: ManualClock
    # Item global IDs by barcode, and record global IDs by title.
    items: dict[str, str] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)

    async def run(self, query: str, **variables: Any) -> Answer:
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=RequestContext(
                pool=self.pool, institution=HERE, clock=self.clock
            ),
        )
        return Answer(result.data, [error.formatted for error in result.errors or []])

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of a query that must succeed."""
        answer = await self.run(query, **variables)
        assert answer.errors == [], answer.errors
        assert answer.data is not None
        return answer.data

    async def link(self, name: str) -> str:
        """Link a patron of ASH through the API; their patron ID here."""
        data = await self.ok(LINK_PATRON, key=new_key(), patron=shared_patron(name))
        patron_id: str = data["linkPatron"]["patron"]["id"]
        return patron_id

    async def own_patron(self, name: str) -> str:
        """Add a patron of BRK itself; their patron ID."""
        patron_key = await insert_local_patron(
            self.pool,
            home_institution=HERE.code,
            network_patron_id=uuid.uuid5(uuid.NAMESPACE_URL, f"brk:{name}"),
            barcode=f"P-{name.upper().replace(' ', '-')}",
            name=name,
            user_group="staff",
            expires_on=(START + timedelta(days=365)).date(),
        )
        return f"Patron:BRK:{patron_key}"

    async def lend(self, barcode: str, patron: str) -> str:
        """Lend the item over BRK's desk; the loan's ID."""
        data = await self.ok(
            LEND, key=new_key(), desk=BRK_MAIN, item=self.items[barcode], patron=patron
        )
        loan_id: str = data["lendItem"]["loan"]["id"]
        return loan_id


async def run_as(
    member: Member, caller: Caller | None, query: str, **variables: Any
) -> Answer:
    """The query as the gateway asks it for ``caller`` (None: anonymous), so
    that the member applies its own access checks."""
    context = RequestContext(
        pool=member.pool,
        institution=HERE,
        clock=member.clock,
        gatekept=True,
        caller=caller,
    )
    result = await schema.execute(
        query, variable_values=variables, context_value=context
    )
    return Answer(result.data, [error.formatted for error in result.errors or []])


def shared_patron(name: str) -> dict[str, Any]:
    return {
        "networkPatronId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"ash:{name}")),
        "homeInstitution": "ASH",
        "name": name,
        "emails": [f"{name.lower().replace(' ', '.')}@ash.example"],
        "phones": ["+1 555 0100"],
        "addresses": [
            {
                "lines": ["1 College Road"],
                "city": "Ashford",
                "postalCode": "01234",
                "country": "US",
            }
        ],
        "expiresOn": (START + timedelta(days=700)).date().isoformat(),
    }


@pytest.fixture
async def member(database: str) -> AsyncIterator[Member]:
    pool = await asyncpg.create_pool(database, min_size=1, max_size=4)
    member = Member(pool, ManualClock(START))
    async with pool.acquire() as connection:
        await _install(connection, member)
    yield member
    await pool.close()


class StatementCounter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, query: LoggedQuery) -> None:
        self.statements += 1


@pytest.fixture
async def counted_pool(
    database: str, member: Member
) -> AsyncIterator[tuple[asyncpg.Pool, StatementCounter]]:
    """A pool onto the member's database that counts the SQL it runs."""
    counter = StatementCounter()

    async def count_on(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(counter)

    # One connection, so that asyncpg's type introspection, which a new
    # connection runs on first use, happens once, in the warm-up.
    pool = await asyncpg.create_pool(database, min_size=1, max_size=1, init=count_on)
    yield pool, counter
    await pool.close()


async def _install(connection: asyncpg.Connection, member: Member) -> None:
    await record_institution(connection, HERE.code, HERE.name)
    await connection.execute(
        "INSERT INTO location (code, name, library) VALUES ($1, $2, $3)",
        "STACKS",
        "Stacks",
        "Main Library",
    )
    await install_circulation_defaults(connection, HERE.code, partners=["ASH"])
    await insert_desk(connection, DeskKey("CED", "FRONT"), "Cedar front desk")
    await _record(connection, member, "The last copy", ["BRK-0001"])
    await _record(connection, member, "Two copies", ["BRK-0002", "BRK-0003"])
    shelf = [f"BRK-1{number:03}" for number in range(1, 7)]
    await _record(connection, member, "A shelf of copies", shelf)


async def _record(
    connection: asyncpg.Connection, member: Member, title: str, barcodes: list[str]
) -> None:
    bib_id = await connection.fetchval(
        """
        INSERT INTO bib_record (source_key, title, format, call_number)
        VALUES ($1, $2, 'book', 'QA76 .T47') RETURNING id
        """,
        f"test:{title}",
        title,
    )
    holding_id = await connection.fetchval(
        """
        INSERT INTO holding (bib_record_id, location_id, call_number)
        SELECT $1, id, 'QA76 .T47' FROM location WHERE code = 'STACKS'
        RETURNING id
        """,
        bib_id,
    )
    member.records[title] = f"BibRecord:BRK:{bib_id}"
    for number, barcode in enumerate(barcodes, start=1):
        item_id = await connection.fetchval(
            """
            INSERT INTO item (holding_id, barcode, copy_number, item_policy)
            VALUES ($1, $2, $3, 'standard') RETURNING id
            """,
            holding_id,
            barcode,
            number,
        )
        member.items[barcode] = f"Item:BRK:{item_id}"
