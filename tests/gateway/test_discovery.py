"""Network search merged into works, with real members on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from typing import Any

import asyncpg

from fulfillment_network.postgres import database_dsn, database_name

from ..network import MEMBERS, RunningNetwork, running_network

SEARCH = """
query Works($text: String!, $first: Int!, $after: String, $filter: WorkFilters) {
  searchWorks(text: $text, first: $first, after: $after, filter: $filter) {
    totalCount
    works {
      id title lccn format availability { available total }
      holdings { institution { code name } record { id title } available total }
    }
    pageInfo { endCursor hasNextPage }
    facets {
      institutions { value count } availability { value count }
      formats { value count } languages { value count }
    }
    members { institution outcome }
  }
}
"""


async def _search(
    network: RunningNetwork, text: str, first: int = 100, **more: Any
) -> dict[str, Any]:
    body = await network.query(SEARCH, {"text": text, "first": first, **more})
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["searchWorks"]
    return result


async def _matching_records(server_dsn: str, text: str) -> list[dict[str, Any]]:
    """Every member's matching records, read from the databases directly."""
    records = []
    for code, _ in MEMBERS:
        dsn = database_dsn(server_dsn, database_name(code))
        connection = await asyncpg.connect(dsn)
        try:
            rows = await connection.fetch(
                """
                SELECT b.lccn, b.format, b.language,
                       count(i.id) FILTER (WHERE i.status = 'available') AS available
                FROM bib_record b
                LEFT JOIN holding h ON h.bib_record_id = b.id
                LEFT JOIN item i ON i.holding_id = h.id
                WHERE b.search_vector @@ websearch_to_tsquery('english', $1)
                GROUP BY b.id
                """,
                text,
            )
        finally:
            await connection.close()
        records += [{**dict(row), "institution": code} for row in rows]
    return records


async def test_a_work_held_by_two_members_comes_back_once_with_both_holdings(
    network: RunningNetwork,
) -> None:
    result = await _search(network, "history")

    shared = [w for w in result["works"] if len(w["holdings"]) > 1]
    assert shared, "the test network shares a third of its records"
    for work in shared:
        codes = [h["institution"]["code"] for h in work["holdings"]]
        assert len(set(codes)) == len(codes)
        assert all(h["record"]["title"] == work["title"] for h in work["holdings"])
        assert all(
            h["record"]["id"].split(":")[1] == h["institution"]["code"]
            for h in work["holdings"]
        )
        assert work["availability"]["total"] == sum(
            h["total"] for h in work["holdings"]
        )
    names = {
        h["institution"]["code"]: h["institution"]["name"]
        for w in result["works"]
        for h in w["holdings"]
    }
    assert names == dict(MEMBERS)
    lccns = [w["lccn"] for w in result["works"]]
    assert len(lccns) == len(set(lccns))


async def test_facet_counts_match_the_data(
    network: RunningNetwork, catalogues: str
) -> None:
    records = await _matching_records(catalogues, "history")
    by_work: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_work.setdefault(record["lccn"], []).append(record)

    result = await _search(network, "history")

    facets = {
        name: {f["value"]: f["count"] for f in values}
        for name, values in result["facets"].items()
    }
    assert result["totalCount"] == len(by_work)
    assert facets["institutions"] == Counter(
        r["institution"] for work in by_work.values() for r in work
    )
    assert facets["formats"] == Counter(
        w[0]["format"].upper() for w in by_work.values()
    )
    assert facets["availability"] == Counter(
        "AVAILABLE" if sum(r["available"] for r in w) else "UNAVAILABLE"
        for w in by_work.values()
    )


async def test_paging_through_all_results_returns_each_work_exactly_once(
    network: RunningNetwork,
) -> None:
    everything = await _search(network, "history")
    seen: list[str] = []
    after = None
    while True:
        page = await _search(network, "history", first=7, after=after)
        seen += [work["id"] for work in page["works"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == everything["totalCount"]
    assert seen == [work["id"] for work in everything["works"]]


async def test_filters_keep_only_the_works_they_name(network: RunningNetwork) -> None:
    held_by_b = await _search(network, "history", filter={"institutions": ["TSTB"]})
    available = await _search(network, "history", filter={"available": True})

    assert held_by_b["works"]
    assert all(
        any(h["institution"]["code"] == "TSTB" for h in w["holdings"])
        for w in held_by_b["works"]
    )
    assert held_by_b["facets"]["institutions"][0] == {
        "value": "TSTB",
        "count": held_by_b["totalCount"],
    }
    assert all(w["availability"]["available"] > 0 for w in available["works"])


async def test_a_cursor_from_another_search_is_refused(network: RunningNetwork) -> None:
    page = await _search(network, "history", first=2)

    body = await network.query(
        SEARCH, {"text": "war", "first": 2, "after": page["pageInfo"]["endCursor"]}
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_answer_says_which_member_did_not_answer(catalogues: str) -> None:
    async with running_network(catalogues) as network:
        await network.stop_member("TSTC")
        result_body = await network.query(SEARCH, {"text": "history", "first": 100})

    result = result_body["data"]["searchWorks"]
    assert {m["institution"]: m["outcome"] for m in result["members"]} == {
        "TSTA": "OK",
        "TSTB": "OK",
        "TSTC": "UNAVAILABLE",
    }
    assert "TSTC" not in {f["value"] for f in result["facets"]["institutions"]}
    assert result_body["errors"][0]["extensions"]["member"] == "TSTC"


WORK = """
query ($lccn: String, $isbn: String, $home: String!) {
  work(lccn: $lccn, isbn: $isbn) {
    title lccn availability { available total }
    holdings {
      institution { code }
      available total
      record {
        queueLength
        holdings {
          location { name } availability { available total }
          items { status dueAt requestOptions(homeInstitution: $home) {
            requestable pickupDesks { id } } }
        }
      }
    }
  }
}
"""


async def test_one_work_shows_every_members_copies_and_request_options(
    network: RunningNetwork,
) -> None:
    shared = next(
        w
        for w in (await _search(network, "history"))["works"]
        if len(w["holdings"]) > 1
    )

    body = await network.query(WORK, {"lccn": shared["lccn"], "home": "TSTA"})

    assert "errors" not in body, body
    work = body["data"]["work"]
    assert work["title"] == shared["title"]
    assert [h["institution"]["code"] for h in work["holdings"]] == [
        h["institution"]["code"] for h in shared["holdings"]
    ]
    for holding in work["holdings"]:
        copies = [i for h in holding["record"]["holdings"] for i in h["items"]]
        assert len(copies) == holding["total"]
        per_location = holding["record"]["holdings"]
        assert sum(h["availability"]["total"] for h in per_location) == holding["total"]
        for copy in copies:
            options = copy["requestOptions"]
            assert options["requestable"] is True
            desks = {d["id"] for d in options["pickupDesks"]}
            assert {"Desk:TSTA:MAIN", "Desk:TSTB:MAIN", "Desk:TSTC:MAIN"} <= desks


async def test_no_work_for_an_identifier_no_member_holds(
    network: RunningNetwork,
) -> None:
    body = await network.query(WORK, {"lccn": "2099999999", "home": "TSTA"})

    assert body["data"] == {"work": None}


async def test_a_malformed_isbn_is_refused_by_the_members(
    network: RunningNetwork,
) -> None:
    body = await network.query(WORK, {"isbn": "12345", "home": "TSTA"})

    assert body["data"] == {"work": None}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
