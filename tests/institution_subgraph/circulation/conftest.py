"""A member (BIR) with a small catalogue, two partner members' desks, and
patrons, on a fresh migrated database per test.

BIR owns the items. ASH's patrons borrow at BIR through linked accounts;
ASH's and CED's desks are remote desks in BIR's records.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import pytest

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.linked_accounts import (
    PostalAddress,
    SharedPatronFields,
)
from institution_subgraph.circulation.operations import link_patron
from institution_subgraph.clock import ManualClock
from institution_subgraph.storage.desks import insert_desk
from institution_subgraph.storage.institution import record_institution
from institution_subgraph.storage.patrons import insert_local_patron
from institution_subgraph.storage.seed import install_circulation_defaults

from .scenario import Circulation, new_key

T = TypeVar("T")

OWNER = "BIR"
BIR_MAIN = DeskKey("BIR", "MAIN")
BIR_SCIENCE = DeskKey("BIR", "SCI")
ASH_MAIN = DeskKey("ASH", "MAIN")
CED_MAIN = DeskKey("CED", "MAIN")
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Catalogue:
    """Record ids and barcodes of the fixture's catalogue."""

    # One copy only: the last copy that everybody wants.
    single: int
    single_copy: str
    # Two copies, for requests that move from one copy to another.
    pair: int
    pair_copies: tuple[str, str]
    # A reserve copy: short loans, no requests.
    reserve: int
    reserve_copy: str


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def circulation(connection: asyncpg.Connection, clock: ManualClock) -> Circulation:
    return Circulation(connection, clock)


@pytest.fixture
async def catalogue(connection: asyncpg.Connection) -> Catalogue:
    await record_institution(connection, OWNER, "Birch University")
    await connection.execute(
        "INSERT INTO location (code, name, library) VALUES ($1, $2, $3)",
        "MAIN-STACKS",
        "Main Stacks",
        "Main Library",
    )
    await install_circulation_defaults(connection, OWNER, partners=["ASH", "CED"])
    await insert_desk(connection, BIR_SCIENCE, "Science library desk")
    single = await _record(connection, "The last copy", ["BIR-0001"])
    pair = await _record(connection, "Two copies", ["BIR-0002", "BIR-0003"])
    reserve = await _record(
        connection, "On reserve", ["BIR-0004"], item_policy="reserve"
    )
    return Catalogue(
        single=single,
        single_copy="BIR-0001",
        pair=pair,
        pair_copies=("BIR-0002", "BIR-0003"),
        reserve=reserve,
        reserve_copy="BIR-0004",
    )


async def _record(
    connection: asyncpg.Connection,
    title: str,
    barcodes: list[str],
    *,
    item_policy: str = "standard",
) -> int:
    bib_id: int = await connection.fetchval(
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
        SELECT $1, id, 'QA76 .T47' FROM location WHERE code = 'MAIN-STACKS'
        RETURNING id
        """,
        bib_id,
    )
    for number, barcode in enumerate(barcodes, start=1):
        await connection.execute(
            """
            INSERT INTO item (holding_id, barcode, copy_number, item_policy)
            VALUES ($1, $2, $3, $4)
            """,
            holding_id,
            barcode,
            number,
            item_policy,
        )
    return bib_id


def shared_fields(name: str, *, expires_on: date | None = None) -> SharedPatronFields:
    return SharedPatronFields(
        network_patron_id=uuid.uuid5(uuid.NAMESPACE_URL, f"ash:{name}"),
        home_institution="ASH",
        name=name,
        emails=(f"{name.lower().replace(' ', '.')}@ash.example",),
        phones=("+1 555 0100",),
        addresses=(PostalAddress(("1 College Road",), "Ashford", "01234", "US"),),
        expires_on=expires_on or (START + timedelta(days=700)).date(),
    )


async def linked_patron(
    connection: asyncpg.Connection, clock: ManualClock, name: str
) -> int:
    """A patron of ASH with a linked account at BIR."""
    result = await link_patron(connection, clock, new_key(), shared=shared_fields(name))
    return result.patron_id


async def local_patron(
    connection: asyncpg.Connection, name: str, *, expires_on: date | None = None
) -> int:
    return await insert_local_patron(
        connection,
        home_institution=OWNER,
        network_patron_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bir:{name}"),
        barcode=f"P-{name.upper().replace(' ', '-')}",
        name=name,
        user_group="staff",
        expires_on=expires_on or (START + timedelta(days=365)).date(),
        notes="local note",
    )


@pytest.fixture
async def second_connection(database: str) -> AsyncIterator[asyncpg.Connection]:
    """Another session on the same database, for real concurrency."""
    connection = await asyncpg.connect(database)
    yield connection
    await connection.close()


async def race(
    database: str, barcode: str, *calls: Coroutine[Any, Any, T]
) -> list[T | BaseException]:
    """Run the calls so that they really overlap.

    A third session holds the item's row lock until every call is waiting
    for a lock, then lets them all go at once.
    """
    holder = await asyncpg.connect(database)
    try:
        async with holder.transaction():
            await holder.execute(
                "SELECT 1 FROM item WHERE barcode = $1 FOR UPDATE", barcode
            )
            tasks = [asyncio.ensure_future(call) for call in calls]
            await _until_waiting(holder, len(tasks))
        return await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await holder.close()


async def _until_waiting(holder: asyncpg.Connection, sessions: int) -> None:
    async with asyncio.timeout(10):
        while True:
            waiting = await holder.fetchval(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                """
            )
            if waiting >= sessions:
                return
            await asyncio.sleep(0.01)


async def item_status(connection: asyncpg.Connection, barcode: str) -> str:
    status: str = await connection.fetchval(
        "SELECT status FROM item WHERE barcode = $1", barcode
    )
    return status


_TABLES = (
    "item",
    "patron",
    "loan",
    "request",
    "request_event",
    "transit",
    "fee",
    "fee_transaction",
    "item_event",
    "notice",
    "idempotency_key",
)


async def database_snapshot(connection: asyncpg.Connection) -> dict[str, str]:
    """A digest of every circulation table's full contents."""
    snapshot = {}
    for table in _TABLES:
        snapshot[table] = await connection.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            f" FROM {table} AS t"
        )
    return snapshot
