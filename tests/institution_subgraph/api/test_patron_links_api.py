"""recordLinkedAccount and Patron.linkedAccounts: at the patron's home
member, where the patron holds accounts at other members."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from institution_subgraph.api.context import RequestContext
from institution_subgraph.api.schema import schema

from .conftest import HERE, Member, StatementCounter, new_key

RECORD = """
mutation ($key: String!, $patron: ID!, $account: ID!) {
  recordLinkedAccount(idempotencyKey: $key, patron: $patron, account: $account) {
    id linked linkedAccounts { id }
  }
}
"""

LINKED_ACCOUNTS = """
query ($id: ID!) {
  patron(id: $id) {
    name
    loans { id }
    linkedAccounts {
      id linked name networkPatronId homeInstitution { code }
      linkedAccounts { id }
      loans { id } requests { id } fees { id } balance { amount } notices { id }
    }
  }
}
"""


async def _links(member: Member) -> list[tuple[str, str]]:
    rows = await member.pool.fetch(
        "SELECT institution, remote_patron FROM patron_link ORDER BY institution"
    )
    return [(row["institution"], row["remote_patron"]) for row in rows]


async def _record(member: Member, patron: str, account: str) -> list[str]:
    data = await member.ok(RECORD, key=new_key(), patron=patron, account=account)
    return [linked["id"] for linked in data["recordLinkedAccount"]["linkedAccounts"]]


async def test_the_home_member_lists_a_patrons_accounts_elsewhere_as_references(
    member: Member,
) -> None:
    patron = await member.own_patron("Ida Brk")
    await member.lend("BRK-0002", patron)
    await _record(member, patron, "Patron:CED:12")
    await _record(member, patron, "Patron:ASH:7")

    data = await member.ok(LINKED_ACCOUNTS, id=patron)

    card = data["patron"]
    assert card["loans"] != []
    assert [account["id"] for account in card["linkedAccounts"]] == [
        "Patron:ASH:7",
        "Patron:CED:12",
    ]
    at_ced = card["linkedAccounts"][1]
    assert at_ced["linked"] is True
    assert at_ced["name"] == "Ida Brk"
    assert at_ced["homeInstitution"] == {"code": "BRK"}
    # The home member knows nothing of what the patron does elsewhere.
    for field in ("loans", "requests", "fees", "balance", "notices", "linkedAccounts"):
        assert at_ced[field] == [], field


async def test_the_mutation_answers_the_patron_with_the_account_recorded(
    member: Member,
) -> None:
    patron = await member.own_patron("Ida Brk")

    data = await member.ok(
        RECORD, key=new_key(), patron=patron, account="Patron:CED:12"
    )

    assert data["recordLinkedAccount"] == {
        "id": patron,
        "linked": False,
        "linkedAccounts": [{"id": "Patron:CED:12"}],
    }


async def test_a_newer_account_at_the_same_member_replaces_the_old(
    member: Member,
) -> None:
    patron = await member.own_patron("Ida Brk")
    await _record(member, patron, "Patron:CED:12")

    accounts = await _record(member, patron, "Patron:CED:40")

    assert accounts == ["Patron:CED:40"]
    assert await _links(member) == [("CED", "40")]


async def test_recording_the_same_account_twice_keeps_one_row_and_its_first_date(
    member: Member,
) -> None:
    patron = await member.own_patron("Ida Brk")
    await _record(member, patron, "Patron:CED:12")
    member.clock.advance(timedelta(days=3))

    accounts = await _record(member, patron, "Patron:CED:12")

    linked_at = await member.pool.fetch("SELECT linked_at FROM patron_link")
    assert accounts == ["Patron:CED:12"]
    assert [row["linked_at"] for row in linked_at] == [
        member.clock.now() - timedelta(days=3)
    ]


async def test_a_retried_record_acts_once(member: Member) -> None:
    patron = await member.own_patron("Ida Brk")
    first = {"key": new_key(), "patron": patron, "account": "Patron:CED:12"}
    await member.ok(RECORD, **first)
    await _record(member, patron, "Patron:CED:40")

    # The retry of the first call arrives after the newer account.
    retried = await member.ok(RECORD, **first)

    assert retried["recordLinkedAccount"]["id"] == patron
    assert await _links(member) == [("CED", "40")]


async def test_the_same_key_for_another_account_is_refused(member: Member) -> None:
    patron = await member.own_patron("Ida Brk")
    key = new_key()
    await member.ok(RECORD, key=key, patron=patron, account="Patron:CED:12")

    answer = await member.run(RECORD, key=key, patron=patron, account="Patron:ASH:7")

    assert answer.codes == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _links(member) == [("CED", "12")]


@pytest.mark.parametrize(
    ("account", "code"),
    [
        ("Patron:BRK:1", "BAD_USER_INPUT"),
        ("Item:CED:12", "BAD_USER_INPUT"),
        ("CED:12", "BAD_USER_INPUT"),
    ],
)
async def test_an_account_that_is_not_another_members_patron_is_refused(
    member: Member, account: str, code: str
) -> None:
    patron = await member.own_patron("Ida Brk")

    answer = await member.run(RECORD, key=new_key(), patron=patron, account=account)

    assert answer.codes == [code]
    assert answer.errors[0]["extensions"]["argument"] == "account"
    assert await _links(member) == []


@pytest.mark.parametrize(
    ("patron", "code"),
    [
        ("Patron:BRK:999999", "NOT_FOUND"),
        ("Patron:CED:12", "NOT_OWNED_HERE"),
        ("Loan:BRK:1", "BAD_USER_INPUT"),
    ],
)
async def test_a_patron_that_is_not_one_of_this_members_is_refused(
    member: Member, patron: str, code: str
) -> None:
    answer = await member.run(
        RECORD, key=new_key(), patron=patron, account="Patron:ASH:7"
    )

    assert answer.codes == [code]
    assert await _links(member) == []


async def test_a_linked_account_here_takes_no_links_and_lists_none(
    member: Member,
) -> None:
    visitor = await member.link("Ada Ash")

    answer = await member.run(
        RECORD, key=new_key(), patron=visitor, account="Patron:CED:12"
    )
    data = await member.ok(LINKED_ACCOUNTS, id=visitor)

    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["argument"] == "patron"
    assert data["patron"]["linkedAccounts"] == []
    assert await _links(member) == []


ENTITIES = """
query ($r: [_Any!]!) {
  _entities(representations: $r) { ... on Patron { id linkedAccounts { id } } }
}
"""


async def _statements_for_patrons(
    pool: asyncpg.Pool, counter: StatementCounter, member: Member, patrons: list[str]
) -> int:
    before = counter.statements
    result = await schema.execute(
        ENTITIES,
        variable_values={"r": [{"__typename": "Patron", "id": p} for p in patrons]},
        context_value=RequestContext(pool=pool, institution=HERE, clock=member.clock),
    )
    assert result.errors is None
    assert result.data is not None
    assert all(entity["linkedAccounts"] for entity in result.data["_entities"])
    return counter.statements - before


async def test_the_accounts_of_many_patrons_cost_as_many_statements_as_one(
    member: Member, counted_pool: tuple[asyncpg.Pool, StatementCounter]
) -> None:
    pool, counter = counted_pool
    patrons = [await member.own_patron(f"Reader {n}") for n in range(3)]
    for number, patron in enumerate(patrons):
        await _record(member, patron, f"Patron:CED:{number + 1}")
        await _record(member, patron, f"Patron:ASH:{number + 1}")
    await _statements_for_patrons(pool, counter, member, patrons[:1])

    one = await _statements_for_patrons(pool, counter, member, patrons[:1])
    many = await _statements_for_patrons(pool, counter, member, patrons)

    assert many == one
