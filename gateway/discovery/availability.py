"""``work``: one work across the network, found by its identifier.

Every member is asked for its records with the ISBN or LCCN; the records
that describe the work the identifier names are merged as ``searchWorks``
merges them. Copies, due dates, queues and request options are the owners'
fields below each holding's record, fetched from them as references.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from ..config import MemberConfig
from ..execution.fetch import call_member, relay_error
from ..execution.state import RequestState
from ..planning.plan import RootFetch
from .search import RECORD_FIELDS, as_work, match_from
from .works import Match, merge_into_works

__all__ = ["work_by_identifier"]

_RECORDS = f"""
query GatewayWorkRecords($isbn: String, $lccn: String) {{
  bibRecordsByIdentifier(isbn: $isbn, lccn: $lccn) {{ {RECORD_FIELDS} }}
}}
"""


async def work_by_identifier(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any] | None:
    isbn, lccn = arguments.get("isbn"), arguments.get("lccn")
    if not isbn and not lccn:
        raise GraphQLError(
            "name an isbn or an lccn", extensions={"code": "BAD_USER_INPUT"}
        )
    variables = {"isbn": isbn, "lccn": lccn}
    answers = await asyncio.gather(
        *(
            _records(state, member, variables, fetch.response_key)
            for member in state.network.members
        )
    )
    works = merge_into_works([match for answer in answers for match in answer])
    # Several works when the identifiers name different records (an ISBN of
    # one edition, an LCCN of another): the one most members hold comes first.
    return as_work(works[0]) if works else None


async def _records(
    state: RequestState,
    member: MemberConfig,
    variables: Mapping[str, Any],
    response_key: str,
) -> list[Match]:
    path: list[str | int] = [response_key]
    answer = await call_member(state, member, _RECORDS, variables, path)
    if answer is None:
        return []
    for reported in answer.errors:
        state.errors.append(relay_error(member.code, reported, path))
    records = (answer.data or {}).get("bibRecordsByIdentifier") or []
    return [match_from(member.code, 0.0, record) for record in records]
