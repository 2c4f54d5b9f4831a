"""One call to one member, with its failure turned into a recorded error."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from ..composition.registry import MemberStatus
from ..config import MemberConfig
from ..errors import MemberError, MemberFailed, MemberTimeout, MemberUnavailable
from ..members.client import MemberAnswer
from .state import RequestState

__all__ = ["AlreadyReported", "ask_member", "call_member", "relay_error"]

# What a member's error code may look like, and how much of its message is
# passed on.
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_MESSAGE_LIMIT = 1000


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
    member_timeout = state.network.settings.member_timeout
    time_limit = min(member_timeout, state.time_left())
    if time_limit <= 0:
        raise MemberTimeout(member.code, "the request's deadline has passed")
    full_timeout = time_limit >= member_timeout
    with state.client.breakers.guard(member.code, full_timeout=full_timeout):
        answer = await state.client.execute(
            member,
            document,
            variables,
            time_limit=time_limit,
            caller=state.caller_for_members,
        )
    if answer.data is None and not answer.errors:
        raise MemberFailed(member.code, "answered without data")
    return answer


def relay_error(
    member: str, reported: dict[str, Any], path: Sequence[str | int]
) -> GraphQLError:
    """A member's own GraphQL error, passed on with its code and the member.

    Only a refusal the member meant, one with a code of its own, keeps its
    message. Anything else (an unexpected failure, an error without a code)
    could quote a stack trace, SQL or a record, so its text stays with the
    member.
    """
    extensions = reported.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    message = reported.get("message")
    if (
        isinstance(code, str)
        and _CODE.fullmatch(code)
        and code != "INTERNAL_SERVER_ERROR"
        and isinstance(message, str)
    ):
        return GraphQLError(
            message[:_MESSAGE_LIMIT],
            path=list(path),
            extensions={"code": code, "member": member},
        )
    return GraphQLError(
        f"member {member} could not answer this part",
        path=list(path),
        extensions={"code": "MEMBER_ERROR", "member": member},
    )


async def ask_member(
    state: RequestState,
    code: str,
    document: str,
    variables: Mapping[str, Any],
    path: Sequence[str | int],
) -> dict[str, Any]:
    """A member's data for one step of a computation, or the step's failure.

    Unlike a fan-out, a step cannot go on without its answer: a member that
    fails, or refuses (its error's code kept), stops the computation with a
    GraphQL error that names the member.
    """
    member = state.network.member(code)
    if member is None:
        raise GraphQLError(
            f"no member {code} in this network", extensions={"code": "BAD_USER_INPUT"}
        )
    answer = await call_member(state, member, document, variables, path)
    if answer is None:
        # call_member recorded why; the step's field is null.
        raise AlreadyReported(code)
    if answer.errors:
        raise relay_error(code, answer.errors[0], path)
    return answer.data or {}


class AlreadyReported(GraphQLError):
    """A step's member failed, and its error is already in the response."""

    def __init__(self, code: str) -> None:
        super().__init__(f"member {code} did not answer", extensions={"member": code})
