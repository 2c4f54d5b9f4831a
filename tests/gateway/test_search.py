"""Network search through the gateway, with real members on PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg

from fulfillment_network.postgres import database_dsn, database_name

from ..network import MEMBERS, RunningNetwork, running_network

SEARCH = """
query Search($text: String!, $first: Int!) {
  search(text: $text, first: $first) {
    score
    bibRecord { id title institution { code name } availability { available total } }
  }
}
"""


async def _matches(server_dsn: str, code: str, text: str) -> int:
    connection = await asyncpg.connect(database_dsn(server_dsn, database_name(code)))
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM bib_record"
            " WHERE search_vector @@ websearch_to_tsquery('english', $1)",
            text,
        )
        return count
    finally:
        await connection.close()


def _hits(body: dict[str, Any]) -> list[dict[str, Any]]:
    data = body["data"]
    assert isinstance(data, dict)
    hits: list[dict[str, Any]] = data["search"]
    return hits


async def test_search_answers_from_every_member_each_naming_its_institution(
    network: RunningNetwork, catalogues: str
) -> None:
    body = await network.query(SEARCH, {"text": "history", "first": 100})

    hits = _hits(body)
    assert "errors" not in body
    for code, name in MEMBERS:
        expected = min(await _matches(catalogues, code, "history"), 100)
        theirs = [h for h in hits if h["bibRecord"]["institution"]["code"] == code]
        assert theirs, f"no hits from {code}"
        assert all(h["bibRecord"]["institution"]["name"] == name for h in theirs)
        assert all(
            h["bibRecord"]["id"].startswith(f"BibRecord:{code}:") for h in theirs
        )
        assert len(theirs) <= expected
    assert body["extensions"] == {"members": {code: "ok" for code, _ in MEMBERS}}


async def test_search_merges_best_first_and_keeps_to_first(
    network: RunningNetwork, catalogues: str
) -> None:
    body = await network.query(SEARCH, {"text": "history", "first": 7})

    scores = [hit["score"] for hit in _hits(body)]
    assert len(scores) == 7
    assert scores == sorted(scores, reverse=True)


async def test_every_match_in_the_network_is_found_when_first_allows(
    network: RunningNetwork, catalogues: str
) -> None:
    text = "war"
    total = sum([await _matches(catalogues, code, text) for code, _ in MEMBERS])
    assert 0 < total <= 100, "pick a word with a modest number of matches"

    body = await network.query(SEARCH, {"text": text, "first": 100})

    assert len(_hits(body)) == total


async def test_aliases_fragments_and_variables_reach_the_members(
    network: RunningNetwork,
) -> None:
    query = """
    query ($text: String!, $withHoldings: Boolean!) {
      found: search(text: $text, first: 3) {
        ... on SearchHit { relevance: score }
        record: bibRecord { ...Brief  holdings @include(if: $withHoldings) { id } }
      }
    }
    fragment Brief on BibRecord { heading: title owner: institution { code } }
    """

    body = await network.query(query, {"text": "history", "withHoldings": False})

    assert "errors" not in body
    hits = body["data"]["found"]
    assert len(hits) == 3
    for hit in hits:
        assert set(hit) == {"relevance", "record"}
        assert set(hit["record"]) == {"heading", "owner"}
        assert isinstance(hit["relevance"], float)


async def test_a_record_is_fetched_from_the_member_that_owns_it(
    network: RunningNetwork,
) -> None:
    body = await network.query(SEARCH, {"text": "history", "first": 30})
    by_owner = {h["bibRecord"]["institution"]["code"]: h for h in _hits(body)}

    for code, hit in by_owner.items():
        record_id = hit["bibRecord"]["id"]
        answer = await network.query(
            "query ($id: ID!) { bibRecord(id: $id) { id title institution { code } } }",
            {"id": record_id},
        )
        record = answer["data"]["bibRecord"]
        assert record == {
            "id": record_id,
            "title": hit["bibRecord"]["title"],
            "institution": {"code": code},
        }
        assert answer["extensions"] == {"members": {code: "ok"}}


async def test_an_id_of_no_member_is_refused_without_calling_anyone(
    network: RunningNetwork,
) -> None:
    body = await network.query('{ bibRecord(id: "BibRecord:NOPE:1") { title } }')

    assert body["data"] == {"bibRecord": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "NOPE" in error["message"]
    assert body["extensions"] == {"members": {}}


async def test_a_stopped_member_costs_only_its_own_results(catalogues: str) -> None:
    async with running_network(catalogues) as network:
        # Few enough matches that no member's share is cut by "first".
        complete = _hits(await network.query(SEARCH, {"text": "war", "first": 100}))
        await network.stop_member("TSTB")

        body = await network.query(SEARCH, {"text": "war", "first": 100})

    hits = _hits(body)
    assert any(h["bibRecord"]["institution"]["code"] == "TSTB" for h in complete)
    assert hits == [
        h for h in complete if h["bibRecord"]["institution"]["code"] != "TSTB"
    ]
    [error] = body["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": "TSTB"}
    assert error["path"] == ["search"]
    assert "TSTB" in error["message"]
    assert body["extensions"] == {
        "members": {"TSTA": "ok", "TSTB": "unavailable", "TSTC": "ok"}
    }
