"""What one client request carries through execution."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from graphql.execution.values import VariableValues

from fulfillment_network.identity import Caller

from ..composition.registry import MemberRegistry, MemberState
from ..config import NetworkConfig
from ..errors import MemberError
from ..members.client import MemberClient

__all__ = ["RequestState"]


@dataclass
class RequestState:
    """The members, the client's variables, and what the members did.

    Member failures do not abort the operation: each becomes an error of its
    own, kept here and added to the response beside the other members' data.
    """

    registry: MemberRegistry
    client: MemberClient
    # As the client sent them (passed on to members), and as coerced (used
    # by the gateway itself, e.g. for @skip and @include).
    raw_variables: dict[str, Any]
    # Who is calling; None for an anonymous request.
    caller: Caller | None = None
    # Whether members are told who is calling: only when the operation asks
    # for something that is not public, so that a signed-in search names
    # nobody to the members it fans out to.
    share_caller: bool = True
    variables: dict[str, Any] = field(default_factory=dict)
    variable_values: VariableValues | None = None
    deadline: float = field(init=False)
    errors: list[GraphQLError] = field(default_factory=list)
    # The members as they were when the request started: a reload of the
    # network file does not change them under a request in flight.
    network: NetworkConfig = field(init=False)
    member_states: dict[str, MemberState] = field(init=False)
    member_outcomes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.network = self.registry.network
        self.member_states = self.registry.states
        timeout = self.network.settings.request_timeout
        self.deadline = time.monotonic() + timeout

    @property
    def caller_for_members(self) -> Caller | None:
        return self.caller if self.share_caller else None

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def record_success(self, member: str) -> None:
        self.member_outcomes.setdefault(member, "ok")

    def record_null(self, coordinate: str, path: tuple[str | int, ...]) -> None:
        """A null where the schema forbids one, unless an error already says
        why that part of the answer is missing (a member that failed, or
        refused)."""
        for error in self.errors:
            known = tuple(error.path or ())
            shorter = min(len(known), len(path))
            if known and known[:shorter] == path[:shorter]:
                return
        self.errors.append(
            GraphQLError(
                f"Cannot return null for non-nullable field {coordinate}: a member"
                " gave no value for it.",
                path=list(path),
                extensions={"code": "MEMBER_ERROR"},
            )
        )

    def record_failure(self, error: MemberError, path: list[str | int]) -> None:
        self.member_outcomes[error.member] = error.status
        self.errors.append(error.to_graphql_error(path))
