"""Root fetches: a fan-out to many members, or a call to the one that owns.

Fan-out answers are merged by the rule the contract names (:mod:`.merge`).
A member that fails leaves its part out and an error that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..config import MemberConfig
from ..planning.plan import RootFetch
from ..planning.semantics import Compute, FanOut, Route, RouteBy
from .computations import COMPUTATIONS
from .fetch import call_member, relay_error
from .merge import merge_answers
from .state import RequestState
from .together import together

__all__ = ["run_root_fetch"]


async def run_root_fetch(
    state: RequestState, fetch: RootFetch, arguments: Mapping[str, Any]
) -> Any:
    if isinstance(fetch.serve, Compute):
        computation = COMPUTATIONS[fetch.serve.by]
        return await computation(state, arguments, fetch)
    if isinstance(fetch.serve, Route):
        member = _route(state, fetch.serve, arguments)
        return await _part(state, member, fetch)
    members = _fan_out_members(state, fetch.serve, arguments)
    parts = await together(_part(state, m, fetch) for m in members)
    limit = arguments.get(fetch.serve.limit) if fetch.serve.limit else None
    return merge_answers(fetch.serve, [p for p in parts if p is not None], limit)


async def _part(state: RequestState, member: MemberConfig, fetch: RootFetch) -> Any:
    path: list[str | int] = [fetch.response_key]
    variables = {
        name: value
        for name, value in state.raw_variables.items()
        if name in fetch.variables
    }
    answer = await call_member(state, member, fetch.document, variables, path)
    if answer is None:
        return None
    for reported in answer.errors:
        where = reported.get("path") or path
        state.errors.append(relay_error(member.code, reported, where))
    return (answer.data or {}).get(fetch.response_key)


def _route(
    state: RequestState, route: Route, arguments: Mapping[str, Any]
) -> MemberConfig:
    value: Any = arguments
    for step in route.argument:
        value = value.get(step) if isinstance(value, Mapping) else None
    if not isinstance(value, str):
        raise _bad_input(f"{'.'.join(route.argument)} names no institution")
    code = value
    if route.by is RouteBy.GLOBAL_ID:
        try:
            code = GlobalId.parse(value).institution
        except InvalidGlobalId as error:
            raise _bad_input(str(error)) from error
    member = state.network.member(code)
    if member is None:
        raise _bad_input(f"no member {code} in this network")
    return member


def _fan_out_members(
    state: RequestState, fan_out: FanOut, arguments: Mapping[str, Any]
) -> list[MemberConfig]:
    network = state.network
    chosen = arguments.get(fan_out.members) if fan_out.members else None
    if chosen is None:
        return list(network.members)
    unknown = sorted(set(chosen) - {m.code for m in network.members})
    if unknown:
        raise _bad_input(f"no member {', '.join(unknown)} in this network")
    return [m for m in network.members if m.code in set(chosen)]


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
