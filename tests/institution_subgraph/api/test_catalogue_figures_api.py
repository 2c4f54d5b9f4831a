"""What the catalogue shows of circulation: a record's queue, a holding's
availability, a copy's due date; each loaded a level at a time."""

from __future__ import annotations

from typing import Any

import asyncpg

from institution_subgraph.api.context import RequestContext
from institution_subgraph.api.schema import schema

from .conftest import HERE, Member, StatementCounter, new_key

PLACE = """
mutation ($key: String!, $patron: ID!, $record: ID!) {
  placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $record,
               pickupDesk: "Desk:BRK:MAIN") { request { id status } }
}
"""

PLACE_ITEM = """
mutation ($key: String!, $patron: ID!, $item: ID!) {
  placeItemRequest(idempotencyKey: $key, patron: $patron, item: $item,
                   pickupDesk: "Desk:BRK:MAIN") { request { id status } }
}
"""

CANCEL = """
mutation ($key: String!, $request: ID!) {
  cancelRequest(idempotencyKey: $key, request: $request) { request { status } }
}
"""

RETURN = """
mutation ($key: String!, $item: ID!) {
  returnItem(idempotencyKey: $key, desk: "Desk:BRK:MAIN", item: $item) {
    item { status }
  }
}
"""

QUEUE = "query ($id: ID!) { bibRecord(id: $id) { queueLength } }"

HOLDINGS = """
query ($id: ID!) {
  bibRecord(id: $id) {
    holdings { location { code } availability { total available } }
  }
}
"""

DUE = "query ($id: ID!) { item(id: $id) { dueAt } }"

LOAN_DUE = "query ($id: ID!) { loan(id: $id) { dueAt } }"


async def _queue_length(member: Member, title: str) -> int:
    data = await member.ok(QUEUE, id=member.records[title])
    length: int = data["bibRecord"]["queueLength"]
    return length


async def _place(member: Member, patron: str, title: str) -> dict[str, Any]:
    data = await member.ok(
        PLACE, key=new_key(), patron=patron, record=member.records[title]
    )
    request: dict[str, Any] = data["placeRequest"]["request"]
    return request


async def test_the_queue_counts_open_title_and_copy_requests_for_the_record(
    member: Member,
) -> None:
    paged = await _place(member, await member.link("Ada Ash"), "The last copy")
    waiting = await _place(member, await member.link("Bo Ash"), "The last copy")
    await member.ok(
        PLACE_ITEM,
        key=new_key(),
        patron=await member.link("Cy Ash"),
        item=member.items["BRK-0001"],
    )

    assert paged["status"] == "PICK_FROM_SHELF"
    assert waiting["status"] == "NOT_YET_FILLED"
    assert await _queue_length(member, "The last copy") == 3
    assert await _queue_length(member, "Two copies") == 0


async def test_a_cancelled_request_leaves_the_queue(member: Member) -> None:
    await _place(member, await member.link("Ada Ash"), "The last copy")
    waiting = await _place(member, await member.link("Bo Ash"), "The last copy")

    await member.ok(CANCEL, key=new_key(), request=waiting["id"])

    assert await _queue_length(member, "The last copy") == 1


async def _add_location(member: Member, code: str) -> int:
    location: int = await member.pool.fetchval(
        "INSERT INTO location (code, name, library) VALUES ($1, $1, 'Annex')"
        " RETURNING id",
        code,
    )
    return location


async def _add_holding(member: Member, title: str, location: int) -> int:
    bib_key = int(member.records[title].rsplit(":", 1)[1])
    holding: int = await member.pool.fetchval(
        "INSERT INTO holding (bib_record_id, location_id) VALUES ($1, $2) RETURNING id",
        bib_key,
        location,
    )
    return holding


async def test_each_holding_counts_the_copies_at_its_location(member: Member) -> None:
    annex = await _add_holding(member, "Two copies", await _add_location(member, "X"))
    await member.pool.execute(
        "INSERT INTO item (holding_id, barcode, copy_number) VALUES ($1, 'X-1', 1)",
        annex,
    )
    await _add_holding(member, "Two copies", await _add_location(member, "EMPTY"))
    await member.lend("BRK-0002", await member.link("Ada Ash"))

    data = await member.ok(HOLDINGS, id=member.records["Two copies"])

    assert data["bibRecord"]["holdings"] == [
        {"location": {"code": "STACKS"}, "availability": {"total": 2, "available": 1}},
        {"location": {"code": "X"}, "availability": {"total": 1, "available": 1}},
        {"location": {"code": "EMPTY"}, "availability": {"total": 0, "available": 0}},
    ]


async def test_a_copy_on_loan_shows_its_due_date_until_it_is_returned(
    member: Member,
) -> None:
    loan = await member.lend("BRK-0002", await member.link("Ada Ash"))
    loan_due = (await member.ok(LOAN_DUE, id=loan))["loan"]["dueAt"]

    on_loan = await member.ok(DUE, id=member.items["BRK-0002"])
    on_shelf = await member.ok(DUE, id=member.items["BRK-0003"])
    await member.ok(RETURN, key=new_key(), item=member.items["BRK-0002"])
    returned = await member.ok(DUE, id=member.items["BRK-0002"])

    assert loan_due is not None
    assert on_loan["item"]["dueAt"] == loan_due
    assert on_shelf["item"]["dueAt"] is None
    assert returned["item"]["dueAt"] is None


FIGURES = """
query ($text: String!) {
  search(text: $text) {
    bibRecord {
      queueLength
      availability { total }
      holdings {
        availability { total available }
        items {
          dueAt
          requestOptions(homeInstitution: "ASH") {
            requestable pickupDesks { id name }
          }
        }
      }
    }
  }
}
"""


async def _statements_for_search(
    pool: asyncpg.Pool, counter: StatementCounter, member: Member, text: str
) -> tuple[int, int]:
    """The statements the query cost, and the copies it showed."""
    before = counter.statements
    result = await schema.execute(
        FIGURES,
        variable_values={"text": text},
        context_value=RequestContext(pool=pool, institution=HERE, clock=member.clock),
    )
    assert result.errors is None
    assert result.data is not None
    copies = sum(
        len(holding["items"])
        for hit in result.data["search"]
        for holding in hit["bibRecord"]["holdings"]
    )
    return counter.statements - before, copies


async def test_the_figures_of_many_records_cost_as_many_statements_as_one(
    member: Member, counted_pool: tuple[asyncpg.Pool, StatementCounter]
) -> None:
    pool, counter = counted_pool
    patron = await member.link("Ada Ash")
    await member.lend("BRK-1001", patron)
    await _place(member, patron, "The last copy")
    await _statements_for_search(pool, counter, member, "last")

    one, one_copy = await _statements_for_search(pool, counter, member, "last")
    many, copies = await _statements_for_search(pool, counter, member, "copy")

    assert (one_copy, copies) == (1, 9)
    assert many == one
