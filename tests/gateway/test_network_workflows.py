"""Pick up anywhere, walk-in and return anywhere, through the gateway only;
and one patron's activity across the network in one request. Each step is
taken by whoever would take it: the patron, or the staff of the desk."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fulfillment_network.demo import demo_patron

from ..network import RunningNetwork, running_network

HOME, OWNER, PICKUP = "TSTA", "TSTB", "TSTC"
# HOME's demo patrons, by number.
ROBIN, SAM, ALEX = 1, 2, 3


def desk(code: str) -> str:
    return f"Desk:{code}:MAIN"


class Story:
    """One running network and the steps of a story, through GraphQL only;
    ``by`` is the token of who takes a step (nobody: anonymous)."""

    def __init__(self, network: RunningNetwork) -> None:
        self.network = network

    async def ok(
        self, query: str, *, by: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        return await self.network.data(query, variables, token=by)

    def patron(self, number: int) -> str:
        """A demo patron of HOME: their global ID there."""
        return demo_patron(HOME, number).id

    def as_patron(self, number: int) -> str:
        return self.network.patron_token(HOME, number)

    def as_staff(self, code: str, role: str = "circulation_desk_operator") -> str:
        return self.network.staff_token(code, role)

    async def available_copies(self, owner: str) -> list[tuple[str, str]]:
        """(record ID, item ID) of copies of ``owner`` that can be lent now."""
        data = await self.ok(
            '{ search(text: "history", first: 200) { bibRecord { id holdings'
            " { items { id status } } } } }"
        )
        return [
            (hit["bibRecord"]["id"], item["id"])
            for hit in data["search"]
            if hit["bibRecord"]["id"].split(":")[1] == owner
            for holding in hit["bibRecord"]["holdings"]
            for item in holding["items"]
            if item["status"] == "AVAILABLE"
        ]

    async def step(
        self, mutation: str, *, by: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        return await self.ok(mutation, by=by, key=str(uuid.uuid4()), **variables)


@pytest.fixture
async def story(catalogues: str) -> AsyncIterator[Story]:
    async with running_network(catalogues) as network:
        yield Story(network)


REQUEST = """
mutation ($key: String!, $patron: ID!, $item: ID!, $desk: ID!) {
  requestForPickup(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: $desk) {
    request { id status pickupDesk { id name } }
    account { id linked homeInstitution { code name } name }
  }
}
"""
TASKS = """
query ($desk: ID!) {
  deskTasks(desk: $desk) {
    pickFromShelf { item { id } destination { id } }
    expectedInTransit { item { id } fromDesk { id } }
    holdShelf { item { id } }
  }
}
"""
SCAN = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  scanItemForPickSlip(idempotencyKey: $key, desk: $desk, item: $item) {
    status transit { toDesk { id } } } }"""
RECEIVE = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  receiveItem(idempotencyKey: $key, desk: $desk, item: $item) {
    item { status nextStep } } }"""
LEND = """mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status lendingDesk { id } } filledRequest { id status } } }"""
RETURN = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) {
    item { status nextStep transit { toDesk { id } } } loan { status } } }"""


async def test_home_staff_find_a_demo_patron_by_network_id(story: Story) -> None:
    robin = demo_patron(HOME, ROBIN)

    found = await story.ok(
        "query ($i: String!, $n: ID!) {"
        " patronByNetworkId(institution: $i, networkPatronId: $n) { id name } }",
        by=story.as_staff(HOME, "user_manager"),
        i=HOME,
        n=str(robin.network_patron_id),
    )

    assert found["patronByNetworkId"] == {"id": robin.id, "name": "Robin Reader"}


async def test_pick_up_anywhere_runs_end_to_end_through_the_gateway(
    story: Story,
) -> None:
    owner_staff, pickup_staff = story.as_staff(OWNER), story.as_staff(PICKUP)
    [(_, item), *_] = await story.available_copies(OWNER)

    placed = (
        await story.step(
            REQUEST,
            by=story.as_patron(ROBIN),
            patron=story.patron(ROBIN),
            item=item,
            desk=desk(PICKUP),
        )
    )["requestForPickup"]
    account = placed["account"]
    assert account["id"].startswith(f"Patron:{OWNER}:")
    assert account["linked"] is True
    assert account["homeInstitution"] == {"code": HOME, "name": "Test Alpha University"}
    assert placed["request"]["pickupDesk"]["id"] == desk(PICKUP)
    assert placed["request"]["status"] == "PICK_FROM_SHELF"

    owner_tasks = (await story.ok(TASKS, by=owner_staff, desk=desk(OWNER)))["deskTasks"]
    assert {"item": {"id": item}, "destination": {"id": desk(PICKUP)}} in owner_tasks[
        "pickFromShelf"
    ]

    scanned = (await story.step(SCAN, by=owner_staff, desk=desk(OWNER), item=item))[
        "scanItemForPickSlip"
    ]
    assert scanned == {
        "status": "IN_TRANSIT",
        "transit": {"toDesk": {"id": desk(PICKUP)}},
    }

    # The pickup member's desk sees the owner's item coming.
    pickup_tasks = (await story.ok(TASKS, by=pickup_staff, desk=desk(PICKUP)))[
        "deskTasks"
    ]
    assert {"item": {"id": item}, "fromDesk": {"id": desk(OWNER)}} in pickup_tasks[
        "expectedInTransit"
    ]

    received = (
        await story.step(RECEIVE, by=pickup_staff, desk=desk(PICKUP), item=item)
    )["receiveItem"]
    assert received["item"]["status"] == "AWAITING_PICKUP"
    on_shelf = (await story.ok(TASKS, by=pickup_staff, desk=desk(PICKUP)))["deskTasks"][
        "holdShelf"
    ]
    assert {"item": {"id": item}} in on_shelf

    lent = (
        await story.step(
            LEND, by=pickup_staff, desk=desk(PICKUP), item=item, patron=account["id"]
        )
    )["lendItem"]
    assert lent["loan"]["status"] == "ACTIVE"
    assert lent["loan"]["lendingDesk"] == {"id": desk(PICKUP)}
    assert lent["filledRequest"]["status"] == "FILLED"

    returned = (
        await story.step(RETURN, by=pickup_staff, desk=desk(PICKUP), item=item)
    )["returnItem"]
    assert returned["item"]["nextStep"] == "TRANSIT_HOME"
    assert returned["item"]["transit"] == {"toDesk": {"id": desk(OWNER)}}
    assert returned["loan"]["status"] == "CLOSED"

    home = (await story.step(RECEIVE, by=owner_staff, desk=desk(OWNER), item=item))[
        "receiveItem"
    ]
    assert home["item"]["status"] == "AVAILABLE"


