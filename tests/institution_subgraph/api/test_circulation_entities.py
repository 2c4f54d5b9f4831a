"""The gateway resolves circulation references through ``_entities``."""

from __future__ import annotations

from .conftest import BRK_MAIN, CED_FRONT, Member, new_key

PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: "Desk:CED:FRONT") { request { id } }
}
"""

DECLARE_LOST = """
mutation ($key: String!, $item: ID!) {
  declareItemLost(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    fees { id }
  }
}
"""

ENTITIES = """
query ($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Desk { id code name pickup holdShelfDays institution { code name } }
    ... on Patron { id name homeInstitution { code } }
    ... on Loan { id loanStatus: status patron { id } }
    ... on Request { id requestStatus: status pickupDesk { id } }
    ... on Fee { id kind loan { id } owner { code name } }
  }
}
"""


async def test_entities_resolve_desks_patrons_loans_requests_and_fees(
    member: Member,
) -> None:
    patron = await member.link("Ada Ash")
    placed = await member.ok(
        PLACE, key=new_key(), patron=patron, record=member.records["The last copy"]
    )
    request = placed["placeRequest"]["request"]["id"]
    loan = await member.lend("BRK-0002", patron)
    lost = await member.ok(DECLARE_LOST, key=new_key(), item=member.items["BRK-0002"])
    fee = lost["declareItemLost"]["fees"][0]["id"]
    representations = [
        {"__typename": "Desk", "id": BRK_MAIN},
        {"__typename": "Patron", "id": patron},
        {"__typename": "Loan", "id": loan},
        {"__typename": "Request", "id": request},
        {"__typename": "Fee", "id": fee},
        {"__typename": "Loan", "id": "Loan:BRK:999999"},
    ]

    data = await member.ok(ENTITIES, r=representations)

    assert data["_entities"] == [
        {
            "id": BRK_MAIN,
            "code": "MAIN",
            "name": "Main circulation desk",
            "pickup": True,
            "holdShelfDays": 7,
            "institution": {"code": "BRK", "name": "Birkbeck Library"},
        },
        {"id": patron, "name": "Ada Ash", "homeInstitution": {"code": "ASH"}},
        {"id": loan, "loanStatus": "ACTIVE", "patron": {"id": patron}},
        {
            "id": request,
            "requestStatus": "PICK_FROM_SHELF",
            "pickupDesk": {"id": CED_FRONT},
        },
        {
            "id": fee,
            "kind": "LOST_ITEM",
            "loan": {"id": loan},
            "owner": {"code": "BRK", "name": "Birkbeck Library"},
        },
        None,
    ]


async def test_a_desk_of_another_member_is_not_resolved_here(member: Member) -> None:
    answer = await member.run(ENTITIES, r=[{"__typename": "Desk", "id": CED_FRONT}])

    assert answer.codes == ["NOT_OWNED_HERE"]
