from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from fulfillment_network.demo import (
    DEMO_PATRONS,
    demo_members,
    demo_patron,
    holds_record,
    install_demo_patrons,
)
from institution_subgraph.storage.patrons import (
    insert_local_patron,
    patron_by_network_id,
)


@pytest.mark.parametrize("members", [1, 2, 3, 10])
def test_every_record_has_a_holder_and_about_a_third_have_two(members: int) -> None:
    positions = range(1, 3001)

    holders = [
        sum(holds_record(p, m, members) for m in range(members)) for p in positions
    ]

    assert min(holders) == 1
    assert max(holders) == (1 if members == 1 else 2)
    if members > 1:
        shared = holders.count(2) / len(holders)
        assert 0.30 < shared < 0.37


def test_members_share_the_records_evenly() -> None:
    shares = [sum(holds_record(p, m, 3) for p in range(1, 3001)) for m in range(3)]

    assert max(shares) - min(shares) <= 0.02 * max(shares)


def test_demo_members_have_unique_codes_beyond_the_named_ones() -> None:
    members = demo_members(25)

    assert len({code for code, _ in members}) == 25
    assert members[0] == ("ASH", "Ashford University")


def test_a_network_needs_at_least_one_member() -> None:
    with pytest.raises(ValueError, match="1 to 99"):
        demo_members(0)


async def test_demo_patron_n_is_a_fresh_members_patron_n(
    connection: asyncpg.Connection,
) -> None:
    await install_demo_patrons(connection, "ASH")
    await install_demo_patrons(connection, "ASH")

    for number in range(1, len(DEMO_PATRONS) + 1):
        patron = demo_patron("ASH", number)
        stored = await patron_by_network_id(connection, patron.network_patron_id)
        assert stored is not None
        assert (stored.id, stored.name) == (number, patron.name)
        assert patron.id == f"Patron:ASH:{number}"


async def test_demo_patrons_after_other_patrons_are_refused(
    connection: asyncpg.Connection,
) -> None:
    await insert_local_patron(
        connection,
        home_institution="ASH",
        network_patron_id=uuid.uuid4(),
        barcode="ASH-0001",
        name="Early Bird",
        user_group="patron",
        expires_on=date(2099, 1, 1),
    )

    with pytest.raises(RuntimeError, match="fresh --data-dir"):
        await install_demo_patrons(connection, "ASH")


def test_there_are_only_so_many_demo_patrons() -> None:
    with pytest.raises(ValueError, match="1 to 3"):
        demo_patron("ASH", len(DEMO_PATRONS) + 1)
