"""Item.requestOptions: the owner's policy for a home institution's
patrons, told before they choose a copy and a pickup desk."""

from __future__ import annotations

from typing import Any

import pytest

from institution_subgraph.api.context import RequestContext
from institution_subgraph.api.schema import schema
from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.linked_accounts import LinkedAccountRule
from institution_subgraph.circulation.policies import RequestPolicy
from institution_subgraph.storage.desks import insert_desk
from institution_subgraph.storage.patrons import insert_linked_account_rule
from institution_subgraph.storage.policies import (
    insert_policy_rule,
    insert_request_policy,
)

from .conftest import BRK_MAIN, CED_FRONT, HERE, Member, new_key

ASH_MAIN = "Desk:ASH:MAIN"

OPTIONS = """
query ($item: ID!, $home: String!) {
  item(id: $item) {
    requestOptions(homeInstitution: $home) {
      requestable
      pickupDesks { id code pickup institution { code } }
    }
  }
}
"""

PLACE_ITEM = """
mutation ($key: String!, $patron: ID!, $item: ID!, $desk: ID!) {
  placeItemRequest(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: $desk) { request { status } }
}
"""


async def _options(member: Member, barcode: str, home: str) -> dict[str, Any]:
    data = await member.ok(OPTIONS, item=member.items[barcode], home=home)
    options: dict[str, Any] = data["item"]["requestOptions"]
    return options


def _desk_ids(options: dict[str, Any]) -> list[str]:
    return [desk["id"] for desk in options["pickupDesks"]]


async def _only_ced_for_group(member: Member, group: str) -> None:
    """A request policy for ``group`` that allows pickup at CED's desk only."""
    async with member.pool.acquire() as connection:
        await insert_request_policy(
            connection,
            RequestPolicy(
                code=f"ced-only-{group}",
                requestable=True,
                pickup_desks=frozenset({DeskKey("CED", "FRONT")}),
            ),
        )
    await insert_policy_rule(
        member.pool,
        user_group=group,
        item_policy=None,
        loan_policy="standard",
        request_policy=f"ced-only-{group}",
    )


async def _ash_patrons_in_group(member: Member, group: str) -> None:
    await insert_linked_account_rule(
        member.pool,
        LinkedAccountRule(
            home_institution="ASH", user_group=group, expiry_days=30, purge_days=0
        ),
    )


async def test_a_partners_patron_may_pick_up_at_every_pickup_desk_the_owner_knows(
    member: Member,
) -> None:
    await insert_desk(
        member.pool, DeskKey("BRK", "BACK"), "Back office", is_pickup=False
    )

    options = await _options(member, "BRK-0002", "ASH")

    assert options["requestable"] is True
    assert _desk_ids(options) == [BRK_MAIN, ASH_MAIN, CED_FRONT]
    assert options["pickupDesks"][2] == {
        "id": CED_FRONT,
        "code": "FRONT",
        "pickup": True,
        "institution": {"code": "CED"},
    }


async def test_the_rule_for_the_home_institution_decides_the_patrons_group(
    member: Member,
) -> None:
    await _ash_patrons_in_group(member, "ash")
    await _only_ced_for_group(member, "ash")

    for_ash = await _options(member, "BRK-0002", "ASH")
    # CED's patrons fall under the rule for any member: the network group.
    for_ced = await _options(member, "BRK-0002", "CED")

    assert (for_ash["requestable"], _desk_ids(for_ash)) == (True, [CED_FRONT])
    assert _desk_ids(for_ced) == [BRK_MAIN, ASH_MAIN, CED_FRONT]


async def test_a_copy_offered_at_a_desk_can_be_requested_there_and_only_there(
    member: Member,
) -> None:
    await _ash_patrons_in_group(member, "ash")
    await _only_ced_for_group(member, "ash")
    patron = await member.link("Ada Ash")
    item = member.items["BRK-0002"]

    offered = _desk_ids(await _options(member, "BRK-0002", "ASH"))
    refused = await member.run(
        PLACE_ITEM, key=new_key(), patron=patron, item=item, desk=BRK_MAIN
    )
    placed = await member.ok(
        PLACE_ITEM, key=new_key(), patron=patron, item=item, desk=CED_FRONT
    )

    assert offered == [CED_FRONT]
    assert refused.codes == ["REQUEST_NOT_ALLOWED"]
    assert placed["placeItemRequest"]["request"]["status"] == "PICK_FROM_SHELF"


async def _options_as(member: Member, local_user_group: str) -> dict[str, Any]:
    result = await schema.execute(
        OPTIONS,
        variable_values={"item": member.items["BRK-0002"], "home": "BRK"},
        context_value=RequestContext(
            pool=member.pool,
            institution=HERE,
            clock=member.clock,
            local_user_group=local_user_group,
        ),
    )
    assert result.errors is None
    assert result.data is not None
    options: dict[str, Any] = result.data["item"]["requestOptions"]
    return options


async def test_own_patrons_get_the_policies_of_the_members_default_group(
    member: Member,
) -> None:
    await _only_ced_for_group(member, "patron")

    default = await _options(member, "BRK-0002", "BRK")
    # A group with no rule of its own gets the member's catch-all rule.
    staff = await _options_as(member, "staff")

    assert _desk_ids(default) == [CED_FRONT]
    assert _desk_ids(staff) == [BRK_MAIN, ASH_MAIN, CED_FRONT]


async def test_a_reserve_copy_is_not_requestable(member: Member) -> None:
    await member.pool.execute(
        "UPDATE item SET item_policy = 'reserve' WHERE barcode = 'BRK-0002'"
    )

    for home in ("ASH", "BRK"):
        options = await _options(member, "BRK-0002", home)
        assert options == {"requestable": False, "pickupDesks": []}


@pytest.mark.parametrize(
    ("status", "requestable"),
    [
        ("withdrawn", False),
        ("missing", False),
        ("declared_lost", False),
        ("lost_and_paid", False),
        ("in_process", False),
        ("checked_out", True),
        ("awaiting_pickup", True),
    ],
)
async def test_a_copy_that_is_gone_is_not_requestable(
    member: Member, status: str, requestable: bool
) -> None:
    await member.pool.execute(
        "UPDATE item SET status = $1 WHERE barcode = 'BRK-0002'", status
    )

    options = await _options(member, "BRK-0002", "ASH")

    assert options["requestable"] is requestable
    assert bool(options["pickupDesks"]) is requestable


async def test_patrons_of_a_member_without_a_linked_account_rule_may_not_request(
    member: Member,
) -> None:
    await member.pool.execute("DELETE FROM linked_account_rule")

    options = await _options(member, "BRK-0002", "ASH")

    assert options == {"requestable": False, "pickupDesks": []}


async def test_a_blank_home_institution_is_refused(member: Member) -> None:
    answer = await member.run(OPTIONS, item=member.items["BRK-0002"], home=" ")

    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["argument"] == "homeInstitution"


async def test_a_copy_no_policy_rule_covers_is_reported(member: Member) -> None:
    await member.pool.execute("DELETE FROM policy_rule")

    answer = await member.run(OPTIONS, item=member.items["BRK-0002"], home="ASH")

    assert answer.codes == ["POLICY_NOT_CONFIGURED"]
