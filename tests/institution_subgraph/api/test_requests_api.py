"""Requests through the API: the queue, cancelling, a copy gone missing,
and holds not collected in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .conftest import BRK_MAIN, Member, new_key, shared_patron

PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: "Desk:BRK:MAIN") {
    queuePosition request { id status item { barcode } }
  }
}
"""

PLACE_ITEM = """
mutation ($key: String!, $patron: ID!, $item: ID!) {
  placeItemRequest(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: "Desk:BRK:MAIN", neededBefore: "2025-06-01") {
    queuePosition request { id status level }
  }
}
"""

CANCEL = """
mutation ($key: String!, $request: ID!) {
  cancelRequest(idempotencyKey: $key, request: $request, desk: "Desk:BRK:MAIN") {
    request { id status }
    item { status request { id status } }
  }
}
"""

MISSING = """
mutation ($key: String!, $item: ID!) {
  markItemMissing(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    item { status item { barcode } }
    request { status item { barcode } }
    replacement { status item { barcode } }
  }
}
"""

SCAN = """
mutation ($key: String!, $item: ID!) {
  scanItemForPickSlip(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    status nextStep holdShelfUntil
  }
}
"""

EXPIRE = """
mutation ($key: String!) {
  expireHolds(idempotencyKey: $key, institution: "BRK", desk: "Desk:BRK:MAIN") {
    expired { status nextStep item { barcode } }
  }
}
"""


async def _place(member: Member, patron: str, title: str) -> dict[str, Any]:
    data = await member.ok(
        PLACE, key=new_key(), patron=patron, record=member.records[title]
    )
    placed: dict[str, Any] = data["placeRequest"]
    return placed


async def test_a_cancelled_request_passes_its_copy_to_the_next_in_the_queue(
    member: Member,
) -> None:
    first = await _place(member, await member.link("Ada Ash"), "The last copy")
    waiting = await member.ok(
        PLACE_ITEM,
        key=new_key(),
        patron=await member.link("Bo Ash"),
        item=member.items["BRK-0001"],
    )

    assert first["queuePosition"] is None
    assert first["request"]["item"] == {"barcode": "BRK-0001"}
    second = waiting["placeItemRequest"]
    assert second["queuePosition"] == 1
    assert second["request"]["status"] == "NOT_YET_FILLED"
    assert second["request"]["level"] == "ITEM"

    cancelled = await member.ok(CANCEL, key=new_key(), request=first["request"]["id"])

    assert cancelled["cancelRequest"] == {
        "request": {"id": first["request"]["id"], "status": "CANCELLED"},
        "item": {
            "status": "PAGED",
            "request": {"id": second["request"]["id"], "status": "PICK_FROM_SHELF"},
        },
    }


async def test_a_missing_copy_moves_its_request_to_another(member: Member) -> None:
    placed = await _place(member, await member.link("Ada Ash"), "Two copies")
    assert placed["request"]["item"] == {"barcode": "BRK-0002"}

    missing = await member.ok(MISSING, key=new_key(), item=member.items["BRK-0002"])

    assert missing["markItemMissing"] == {
        "item": {"status": "MISSING", "item": {"barcode": "BRK-0002"}},
        "request": {"status": "PICK_FROM_SHELF", "item": {"barcode": "BRK-0003"}},
        "replacement": {"status": "PAGED", "item": {"barcode": "BRK-0003"}},
    }


async def test_a_hold_not_collected_in_time_expires_and_is_shelved(
    member: Member,
) -> None:
    patron = await member.link("Ada Ash")
    placed = await _place(member, patron, "The last copy")
    scanned = await member.ok(SCAN, key=new_key(), item=member.items["BRK-0001"])
    assert scanned["scanItemForPickSlip"]["nextStep"] == "HOLD_SHELF"

    member.clock.advance(timedelta(days=8))
    tasks = await member.ok(
        "query ($desk: ID!) { deskTasks(desk: $desk) {"
        " holdShelf { request { id } } expiredHolds { request { id } } } }",
        desk=BRK_MAIN,
    )
    expired = await member.ok(EXPIRE, key=new_key())

    request = {"request": {"id": placed["request"]["id"]}}
    assert tasks["deskTasks"] == {"holdShelf": [request], "expiredHolds": [request]}
    assert expired["expireHolds"]["expired"] == [
        {"status": "AVAILABLE", "nextStep": "SHELVE", "item": {"barcode": "BRK-0001"}}
    ]
    card = await member.ok(
        "query ($id: ID!) {"
        ' patronByNetworkId(institution: "BRK", networkPatronId: $id) {'
        " id open: requests(open: true) { id }"
        " finished: requests(open: false) { status } } }",
        id=shared_patron("Ada Ash")["networkPatronId"],
    )
    assert card["patronByNetworkId"] == {
        "id": patron,
        "open": [],
        "finished": [{"status": "PICKUP_EXPIRED"}],
    }
