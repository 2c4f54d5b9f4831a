"""Pick up anywhere, through the member's GraphQL API only: a patron of
ASH requests BRK's copy for pickup at CED's front desk; it travels there,
is lent and returned at CED, and goes home to BRK."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .conftest import BRK_MAIN, CED_FRONT, Member, new_key

PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!, $desk: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: $desk) {
    queuePosition
    request { id status level pickupDesk { id } item { barcode status } }
  }
}
"""

TASKS = """
query ($desk: ID!) {
  deskTasks(desk: $desk) {
    desk { id name }
    pickFromShelf { item { barcode } request { id } destination { id name } }
    expectedInTransit { item { barcode } fromDesk { id } toDesk { id } reason }
    holdShelf { item { barcode } request { id } holdShelfUntil }
  }
}
"""

MOVEMENT = "status nextStep holdShelfUntil request { id status }"
TRANSIT = "fromDesk { id } toDesk { id } reason receivedAt"

SCAN = f"""
mutation ($key: String!, $desk: ID!, $item: ID!) {{
  scanItemForPickSlip(idempotencyKey: $key, desk: $desk, item: $item) {{
    {MOVEMENT} transit {{ {TRANSIT} }}
  }}
}}
"""

RECEIVE = f"""
mutation ($key: String!, $desk: ID!, $item: ID!) {{
  receiveItem(idempotencyKey: $key, desk: $desk, item: $item) {{
    transit {{ {TRANSIT} }}
    item {{ {MOVEMENT} }}
  }}
}}
"""

LEND = """
mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id status lendingDesk { id } patron { name linked } }
    filledRequest { id status }
  }
}
"""

RETURN = f"""
mutation ($key: String!, $desk: ID!, $item: ID!) {{
  returnItem(idempotencyKey: $key, desk: $desk, item: $item) {{
    item {{ {MOVEMENT} transit {{ {TRANSIT} }} }}
    loan {{ id status returnDesk {{ id }} }}
    fees {{ id }}
  }}
}}
"""

PATRON = """
query ($id: ID!) {
  patron(id: $id) {
    name linked homeInstitution { code }
    loans { id status item { barcode } }
    requests { id status history { status desk { id } } }
  }
}
"""

HISTORY = """
query ($item: ID!) {
  itemHistory(item: $item) { action fromStatus toStatus desk { id } }
}
"""


async def test_a_copy_travels_to_a_third_members_desk_and_home_again(
    member: Member,
) -> None:
    clock = member.clock
    item = member.items["BRK-0001"]
    patron = await member.link("Ada Ash")

    placed = await _act(
        member,
        PLACE,
        patron=patron,
        record=member.records["The last copy"],
        desk=CED_FRONT,
    )
    request = placed["placeRequest"]["request"]
    assert request["status"] == "PICK_FROM_SHELF"
    assert request["level"] == "TITLE"
    assert request["pickupDesk"] == {"id": CED_FRONT}
    assert request["item"] == {"barcode": "BRK-0001", "status": "PAGED"}

    tasks = (await member.ok(TASKS, desk=BRK_MAIN))["deskTasks"]
    assert tasks["pickFromShelf"] == [
        {
            "item": {"barcode": "BRK-0001"},
            "request": {"id": request["id"]},
            "destination": {"id": CED_FRONT, "name": "Cedar front desk"},
        }
    ]

    clock.advance(timedelta(hours=2))
    scanned = (await _act(member, SCAN, desk=BRK_MAIN, item=item))[
        "scanItemForPickSlip"
    ]
    assert scanned["status"] == "IN_TRANSIT"
    assert scanned["nextStep"] == "TRANSIT_TO_PICKUP"
    assert scanned["transit"] == {
        "fromDesk": {"id": BRK_MAIN},
        "toDesk": {"id": CED_FRONT},
        "reason": "TO_PICKUP",
        "receivedAt": None,
    }
    arriving = (await member.ok(TASKS, desk=CED_FRONT))["deskTasks"]
    assert [t["item"]["barcode"] for t in arriving["expectedInTransit"]] == ["BRK-0001"]

    clock.advance(timedelta(days=2))
    received = (await _act(member, RECEIVE, desk=CED_FRONT, item=item))["receiveItem"]
    assert received["transit"]["receivedAt"] == clock.now().isoformat()
    assert received["item"]["status"] == "AWAITING_PICKUP"
    assert received["item"]["nextStep"] == "HOLD_SHELF"
    assert received["item"]["request"] == {
        "id": request["id"],
        "status": "ON_HOLD_SHELF",
    }
    on_shelf = (await member.ok(TASKS, desk=CED_FRONT))["deskTasks"]["holdShelf"]
    assert [entry["request"]["id"] for entry in on_shelf] == [request["id"]]

    clock.advance(timedelta(days=1))
    lent = (await _act(member, LEND, desk=CED_FRONT, item=item, patron=patron))[
        "lendItem"
    ]
    assert lent["loan"]["status"] == "ACTIVE"
    assert lent["loan"]["lendingDesk"] == {"id": CED_FRONT}
    assert lent["loan"]["patron"] == {"name": "Ada Ash", "linked": True}
    assert lent["filledRequest"] == {"id": request["id"], "status": "FILLED"}

    clock.advance(timedelta(days=10))
    returned = (await _act(member, RETURN, desk=CED_FRONT, item=item))["returnItem"]
    assert returned["item"]["nextStep"] == "TRANSIT_HOME"
    assert returned["item"]["status"] == "IN_TRANSIT"
    assert returned["item"]["transit"]["toDesk"] == {"id": BRK_MAIN}
    assert returned["item"]["transit"]["reason"] == "TO_OWNER"
    assert returned["loan"] == {
        "id": lent["loan"]["id"],
        "status": "CLOSED",
        "returnDesk": {"id": CED_FRONT},
    }
    assert returned["fees"] == []

    clock.advance(timedelta(days=3))
    home = (await _act(member, RECEIVE, desk=BRK_MAIN, item=item))["receiveItem"]
    assert home["item"]["status"] == "AVAILABLE"
    assert home["item"]["nextStep"] == "SHELVE"

    card = (await member.ok(PATRON, id=patron))["patron"]
    assert card["linked"] is True
    assert card["homeInstitution"] == {"code": "ASH"}
    assert card["loans"] == [
        {"id": lent["loan"]["id"], "status": "CLOSED", "item": {"barcode": "BRK-0001"}}
    ]
    [filled] = card["requests"]
    assert filled["status"] == "FILLED"
    assert [step["status"] for step in filled["history"]] == [
        "NOT_YET_FILLED",
        "PICK_FROM_SHELF",
        "IN_TRANSIT",
        "ON_HOLD_SHELF",
        "FILLED",
    ]
    assert filled["history"][3]["desk"] == {"id": CED_FRONT}

    events = (await member.ok(HISTORY, item=item))["itemHistory"]
    moves = [e["toStatus"] for e in events if e["toStatus"] != e["fromStatus"]]
    assert moves == [
        "PAGED",
        "IN_TRANSIT",
        "AWAITING_PICKUP",
        "CHECKED_OUT",
        "IN_TRANSIT",
        "AVAILABLE",
    ]
    assert events[-1]["desk"] == {"id": BRK_MAIN}


async def _act(member: Member, mutation: str, **variables: Any) -> dict[str, Any]:
    return await member.ok(mutation, key=new_key(), **variables)
