"""How many member calls a query costs: routed, fanned out and entity fields.

Entities are fetched from their owners once per member per level of the
plan, however many of them a level holds. The patron is one of TSTA's,
linked at TSTB; TSTB's staff link them, place their requests and read them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from ..network import RunningNetwork, running_network

LINK = """
mutation ($key: String!, $patron: SharedPatronInput!) {
  linkPatron(idempotencyKey: $key, institution: "TSTB", patron: $patron) {
    patron { id }
  }
}
"""
PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!, $desk: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: $desk) { request { id } }
}
"""
MIXED = """
query ($patron: ID!) {
  search(text: "war", first: 3) { bibRecord { id } }
  patron(id: $patron) {
    name
    homeInstitution { name }
    requests { pickupDesk { name institution { code } } }
  }
}
"""


@pytest.fixture
async def network_with_requests(
    catalogues: str,
) -> AsyncIterator[tuple[RunningNetwork, str]]:
    """A patron of TSTA linked at TSTB, with three requests at TSTB for
    pickup at TSTC, TSTC and TSTA."""
    async with running_network(catalogues) as network:
        patron = await _link(network)
        records = await _records_of(network, "TSTB", 3)
        for record, desk in zip(records, ("TSTC", "TSTC", "TSTA"), strict=True):
            await network.data(
                PLACE,
                {
                    "key": str(uuid.uuid4()),
                    "patron": patron,
                    "record": record,
                    "desk": f"Desk:{desk}:MAIN",
                },
                token=network.staff_token("TSTB"),
            )
        network.forget_calls()
        yield network, patron


async def _link(network: RunningNetwork) -> str:
    shared = {
        "networkPatronId": str(uuid.uuid4()),
        "homeInstitution": "TSTA",
        "name": "Robin Reader",
        "emails": ["robin@example.org"],
        "phones": [],
        "addresses": [],
        "expiresOn": (date.today() + timedelta(days=365)).isoformat(),
    }
    data = await network.data(
        LINK,
        {"key": str(uuid.uuid4()), "patron": shared},
        token=network.staff_token("TSTB", "user_administrator"),
    )
    patron: str = data["linkPatron"]["patron"]["id"]
    return patron


async def _records_of(network: RunningNetwork, code: str, count: int) -> list[str]:
    data = await network.data(
        '{ search(text: "history", first: 100) { bibRecord { id } } }'
    )
    ids = [h["bibRecord"]["id"] for h in data["search"]]
    return [i for i in ids if i.split(":")[1] == code][:count]


async def test_one_entities_call_per_member_per_level(
    network_with_requests: tuple[RunningNetwork, str],
) -> None:
    network, patron = network_with_requests

    data = await network.data(
        MIXED, {"patron": patron}, token=network.staff_token("TSTB")
    )

    answer = data["patron"]
    assert answer["homeInstitution"] == {"name": "Test Alpha University"}
    assert sorted(
        r["pickupDesk"]["institution"]["code"] for r in answer["requests"]
    ) == ["TSTA", "TSTC", "TSTC"]
    calls = {code: network.member_calls(code) for code in ("TSTA", "TSTB", "TSTC")}
    # TSTA: its share of the search, then one call for the level's entities:
    # the home institution and a pickup desk, two _entities fields in one call.
    assert len(calls["TSTA"]) == 2
    assert calls["TSTA"][1].count("_entities(") == 2
    # TSTB: its share of the search, and the routed patron.
    assert len(calls["TSTB"]) == 2
    assert not any("_entities" in query for query in calls["TSTB"])
    # TSTC: its share of the search, then both requests' desk in one call.
    assert len(calls["TSTC"]) == 2
    assert calls["TSTC"][1].count("_entities(") == 1


async def test_entities_are_not_fetched_when_not_selected(
    network_with_requests: tuple[RunningNetwork, str],
) -> None:
    network, patron = network_with_requests

    data = await network.data(
        "query ($p: ID!) { patron(id: $p) { name requests { status } } }",
        {"p": patron},
        token=network.staff_token("TSTB"),
    )

    assert len(data["patron"]["requests"]) == 3
    assert [len(network.member_calls(c)) for c in ("TSTA", "TSTB", "TSTC")] == [0, 1, 0]


async def test_asking_only_for_a_references_key_asks_no_owner(
    network_with_requests: tuple[RunningNetwork, str],
) -> None:
    network, patron = network_with_requests

    data = await network.data(
        "query ($p: ID!) { patron(id: $p) { requests { pickupDesk { __typename id } }"
        " homeInstitution { code } } }",
        {"p": patron},
        token=network.staff_token("TSTB"),
    )

    answer = data["patron"]
    assert answer["homeInstitution"] == {"code": "TSTA"}
    assert sorted(r["pickupDesk"]["id"] for r in answer["requests"]) == [
        "Desk:TSTA:MAIN",
        "Desk:TSTC:MAIN",
        "Desk:TSTC:MAIN",
    ]
    assert {r["pickupDesk"]["__typename"] for r in answer["requests"]} == {"Desk"}
    assert [len(network.member_calls(c)) for c in ("TSTA", "TSTB", "TSTC")] == [0, 1, 0]
