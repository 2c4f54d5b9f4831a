"""purgeLinkedAccountsHere through GraphQL, and what a purged account looks like.

BRK's rule for other members' patrons keeps a linked account a year and
purges it 180 days later: accounts linked at the start are due for purging
from day 546 on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from fulfillment_network.identity import Caller

from .conftest import Member, new_key, run_as, shared_patron

PURGE = """
mutation ($key: String!, $institution: String!) {
  purgeLinkedAccountsHere(idempotencyKey: $key, institution: $institution) {
    purged waiting
  }
}
"""
RETURN = """
mutation ($key: String!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    item { status }
  }
}
"""
PAST_THE_PURGE_DATE = timedelta(days=546)


def staff(institution: str, role: str) -> Caller:
    return Caller(
        subject=f"{role}@{institution}",
        issuer="test-issuer",
        institution=institution,
        roles=frozenset({role}),
    )


ADA = Caller(
    subject="ada",
    issuer="test-issuer",
    institution="ASH",
    patron="Patron:ASH:1",
    network_patron=shared_patron("Ada Ash")["networkPatronId"],
)


async def patrons_and_keys(member: Member) -> tuple[str, str]:
    """Digests of the patron and idempotency_key tables."""
    async with member.pool.acquire() as connection:
        row = await connection.fetchrow(
            """
            SELECT (SELECT md5(string_agg(p::text, '|' ORDER BY p.id))
                    FROM patron AS p) AS patrons,
                   (SELECT md5(string_agg(k::text, '|' ORDER BY k.key))
                    FROM idempotency_key AS k) AS keys
            """
        )
    assert row is not None
    return row["patrons"], row["keys"]


async def ada_returned_her_loan(member: Member) -> tuple[str, str]:
    """Ada's patron ID and her closed loan's ID."""
    ada = await member.link("Ada Ash")
    loan = await member.lend("BRK-0001", ada)
    await member.ok(RETURN, key=new_key(), item=member.items["BRK-0001"])
    return ada, loan


async def test_the_answer_counts_purged_and_waiting_accounts(member: Member) -> None:
    await member.link("Ada Ash")
    await member.link("Cy Ash")
    bob = await member.link("Bob Ash")
    await member.lend("BRK-0002", bob)
    member.clock.advance(PAST_THE_PURGE_DATE)

    data = await member.ok(PURGE, key=new_key(), institution="BRK")

    assert data["purgeLinkedAccountsHere"] == {"purged": 2, "waiting": 1}


@pytest.mark.parametrize(
    "role", ["user_manager", "user_administrator", "circulation_desk_manager"]
)
async def test_this_members_patron_administrators_may_purge(
    member: Member, role: str
) -> None:
    await member.link("Ada Ash")
    member.clock.advance(PAST_THE_PURGE_DATE)

    answer = await run_as(
        member, staff("BRK", role), PURGE, key=new_key(), institution="BRK"
    )

    assert answer.errors == []
    assert answer.data == {"purgeLinkedAccountsHere": {"purged": 1, "waiting": 0}}


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param(
            staff("BRK", "circulation_desk_operator"), id="this-members-desk-operator"
        ),
        pytest.param(
            staff("BRK", "circulation_desk_operator_limited"),
            id="this-members-limited-operator",
        ),
        pytest.param(staff("BRK", "cataloguer"), id="this-members-cataloguer"),
        pytest.param(staff("ASH", "user_manager"), id="another-members-user-manager"),
        pytest.param(ADA, id="the-patron-themself"),
        pytest.param(None, id="anonymous"),
    ],
)
async def test_a_purge_is_refused_to_whoever_may_not_and_changes_nothing(
    member: Member, caller: Caller | None
) -> None:
    await member.link("Ada Ash")
    member.clock.advance(PAST_THE_PURGE_DATE)
    before = await patrons_and_keys(member)

    answer = await run_as(member, caller, PURGE, key=new_key(), institution="BRK")

    assert answer.codes == ["FORBIDDEN"]
    assert answer.data is None
    assert await patrons_and_keys(member) == before


REPORTED = """
mutation ($key: String!) {
  purgeLinkedAccountsHere(idempotencyKey: $key, institution: "BRK") {
    purged purgedAccounts { account homeInstitution }
  }
}
"""


async def test_the_answer_names_each_purged_account_and_its_home_only(
    member: Member,
) -> None:
    ada = await member.link("Ada Ash")
    bob = await member.link("Bob Ash")
    await member.lend("BRK-0002", bob)
    member.clock.advance(PAST_THE_PURGE_DATE)

    data = await member.ok(REPORTED, key=new_key())

    # An ID that no longer resolves and an institution code: nothing of Ada.
    assert data["purgeLinkedAccountsHere"] == {
        "purged": 1,
        "purgedAccounts": [{"account": ada, "homeInstitution": "ASH"}],
    }


async def test_a_retried_purge_names_the_same_accounts_again(member: Member) -> None:
    ada = await member.link("Ada Ash")
    member.clock.advance(PAST_THE_PURGE_DATE)
    key = new_key()
    first = await member.ok(REPORTED, key=key)
    # Due by now too, but not purged by the retry.
    await member.link("Cy Ash")
    member.clock.advance(PAST_THE_PURGE_DATE)

    retried = await member.ok(REPORTED, key=key)

    assert retried == first
    assert first["purgeLinkedAccountsHere"]["purgedAccounts"] == [
        {"account": ada, "homeInstitution": "ASH"}
    ]


async def test_a_purge_for_another_member_is_not_done_here(member: Member) -> None:
    await member.link("Ada Ash")
    member.clock.advance(PAST_THE_PURGE_DATE)
    before = await patrons_and_keys(member)

    answer = await member.run(PURGE, key=new_key(), institution="ASH")

    assert answer.codes == ["NOT_OWNED_HERE"]
    assert await patrons_and_keys(member) == before


async def test_a_purged_patron_is_no_longer_found(member: Member) -> None:
    ada, _ = await ada_returned_her_loan(member)
    member.clock.advance(PAST_THE_PURGE_DATE)
    query = "query ($id: ID!) { patron(id: $id) { name } }"
    before = await member.ok(query, id=ada)

    await member.ok(PURGE, key=new_key(), institution="BRK")

    assert before == {"patron": {"name": "Ada Ash"}}
    assert await member.ok(query, id=ada) == {"patron": None}


async def test_a_purged_patrons_loan_stays_for_this_members_staff_only(
    member: Member,
) -> None:
    _, loan = await ada_returned_her_loan(member)
    member.clock.advance(PAST_THE_PURGE_DATE)
    await member.ok(PURGE, key=new_key(), institution="BRK")
    query = "query ($id: ID!) { loan(id: $id) { status } }"
    with_patron = "query ($id: ID!) { loan(id: $id) { status patron { name } } }"

    by_staff = await run_as(
        member, staff("BRK", "circulation_desk_operator"), query, id=loan
    )
    patron_asked = await run_as(
        member, staff("BRK", "circulation_desk_operator"), with_patron, id=loan
    )
    by_ada = await run_as(member, ADA, query, id=loan)
    by_home = await run_as(
        member, staff("ASH", "circulation_desk_operator"), query, id=loan
    )

    assert by_staff.errors == []
    assert by_staff.data == {"loan": {"status": "CLOSED"}}
    assert patron_asked.codes == ["NOT_FOUND"]
    assert patron_asked.errors[0]["path"] == ["loan", "patron"]
    assert by_ada.codes == by_home.codes == ["FORBIDDEN"]
    assert by_ada.data == by_home.data == {"loan": None}
