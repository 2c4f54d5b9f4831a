"""How each root field of the network schema reaches the members.

This is the one place that knows it: a fan-out field asks every loaded
member and merges the answers; a routed field asks the member whose code is
in the ID argument. A member that fails costs its own part of the answer and
leaves an error that names it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..composition.registry import MemberStatus
from ..config import MemberConfig
from ..errors import MemberError, MemberFailed, MemberUnavailable
from .state import RequestState
from .subquery import HIDDEN_PREFIX, Subquery, cut_subquery

__all__ = ["ROOT_FIELDS", "bind_root_fields"]

Resolver = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class FanOut:
    """Ask every member; concatenate the lists, best ``rank_by`` first."""

    rank_by: str | None = None
    limit_argument: str | None = None

    async def resolve(
        self, root: object, info: GraphQLResolveInfo[RequestState], **arguments: Any
    ) -> list[Any]:
        state = info.context
        extra = [self.rank_by] if self.rank_by else []
        subquery = cut_subquery(info, state.raw_variables, extra_fields=extra)
        members = state.registry.network.members
        answers = await asyncio.gather(
            *(_fetch(state, member, subquery, info) for member in members)
        )
        merged = [
            (position, entry)
            for position, answer in enumerate(answers)
            for entry in (answer or [])
        ]
        if self.rank_by:
            key = HIDDEN_PREFIX + self.rank_by
            merged.sort(key=lambda pair: (-pair[1][key], pair[0]))
        entries = [entry for _, entry in merged]
        if self.limit_argument:
            entries = entries[: arguments[self.limit_argument]]
        return entries


@dataclass(frozen=True)
class RouteById:
    """Ask the member whose code the ID argument carries."""

    argument: str = "id"

    async def resolve(
        self, root: object, info: GraphQLResolveInfo[RequestState], **arguments: Any
    ) -> Any:
        state = info.context
        try:
            owner = GlobalId.parse(arguments[self.argument]).institution
        except InvalidGlobalId as error:
            raise GraphQLError(
                str(error), extensions={"code": "BAD_USER_INPUT"}
            ) from error
        member = state.registry.network.member(owner)
        if member is None:
            raise GraphQLError(
                f"no member {owner} in this network",
                extensions={"code": "BAD_USER_INPUT"},
            )
        return await _fetch(
            state, member, cut_subquery(info, state.raw_variables), info
        )


# Not yet: issue "The gateway engine" moves these declarations into schema/
# as directives, so that a new root field needs no gateway code.
ROOT_FIELDS: dict[str, FanOut | RouteById] = {
    "institutions": FanOut(),
    "search": FanOut(rank_by="score", limit_argument="first"),
    "bibRecord": RouteById(),
    "item": RouteById(),
}


def bind_root_fields(schema: GraphQLSchema) -> None:
    """Attach the strategies to the network schema's root query fields."""
    assert schema.query_type is not None
    for name, definition in schema.query_type.fields.items():
        strategy = ROOT_FIELDS.get(name)
        if strategy is None:
            raise GraphQLError(f"root field Query.{name} has no network strategy")
        definition.resolve = strategy.resolve


async def _fetch(
    state: RequestState,
    member: MemberConfig,
    subquery: Subquery,
    info: GraphQLResolveInfo[RequestState],
) -> Any:
    """One member's part of a root field, or None with its error recorded."""
    path: list[str | int] = [subquery.response_key]
    try:
        answer = await _call(state, member, subquery)
    except MemberError as error:
        state.record_failure(error, path)
        return None
    state.record_success(member.code)
    for reported in answer.errors:
        state.member_errors.append(_relay_error(member.code, reported, path))
    return (answer.data or {}).get(subquery.response_key)


async def _call(state: RequestState, member: MemberConfig, subquery: Subquery) -> Any:
    member_state = state.registry.state(member.code)
    if member_state is None:
        raise MemberUnavailable(member.code, "not in the network")
    if member_state.status is not MemberStatus.LOADED:
        reason = member_state.problem or member_state.status.value
        raise MemberUnavailable(member.code, reason)
    answer = await state.client.execute(
        member,
        subquery.query,
        subquery.variables,
        time_limit=state.registry.network.settings.member_timeout,
    )
    if answer.data is None and not answer.errors:
        raise MemberFailed(member.code, "answered without data")
    return answer


def _relay_error(
    member: str, reported: dict[str, Any], path: list[str | int]
) -> GraphQLError:
    """A member's own GraphQL error, passed on with its code and the member."""
    extensions = reported.get("extensions") or {}
    return GraphQLError(
        str(reported.get("message", "member error")),
        path=reported.get("path") or path,
        extensions={"code": extensions.get("code", "MEMBER_ERROR"), "member": member},
    )