WALK_IN = """
mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  walkInLoan(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status dueAt }
    account { id name emails phones addresses { city } linked }
  }
}
"""


async def test_walk_in_then_return_anywhere_goes_back_to_the_owner(
    story: Story,
) -> None:
    [(_, item), *_] = await story.available_copies(OWNER)

    walked_in = (
        await story.step(
            WALK_IN,
            by=story.as_staff(OWNER),
            desk=desk(OWNER),
            item=item,
            patron=story.patron(SAM),
        )
    )["walkInLoan"]
    # The owner's linked account holds only what the home member shares.
    assert walked_in["account"]["linked"] is True
    assert walked_in["account"]["name"] == "Sam Scholar"
    assert walked_in["account"]["emails"] == ["sam@tsta.example.org"]
    assert walked_in["loan"]["status"] == "ACTIVE"

    returned = (
        await story.step(
            RETURN, by=story.as_staff(PICKUP), desk=desk(PICKUP), item=item
        )
    )["returnItem"]

    assert returned["item"]["nextStep"] == "TRANSIT_HOME"
    assert returned["item"]["transit"] == {"toDesk": {"id": desk(OWNER)}}


async def test_a_retried_workflow_acts_once(story: Story) -> None:
    [(_, item), *_] = await story.available_copies(OWNER)
    key = str(uuid.uuid4())
    variables = {
        "key": key,
        "desk": desk(OWNER),
        "item": item,
        "patron": story.patron(ALEX),
    }

    first = await story.ok(WALK_IN, by=story.as_staff(OWNER), **variables)
    again = await story.ok(WALK_IN, by=story.as_staff(OWNER), **variables)

    assert again == first


ACTIVITY = """
query ($patron: ID!, $only: [String!]) {
  networkActivity(patron: $patron, institutions: $only) {
    patron { name linked }
    accounts {
      institution home overdueLoans readyForPickup blocked
      balance { amount currency }
      account {
        id loans(status: ACTIVE) { id status } requests(open: true) { status }
        fees { kind balance }
      }
    }
    totals { amount currency }
    overdueLoans readyForPickup blocked
  }
}
"""
DECLARE_LOST = """mutation ($key: String!, $desk: ID!, $item: ID!) {
  declareItemLost(idempotencyKey: $key, desk: $desk, item: $item) {
    fees { kind balance } } }"""


async def test_network_activity_in_one_request_with_totals(story: Story) -> None:
    patron, patron_token = await story.network.new_patron(HOME, "Morgan Newcomer")
    owner_staff, pickup_staff = story.as_staff(OWNER), story.as_staff(PICKUP)
    copies_b = await story.available_copies(OWNER)
    copies_c = await story.available_copies(PICKUP)
    lost = (
        await story.step(
            WALK_IN,
            by=owner_staff,
            desk=desk(OWNER),
            item=copies_b[0][1],
            patron=patron,
        )
    )["walkInLoan"]
    await story.step(
        DECLARE_LOST, by=owner_staff, desk=desk(OWNER), item=copies_b[0][1]
    )
    await story.step(
        WALK_IN, by=pickup_staff, desk=desk(PICKUP), item=copies_c[0][1], patron=patron
    )
    await story.step(
        REQUEST, by=patron_token, patron=patron, item=copies_b[1][1], desk=desk(HOME)
    )
    story.network.forget_calls()

    activity = (await story.ok(ACTIVITY, by=patron_token, patron=patron))[
        "networkActivity"
    ]

    calls = {
        code: len(story.network.member_calls(code)) for code in (HOME, OWNER, PICKUP)
    }
    assert calls == {HOME: 1, OWNER: 1, PICKUP: 1}
    by_member = {a["institution"]: a for a in activity["accounts"]}
    assert list(by_member) == [HOME, OWNER, PICKUP]
    assert by_member[HOME]["home"] is True
    owner = by_member[OWNER]
    assert [loan["id"] for loan in owner["account"]["loans"]] == [lost["loan"]["id"]]
    assert sorted(f["kind"] for f in owner["account"]["fees"]) == [
        "LOST_ITEM",
        "PROCESSING",
    ]
    assert owner["balance"] == [{"amount": "100.00", "currency": "USD"}]
    assert len(by_member[PICKUP]["account"]["loans"]) == 1
    assert len(owner["account"]["requests"]) == 1
    assert activity["totals"] == [{"amount": "100.00", "currency": "USD"}]
    assert activity["patron"] == {"name": "Morgan Newcomer", "linked": False}

    # Staff of the patron's home see the same card, filtered by member.
    only_c = (
        await story.ok(ACTIVITY, by=story.as_staff(HOME), patron=patron, only=[PICKUP])
    )["networkActivity"]

    assert [a["institution"] for a in only_c["accounts"]] == [PICKUP]
    assert only_c["totals"] == []
