"""record_linked_account at the patron's home member (BIR)."""

from __future__ import annotations

import asyncpg
import pytest

from institution_subgraph.circulation.errors import NotFound, PatronRecordRefused
from institution_subgraph.circulation.operations import record_linked_account
from institution_subgraph.clock import ManualClock

from .conftest import Catalogue, linked_patron, local_patron, new_key


async def _links(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await connection.fetch(
        "SELECT institution, remote_patron FROM patron_link ORDER BY institution"
    )
    return [(row["institution"], row["remote_patron"]) for row in rows]


async def test_one_account_is_kept_per_member(
    connection: asyncpg.Connection, clock: ManualClock, catalogue: Catalogue
) -> None:
    patron = await local_patron(connection, "Ida Bir")

    for institution, remote in [("CED", "12"), ("ASH", "7"), ("CED", "40")]:
        result = await record_linked_account(
            connection,
            clock,
            new_key(),
            patron_id=patron,
            institution=institution,
            remote_patron=remote,
        )

    assert (result.institution, result.remote_patron) == ("CED", "40")
    assert await _links(connection) == [("ASH", "7"), ("CED", "40")]


async def test_an_account_at_this_member_itself_is_refused(
    connection: asyncpg.Connection, clock: ManualClock, catalogue: Catalogue
) -> None:
    patron = await local_patron(connection, "Ida Bir")

    with pytest.raises(PatronRecordRefused):
        await record_linked_account(
            connection,
            clock,
            new_key(),
            patron_id=patron,
            institution="BIR",
            remote_patron="12",
        )
    assert await _links(connection) == []


async def test_only_this_members_own_patrons_take_links(
    connection: asyncpg.Connection, clock: ManualClock, catalogue: Catalogue
) -> None:
    visitor = await linked_patron(connection, clock, "Ada Ash")

    with pytest.raises(PatronRecordRefused):
        await record_linked_account(
            connection,
            clock,
            new_key(),
            patron_id=visitor,
            institution="CED",
            remote_patron="12",
        )
    with pytest.raises(NotFound):
        await record_linked_account(
            connection,
            clock,
            new_key(),
            patron_id=999999,
            institution="CED",
            remote_patron="12",
        )
    assert await _links(connection) == []
