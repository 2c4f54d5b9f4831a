"""forgetLinkedAccount: at the patron's home member (BRK here), the member
that purged the patron's linked account has the home forget its note of it.
"""

from __future__ import annotations

import pytest

from fulfillment_network.identity import Caller

from .conftest import Member, new_key, run_as

RECORD = """
mutation ($key: String!, $patron: ID!, $account: ID!) {
  recordLinkedAccount(idempotencyKey: $key, patron: $patron, account: $account) {
    id
  }
}
"""
FORGET = """
mutation ($key: String!, $institution: String!, $account: ID!) {
  forgetLinkedAccount(idempotencyKey: $key, institution: $institution,
                      account: $account) {
    account forgotten
  }
}
"""
LINKED_ACCOUNTS = "query ($id: ID!) { patron(id: $id) { linkedAccounts { id } } }"

# CED held Ida's account and purged it.
PURGED = "Patron:CED:12"


def staff(institution: str, role: str) -> Caller:
    return Caller(
        subject=f"{role}@{institution}",
        issuer="test-issuer",
        institution=institution,
        roles=frozenset({role}),
    )


async def ida_linked_at_ced_and_ash(member: Member) -> str:
    """BRK's patron Ida, with accounts recorded at CED and ASH."""
    ida = await member.own_patron("Ida Brk")
    await member.ok(RECORD, key=new_key(), patron=ida, account=PURGED)
    await member.ok(RECORD, key=new_key(), patron=ida, account="Patron:ASH:7")
    return ida


async def links(member: Member) -> list[tuple[str, str]]:
    rows = await member.pool.fetch(
        "SELECT institution, remote_patron FROM patron_link ORDER BY institution"
    )
    return [(row["institution"], row["remote_patron"]) for row in rows]


async def test_the_home_forgets_the_account_and_keeps_the_others(
    member: Member,
) -> None:
    ida = await ida_linked_at_ced_and_ash(member)

    data = await member.ok(FORGET, key=new_key(), institution="BRK", account=PURGED)

    assert data["forgetLinkedAccount"] == {"account": PURGED, "forgotten": True}
    card = await member.ok(LINKED_ACCOUNTS, id=ida)
    assert card["patron"]["linkedAccounts"] == [{"id": "Patron:ASH:7"}]


async def test_a_newer_account_at_the_same_member_is_not_forgotten(
    member: Member,
) -> None:
    ida = await member.own_patron("Ida Brk")
    await member.ok(RECORD, key=new_key(), patron=ida, account=PURGED)
    # Ida came back to CED after the purge: a new account there.
    await member.ok(RECORD, key=new_key(), patron=ida, account="Patron:CED:40")

    data = await member.ok(FORGET, key=new_key(), institution="BRK", account=PURGED)

    assert data["forgetLinkedAccount"] == {"account": PURGED, "forgotten": False}
    assert await links(member) == [("CED", "40")]


async def test_a_retried_forget_acts_once(member: Member) -> None:
    ida = await member.own_patron("Ida Brk")
    await member.ok(RECORD, key=new_key(), patron=ida, account=PURGED)
    call = {"key": new_key(), "institution": "BRK", "account": PURGED}
    first = await member.ok(FORGET, **call)
    # The same account recorded again since: the retry leaves it.
    await member.ok(RECORD, key=new_key(), patron=ida, account=PURGED)

    retried = await member.ok(FORGET, **call)

    assert (
        retried
        == first
        == {"forgetLinkedAccount": {"account": PURGED, "forgotten": True}}
    )
    assert await links(member) == [("CED", "12")]


async def test_the_same_key_for_another_account_is_refused(member: Member) -> None:
    await ida_linked_at_ced_and_ash(member)
    key = new_key()
    await member.ok(FORGET, key=key, institution="BRK", account=PURGED)

    answer = await member.run(
        FORGET, key=key, institution="BRK", account="Patron:ASH:7"
    )

    assert answer.codes == ["IDEMPOTENCY_KEY_REUSED"]
    assert await links(member) == [("ASH", "7")]


@pytest.mark.parametrize(
    ("institution", "account", "code"),
    [
        pytest.param("ASH", PURGED, "NOT_OWNED_HERE", id="another-home"),
        pytest.param("BRK", "Patron:BRK:1", "BAD_USER_INPUT", id="own-patron"),
        pytest.param("BRK", "Loan:CED:12", "BAD_USER_INPUT", id="not-a-patron"),
        pytest.param("BRK", "CED-12", "BAD_USER_INPUT", id="not-an-id"),
    ],
)
async def test_a_forget_that_names_no_account_elsewhere_is_refused(
    member: Member, institution: str, account: str, code: str
) -> None:
    await ida_linked_at_ced_and_ash(member)

    answer = await member.run(
        FORGET, key=new_key(), institution=institution, account=account
    )

    assert answer.codes == [code]
    assert await links(member) == [("ASH", "7"), ("CED", "12")]


@pytest.mark.parametrize(
    "role", ["user_manager", "user_administrator", "circulation_desk_manager"]
)
async def test_the_patron_administrators_of_the_purging_member_may_forget(
    member: Member, role: str
) -> None:
    await ida_linked_at_ced_and_ash(member)

    answer = await run_as(
        member,
        staff("CED", role),
        FORGET,
        key=new_key(),
        institution="BRK",
        account=PURGED,
    )

    assert answer.errors == []
    assert await links(member) == [("ASH", "7")]


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param(
            staff("CED", "circulation_desk_operator"),
            id="purging-members-desk-operator",
        ),
        pytest.param(staff("BRK", "user_manager"), id="homes-user-manager"),
        pytest.param(staff("ASH", "user_manager"), id="a-third-members-user-manager"),
        pytest.param(
            Caller(
                subject="ida",
                issuer="test-issuer",
                institution="BRK",
                patron="Patron:BRK:1",
            ),
            id="a-patron",
        ),
        pytest.param(None, id="anonymous"),
    ],
)
async def test_a_forget_is_refused_to_whoever_may_not_and_changes_nothing(
    member: Member, caller: Caller | None
) -> None:
    await ida_linked_at_ced_and_ash(member)

    answer = await run_as(
        member, caller, FORGET, key=new_key(), institution="BRK", account=PURGED
    )

    assert answer.codes == ["FORBIDDEN"]
    assert answer.data is None
    assert await links(member) == [("ASH", "7"), ("CED", "12")]
