"""``searchWorks``: every member's matches, merged into works, one page.

The gateway asks every member for up to :data:`MATCHES_PER_MEMBER` matches
with what merging, filtering and facets need (no holdings), merges them
into works, filters and counts over all of them, and returns one page. The
page's per-member records and institutions are references: the client's
selection of them is fetched from their owners, one call per member.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from fulfillment_network.ids import GlobalId

from ..config import MemberConfig
from ..execution.entities import key_only
from ..execution.fetch import call_member
from ..execution.state import RequestState
from ..planning.plan import RootFetch
from .cursor import InvalidCursor, decode_cursor, encode_cursor, search_fingerprint
from .facets import Facets, WorkFilters, count_facets
from .works import Match, Work, merge_into_works

__all__ = [
    "MATCHES_PER_MEMBER",
    "MAX_PAGE",
    "RECORD_FIELDS",
    "as_work",
    "match_from",
    "search_works",
]

# How many matches each member is asked for; works beyond them are not seen.
MATCHES_PER_MEMBER = 500
MAX_PAGE = 100

# What merging, filtering and facets need of each record.
RECORD_FIELDS = """
id title contributors isbns lccn format language publicationYear subjects
availability { available total }
"""

_MATCHES = f"""
query GatewayWorkMatches($text: String!, $first: Int!) {{
  search(text: $text, first: $first) {{ score bibRecord {{ {RECORD_FIELDS} }} }}
}}
"""

_OUTCOMES = {"ok": "OK", "timeout": "TIMEOUT", "failed": "FAILED"}


async def search_works(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any]:
    response_key = fetch.response_key
    text, first = arguments["text"], arguments["first"]
    if not 1 <= first <= MAX_PAGE:
        raise _bad_input(f"first must be between 1 and {MAX_PAGE}")
    filters = _filters(arguments.get("filter") or {})
    fingerprint = search_fingerprint(text, filters.canonical())
    start = _start(arguments.get("after"), fingerprint)
    members = list(state.network.members)
    answers = await asyncio.gather(
        *(_matches(state, member, text, response_key) for member in members)
    )
    works = [w for w in merge_into_works(_flatten(answers)) if filters.admits(w)]
    page = works[start : start + first]
    end = start + len(page)
    return {
        "totalCount": len(works),
        "works": [as_work(work) for work in page],
        "pageInfo": {
            "endCursor": encode_cursor(end, fingerprint) if page else None,
            "hasNextPage": end < len(works),
        },
        "facets": _facets(count_facets(works)),
        "members": [_outcome(state, member) for member in members],
    }


async def _matches(
    state: RequestState, member: MemberConfig, text: str, response_key: str
) -> list[Match]:
    variables = {"text": text, "first": MATCHES_PER_MEMBER}
    answer = await call_member(state, member, _MATCHES, variables, [response_key])
    hits = ((answer.data or {}).get("search") or []) if answer else []
    return [match_from(member.code, hit["score"], hit["bibRecord"]) for hit in hits]


def match_from(institution: str, score: float, record: dict[str, Any]) -> Match:
    """A member's record (as RECORD_FIELDS selects it) as a match."""
    return Match(
        institution=institution,
        record_id=record["id"],
        score=score,
        title=record["title"],
        contributors=tuple(record["contributors"]),
        isbns=tuple(record["isbns"]),
        lccn=record["lccn"],
        record_format=record["format"],
        language=record["language"],
        publication_year=record["publicationYear"],
        subjects=tuple(record["subjects"]),
        available=record["availability"]["available"],
        total=record["availability"]["total"],
    )


def _flatten(answers: Sequence[list[Match]]) -> list[Match]:
    return [match for answer in answers for match in answer]


def as_work(work: Work) -> dict[str, Any]:
    """A merged work as the contract's Work, its holdings as references."""
    best = work.best
    return {
        "id": str(GlobalId("Work", "NETWORK", _work_id(work.key))),
        "title": best.title,
        "contributors": list(best.contributors),
        "isbns": sorted({isbn for m in work.matches for isbn in m.isbns}),
        "lccn": next((m.lccn for m in work.matches if m.lccn), None),
        "publicationYear": best.publication_year,
        "language": best.language,
        "format": best.record_format,
        "subjects": list(best.subjects),
        "relevance": work.score,
        "availability": {"available": work.available, "total": work.total},
        "holdings": [_holding(match) for match in work.matches],
    }


def _holding(match: Match) -> dict[str, Any]:
    return {
        "institution": key_only("Institution", code=match.institution),
        "record": key_only("BibRecord", id=match.record_id),
        "available": match.available,
        "total": match.total,
    }


def _work_id(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _facets(facets: Facets) -> dict[str, Any]:
    def values(counts: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"value": c.value, "count": c.count} for c in counts]

    return {
        "institutions": values(facets.institutions),
        "availability": values(facets.availability),
        "formats": values(facets.formats),
        "languages": values(facets.languages),
        "publicationYears": values(facets.publication_years),
        "subjects": values(facets.subjects),
    }


def _outcome(state: RequestState, member: MemberConfig) -> dict[str, str]:
    status = state.member_outcomes.get(member.code, "unavailable")
    return {"institution": member.code, "outcome": _OUTCOMES.get(status, "UNAVAILABLE")}


def _filters(given: Mapping[str, Any]) -> WorkFilters:
    def names(key: str) -> frozenset[str]:
        return frozenset(given.get(key) or ())

    return WorkFilters(
        institutions=names("institutions"),
        available=given.get("available"),
        formats=names("formats"),
        languages=names("languages"),
        year_from=given.get("publishedFrom"),
        year_to=given.get("publishedTo"),
        subjects=names("subjects"),
    )


def _start(after: str | None, fingerprint: str) -> int:
    if after is None:
        return 0
    try:
        return decode_cursor(after, fingerprint)
    except InvalidCursor as error:
        raise _bad_input(str(error)) from error


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
