"""The member's catalogue API, executed against a real database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from fulfillment_network.demo import excerpt_path
from institution_subgraph.api.context import Institution, RequestContext
from institution_subgraph.api.schema import schema
from institution_subgraph.catalogue.importer import import_marc, open_marc
from institution_subgraph.storage.institution import record_institution

HERE = Institution("ASH", "Ashford University")


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database, min_size=1, max_size=4)
    async with pool.acquire() as connection:
        await record_institution(connection, HERE.code, HERE.name)
        with open_marc(excerpt_path()) as stream:
            await import_marc(
                connection, HERE.code, stream, keep=lambda p: p <= 300, progress=False
            )
    yield pool
    await pool.close()


async def _run(
    pool: asyncpg.Pool, query: str, **variables: Any
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    result = await schema.execute(
        query,
        variable_values=variables,
        context_value=RequestContext(pool=pool, institution=HERE),
    )
    errors = [error.formatted for error in result.errors or []]
    return result.data, errors


async def test_search_ranks_title_matches_above_subject_matches(
    pool: asyncpg.Pool,
) -> None:
    data, errors = await _run(
        pool,
        "query ($t: String!) { search(text: $t, first: 50)"
        " { score bibRecord { title subjects } } }",
        t="history",
    )

    assert errors == []
    assert data is not None
    hits = data["search"]
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    words = [set(re.findall(r"[a-z]+", h["bibRecord"]["title"].lower())) for h in hits]
    in_title = [i for i, w in enumerate(words) if w & {"history", "histories"}]
    elsewhere = [
        i for i, w in enumerate(words) if not any(x.startswith("histor") for x in w)
    ]
    assert in_title
    assert elsewhere
    assert max(in_title) < min(elsewhere)


async def test_a_record_shows_its_holdings_items_and_availability(
    pool: asyncpg.Pool,
) -> None:
    record_id = await pool.fetchval("SELECT id FROM bib_record ORDER BY id LIMIT 1")
    items = await pool.fetchval(
        "SELECT count(*) FROM item JOIN holding ON holding.id = item.holding_id"
        " WHERE holding.bib_record_id = $1",
        record_id,
    )

    data, errors = await _run(
        pool,
        "query ($id: ID!) { bibRecord(id: $id) { id institution { code }"
        " availability { total available }"
        " holdings { location { code } items { barcode status copyNumber } } } }",
        id=f"BibRecord:ASH:{record_id}",
    )

    assert errors == []
    assert data is not None
    record = data["bibRecord"]
    assert record["id"] == f"BibRecord:ASH:{record_id}"
    assert record["institution"] == {"code": "ASH"}
    barcodes = [i["barcode"] for h in record["holdings"] for i in h["items"]]
    assert len(barcodes) == items == record["availability"]["total"]
    assert record["availability"]["available"] == items
    assert all(b.startswith("ASH") for b in barcodes)


async def test_entities_resolve_records_items_and_the_institution(
    pool: asyncpg.Pool,
) -> None:
    record_id, item_id = await pool.fetchrow(
        "SELECT holding.bib_record_id, item.id FROM item"
        " JOIN holding ON holding.id = item.holding_id ORDER BY item.id LIMIT 1"
    )
    representations = [
        {"__typename": "BibRecord", "id": f"BibRecord:ASH:{record_id}"},
        {"__typename": "Item", "id": f"Item:ASH:{item_id}"},
        {"__typename": "Institution", "code": "ASH"},
        {"__typename": "BibRecord", "id": "BibRecord:ASH:999999"},
    ]

    data, errors = await _run(
        pool,
        "query ($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on BibRecord { id } ... on Item { id bibRecord { id } }"
        " ... on Institution { code name } } }",
        r=representations,
    )

    assert errors == []
    assert data is not None
    assert data["_entities"] == [
        {"id": f"BibRecord:ASH:{record_id}"},
        {
            "id": f"Item:ASH:{item_id}",
            "bibRecord": {"id": f"BibRecord:ASH:{record_id}"},
        },
        {"code": "ASH", "name": "Ashford University"},
        None,
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ search(text: "  ") { score } }', "BAD_USER_INPUT"),
        ('{ search(text: "war", first: 0) { score } }', "BAD_USER_INPUT"),
        ('{ search(text: "war", first: 501) { score } }', "BAD_USER_INPUT"),
        ('{ bibRecord(id: "BibRecord:BRK:1") { id } }', "NOT_OWNED_HERE"),
        ('{ bibRecord(id: "Item:ASH:1") { id } }', "BAD_USER_INPUT"),
        ('{ item(id: "nonsense") { id } }', "BAD_USER_INPUT"),
    ],
)
async def test_unusable_arguments_get_a_coded_error(
    pool: asyncpg.Pool, query: str, code: str
) -> None:
    _, errors = await _run(pool, query)

    [error] = errors
    assert error["extensions"]["code"] == code


async def test_a_record_that_does_not_exist_is_null(pool: asyncpg.Pool) -> None:
    data, errors = await _run(pool, '{ bibRecord(id: "BibRecord:ASH:999999") { id } }')

    assert errors == []
    assert data == {"bibRecord": None}


async def test_an_unexpected_failure_is_masked_and_logged_not_sent(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    broken = await asyncpg.create_pool(database, min_size=1, max_size=1)
    await broken.close()

    with caplog.at_level("ERROR", logger="institution_subgraph.api"):
        _, errors = await _run(broken, '{ search(text: "war") { score } }')

    [error] = errors
    assert error["message"] == "Internal error"
    assert "pool" not in str(error).lower()
    assert any(r.message == "resolver failed" for r in caplog.records)
