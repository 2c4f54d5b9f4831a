"""One call to one member, with its failure turned into a recorded error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from ..composition.registry import MemberStatus
from ..config import MemberConfig
from ..errors import MemberError, MemberFailed, MemberTimeout, MemberUnavailable
from ..members.client import MemberAnswer
from .state import RequestState

__all__ = ["call_member", "relay_error"]


async def call_member(
    state: RequestState,
    member: MemberConfig,
    document: str,
    variables: Mapping[str, Any],
    path: Sequence[str | int],
) -> MemberAnswer | None:
    """The member's answer, or None with the failure recorded at ``path``."""
    try:
        answer = await _call(state, member, document, variables)
    except MemberError as error:
        state.record_failure(error, list(path))
        return None
    state.record_success(member.code)
    return answer


async def _call(
    state: RequestState,
    member: MemberConfig,
    document: str,
    variables: Mapping[str, Any],
) -> MemberAnswer:
    member_state = state.member_states.get(member.code)
    if member_state is None:
        raise MemberUnavailable(member.code, "not in the network")
    if member_state.status is not MemberStatus.LOADED:
        raise MemberUnavailable(
            member.code, member_state.problem or member_state.status.value
        )
    time_limit = min(state.network.settings.member_timeout, state.time_left())
    if time_limit <= 0:
        raise MemberTimeout(member.code, "the request's deadline has passed")
    answer = await state.client.execute(
        member, document, variables, time_limit=time_limit
    )
    if answer.data is None and not answer.errors:
        raise MemberFailed(member.code, "answered without data")
    return answer


def relay_error(
    member: str, reported: dict[str, Any], path: Sequence[str | int]
) -> GraphQLError:
    """A member's own GraphQL error, passed on with its code and the member."""
    extensions = reported.get("extensions") or {}
    return GraphQLError(
        str(reported.get("message", "member error")),
        path=list(path),
        extensions={"code": extensions.get("code", "MEMBER_ERROR"), "member": member},
    )
