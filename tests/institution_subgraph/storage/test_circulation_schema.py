"""What the circulation tables themselves refuse, whatever the code does."""

from __future__ import annotations

import asyncpg
import pytest

from institution_subgraph.storage.institution import record_institution
from institution_subgraph.storage.seed import install_circulation_defaults


@pytest.fixture
async def seeded(connection: asyncpg.Connection) -> asyncpg.Connection:
    await record_institution(connection, "BIR", "Birch University")
    await connection.execute(
        "INSERT INTO location (code, name, library) VALUES ('STACKS', 'S', 'L')"
    )
    await install_circulation_defaults(connection, "BIR", partners=["ASH"])
    bib = await connection.fetchval(
        "INSERT INTO bib_record (source_key, title, format)"
        " VALUES ('k', 'T', 'book') RETURNING id"
    )
    holding = await connection.fetchval(
        "INSERT INTO holding (bib_record_id, location_id)"
        " SELECT $1, id FROM location RETURNING id",
        bib,
    )
    await connection.execute(
        "INSERT INTO item (holding_id, barcode, copy_number) VALUES ($1, 'X1', 1)",
        holding,
    )
    await connection.execute(
        """
        INSERT INTO patron (kind, home_institution, network_patron_id, barcode,
                            name, expires_on, user_group)
        VALUES ('local', 'BIR', gen_random_uuid(), 'P1', 'Pat', '2099-01-01', 'staff')
        """
    )
    return connection


_LOAN = """
INSERT INTO loan (item_id, patron_id, loan_policy_id, loaned_at, due_at,
                  original_due_at, lending_desk_id)
SELECT (SELECT id FROM item), (SELECT id FROM patron),
       (SELECT min(id) FROM loan_policy), now(), now(), now(),
       (SELECT min(id) FROM desk)
"""


async def test_an_item_cannot_have_two_active_loans(seeded: asyncpg.Connection) -> None:
    await seeded.execute(_LOAN)

    with pytest.raises(asyncpg.UniqueViolationError):
        await seeded.execute(_LOAN)

    await seeded.execute("UPDATE loan SET status = 'closed', closed_at = now()")
    await seeded.execute(_LOAN)
    assert await seeded.fetchval("SELECT count(*) FROM loan") == 2


async def test_item_history_is_append_only(seeded: asyncpg.Connection) -> None:
    await seeded.execute(
        """
        INSERT INTO item_event (item_id, at, action, from_status, to_status)
        SELECT id, now(), 'lend', 'available', 'checked_out' FROM item
        """
    )

    for statement in (
        "UPDATE item_event SET action = 'forged'",
        "DELETE FROM item_event",
        "TRUNCATE item_event",
    ):
        with pytest.raises(asyncpg.RestrictViolationError):
            await seeded.execute(statement)

    assert await seeded.fetchval("SELECT action FROM item_event") == "lend"


async def test_an_item_has_one_open_transit(seeded: asyncpg.Connection) -> None:
    insert = """
        INSERT INTO transit (item_id, from_desk_id, to_desk_id, reason, sent_at,
                             expected_at)
        SELECT (SELECT id FROM item), min(id), max(id), 'to_owner', now(), now()
        FROM desk
    """
    await seeded.execute(insert)

    with pytest.raises(asyncpg.UniqueViolationError):
        await seeded.execute(insert)


async def test_a_fee_is_closed_exactly_when_nothing_is_owed(
    seeded: asyncpg.Connection,
) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await seeded.execute(
            """
            INSERT INTO fee (patron_id, kind, status, original_amount, balance,
                             currency, owner_institution, created_at)
            SELECT id, 'other', 'closed', 5, 5, 'USD', 'BIR', now() FROM patron
            """
        )


async def test_defaults_installed_twice_change_nothing(
    seeded: asyncpg.Connection,
) -> None:
    tables = (
        "desk",
        "loan_policy",
        "request_policy",
        "policy_rule",
        "linked_account_rule",
    )
    before = [await seeded.fetchval(f"SELECT count(*) FROM {t}") for t in tables]

    await install_circulation_defaults(seeded, "BIR", partners=["ASH"])

    after = [await seeded.fetchval(f"SELECT count(*) FROM {t}") for t in tables]
    assert after == before
    assert before[0] == 2
    home = await seeded.fetchval(
        "SELECT desk.code FROM location JOIN desk ON desk.id = location.home_desk_id"
    )
    assert home == "MAIN"
