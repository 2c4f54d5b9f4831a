from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import asyncpg
import pytest

from institution_subgraph.circulation.codec import encode
from institution_subgraph.circulation.errors import PatronRecordRefused
from institution_subgraph.circulation.linked_accounts import (
    LinkedAccountRule,
    linked_account_terms,
    shared_fields_from,
)
from institution_subgraph.circulation.operations import link_patron
from institution_subgraph.clock import ManualClock
from institution_subgraph.storage.patrons import insert_linked_account_rule

from .conftest import START, Catalogue, local_patron, new_key, shared_fields

RULE = LinkedAccountRule("ASH", "ash-visitors", expiry_days=90, purge_days=30)


def test_terms_never_outlive_the_home_membership() -> None:
    shared = shared_fields("Ada", expires_on=date(2025, 4, 1))

    terms = linked_account_terms(RULE, shared, date(2025, 3, 1))

    assert terms.user_group == "ash-visitors"
    assert terms.expires_on == date(2025, 4, 1)
    assert terms.purge_on == date(2025, 5, 1)


def test_terms_end_after_the_rules_expiry_days() -> None:
    terms = linked_account_terms(RULE, shared_fields("Ada"), date(2025, 3, 1))

    assert terms.expires_on == date(2025, 5, 30)


def test_a_record_carrying_unshared_fields_is_refused() -> None:
    record = encode(shared_fields("Ada"))
    assert isinstance(record, dict)

    with pytest.raises(PatronRecordRefused) as raised:
        shared_fields_from({**record, "barcode": "A-123", "notes": "owes ASH"})

    assert raised.value.details == {"fields": ["barcode", "notes"]}


def test_a_record_of_shared_fields_only_is_read() -> None:
    shared = shared_fields("Ada")
    record = encode(shared)
    assert isinstance(record, dict)

    assert shared_fields_from(record) == shared


async def test_linked_account_is_created_then_refreshed_in_place(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    await insert_linked_account_rule(connection, RULE)
    created = await link_patron(
        connection, clock, new_key(), shared=shared_fields("Ada Ash")
    )
    clock.advance(timedelta(days=30))
    moved = replace(
        shared_fields("Ada Ash"), name="Ada Ash-Birch", emails=("ada@new.example",)
    )

    refreshed = await link_patron(connection, clock, new_key(), shared=moved)

    assert created.created
    assert not refreshed.created
    assert refreshed.patron_id == created.patron_id
    assert refreshed.user_group == "ash-visitors"
    assert refreshed.expires_on == (START + timedelta(days=120)).date()
    row = await connection.fetchrow(
        "SELECT name, emails, refreshed_at FROM patron WHERE id = $1",
        created.patron_id,
    )
    assert row is not None
    assert tuple(row) == ("Ada Ash-Birch", ["ada@new.example"], clock.now())
    assert await connection.fetchval("SELECT count(*) FROM patron") == 1


async def test_a_member_without_a_rule_falls_back_to_the_rule_for_any_member(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    shared = replace(shared_fields("Cy Ced"), home_institution="CED")

    linked = await link_patron(connection, clock, new_key(), shared=shared)

    assert linked.user_group == "network"


async def test_own_patrons_are_not_made_linked_accounts(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    own = replace(shared_fields("Bea Birch"), home_institution="BIR")

    with pytest.raises(PatronRecordRefused):
        await link_patron(connection, clock, new_key(), shared=own)

    assert await connection.fetchval("SELECT count(*) FROM patron") == 0


async def test_a_local_patrons_network_id_cannot_be_taken_over(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    patron_id = await local_patron(connection, "Bea Birch")
    network_id = await connection.fetchval(
        "SELECT network_patron_id FROM patron WHERE id = $1", patron_id
    )
    impostor = replace(shared_fields("Mallory"), network_patron_id=network_id)

    with pytest.raises(PatronRecordRefused):
        await link_patron(connection, clock, new_key(), shared=impostor)

    name = await connection.fetchval("SELECT name FROM patron WHERE id = $1", patron_id)
    assert name == "Bea Birch"


async def test_the_database_refuses_local_fields_on_a_linked_account(
    connection: asyncpg.Connection, catalogue: Catalogue, clock: ManualClock
) -> None:
    linked = await link_patron(
        connection, clock, new_key(), shared=shared_fields("Ada")
    )

    with pytest.raises(asyncpg.CheckViolationError):
        await connection.execute(
            "UPDATE patron SET notes = 'from ASH' WHERE id = $1", linked.patron_id
        )
