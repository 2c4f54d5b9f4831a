"""Pick up anywhere, walk-in and return anywhere, through the gateway only;
and one patron's activity across the network in one request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fulfillment_network.demo import demo_patron_id

from ..network import RunningNetwork, running_network

HOME, OWNER, PICKUP = "TSTA", "TSTB", "TSTC"


def desk(code: str) -> str:
    return f"Desk:{code}:MAIN"


class Story:
    """One running network and the steps of a story, through GraphQL only."""

    def __init__(self, network: RunningNetwork) -> None:
        self.network = network

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.network.query(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def patron(self, institution: str, name: str) -> str:
        data = await self.ok(
            "query ($i: String!, $n: ID!) {"
            " patronByNetworkId(institution: $i, networkPatronId: $n) { id } }",
            i=institution,
            n=str(demo_patron_id(institution, name)),
        )
        patron_id: str = data["patronByNetworkId"]["id"]
        return patron_id

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

    async def step(self, mutation: str, **variables: Any) -> dict[str, Any]:
        return await self.ok(mutation, key=str(uuid.uuid4()), **variables)


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


async def test_pick_up_anywhere_runs_end_to_end_through_the_gateway(
    story: Story,
) -> None:
    patron = await story.patron(HOME, "Robin Reader")
    [(_, item), *_] = await story.available_copies(OWNER)

    placed = (await story.step(REQUEST, patron=patron, item=item, desk=desk(PICKUP)))[
        "requestForPickup"
    ]
    account = placed["account"]
    assert account["id"].startswith(f"Patron:{OWNER}:")
    assert account["linked"] is True
    assert account["homeInstitution"] == {"code": HOME, "name": "Test Alpha University"}
    assert placed["request"]["pickupDesk"]["id"] == desk(PICKUP)
    assert placed["request"]["status"] == "PICK_FROM_SHELF"

    owner_tasks = (await story.ok(TASKS, desk=desk(OWNER)))["deskTasks"]
    assert {"item": {"id": item}, "destination": {"id": desk(PICKUP)}} in owner_tasks[
        "pickFromShelf"
    ]

    scanned = (await story.step(SCAN, desk=desk(OWNER), item=item))[
        "scanItemForPickSlip"
    ]
    assert scanned == {
        "status": "IN_TRANSIT",
        "transit": {"toDesk": {"id": desk(PICKUP)}},
    }

    # The pickup member's desk sees the owner's item coming.
    pickup_tasks = (await story.ok(TASKS, desk=desk(PICKUP)))["deskTasks"]
    assert {"item": {"id": item}, "fromDesk": {"id": desk(OWNER)}} in pickup_tasks[
        "expectedInTransit"
    ]

    received = (await story.step(RECEIVE, desk=desk(PICKUP), item=item))["receiveItem"]
    assert received["item"]["status"] == "AWAITING_PICKUP"
    on_shelf = (await story.ok(TASKS, desk=desk(PICKUP)))["deskTasks"]["holdShelf"]
    assert {"item": {"id": item}} in on_shelf

    lent = (await story.step(LEND, desk=desk(PICKUP), item=item, patron=account["id"]))[
        "lendItem"
    ]
    assert lent["loan"]["status"] == "ACTIVE"
    assert lent["loan"]["lendingDesk"] == {"id": desk(PICKUP)}
    assert lent["filledRequest"]["status"] == "FILLED"

    returned = (await story.step(RETURN, desk=desk(PICKUP), item=item))["returnItem"]
    assert returned["item"]["nextStep"] == "TRANSIT_HOME"
    assert returned["item"]["transit"] == {"toDesk": {"id": desk(OWNER)}}
    assert returned["loan"]["status"] == "CLOSED"

    home = (await story.step(RECEIVE, desk=desk(OWNER), item=item))["receiveItem"]
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
    patron = await story.patron(HOME, "Sam Scholar")
    [(_, item), *_] = await story.available_copies(OWNER)

    walked_in = (await story.step(WALK_IN, desk=desk(OWNER), item=item, patron=patron))[
        "walkInLoan"
    ]
    # The owner's linked account holds only what the home member shares.
    assert walked_in["account"]["linked"] is True
    assert walked_in["account"]["name"] == "Sam Scholar"
    assert walked_in["account"]["emails"] == ["sam@tsta.example.org"]
    assert walked_in["loan"]["status"] == "ACTIVE"

    returned = (await story.step(RETURN, desk=desk(PICKUP), item=item))["returnItem"]

    assert returned["item"]["nextStep"] == "TRANSIT_HOME"
    assert returned["item"]["transit"] == {"toDesk": {"id": desk(OWNER)}}


async def test_a_retried_workflow_acts_once(story: Story) -> None:
    patron = await story.patron(HOME, "Alex Archivist")
    [(_, item), *_] = await story.available_copies(OWNER)
    key = str(uuid.uuid4())
    variables = {"key": key, "desk": desk(OWNER), "item": item, "patron": patron}

    first = await story.ok(WALK_IN, **variables)
    again = await story.ok(WALK_IN, **variables)

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
    patron = await story.patron(HOME, "Robin Reader")
    copies_b = await story.available_copies(OWNER)
    copies_c = await story.available_copies(PICKUP)
    lost = (
        await story.step(WALK_IN, desk=desk(OWNER), item=copies_b[0][1], patron=patron)
    )["walkInLoan"]
    await story.step(DECLARE_LOST, desk=desk(OWNER), item=copies_b[0][1])
    await story.step(WALK_IN, desk=desk(PICKUP), item=copies_c[0][1], patron=patron)
    await story.step(REQUEST, patron=patron, item=copies_b[1][1], desk=desk(HOME))
    story.network.forget_calls()

    activity = (await story.ok(ACTIVITY, patron=patron))["networkActivity"]

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
    assert activity["patron"] == {"name": "Robin Reader", "linked": False}

    only_c = (await story.ok(ACTIVITY, patron=patron, only=[PICKUP]))["networkActivity"]

    assert [a["institution"] for a in only_c["accounts"]] == [PICKUP]
    assert only_c["totals"] == []
