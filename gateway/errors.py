"""The gateway's errors.

::

    GatewayError
    ├── ConfigurationError        the network file or the contract is unusable
    └── MemberError               a member's part of an answer is missing
        ├── MemberUnavailable     MEMBER_UNAVAILABLE: not reachable, or not loaded
        │   └── MemberSkipped     not called: it kept timing out (breaker open)
        ├── MemberTimeout         MEMBER_TIMEOUT: slower than its timeout
        └── MemberFailed          MEMBER_ERROR: HTTP error or unreadable answer

A :class:`MemberError` names the member and turns itself into a GraphQL
error for the client; the foreign exception it came from is chained, never
shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from graphql import GraphQLError

__all__ = [
    "ConfigurationError",
    "GatewayError",
    "MemberError",
    "MemberFailed",
    "MemberSkipped",
    "MemberTimeout",
    "MemberUnavailable",
]


class GatewayError(Exception):
    pass


class ConfigurationError(GatewayError):
    pass


class MemberError(GatewayError):
    code: ClassVar[str] = "MEMBER_ERROR"
    status: ClassVar[str] = "failed"

    def __init__(self, member: str, reason: str) -> None:
        super().__init__(f"member {member}: {reason}")
        self.member = member
        self.reason = reason

    def to_graphql_error(self, path: Sequence[str | int]) -> GraphQLError:
        return GraphQLError(
            f"Member {self.member} did not answer: {self.reason}",
            path=list(path),
            extensions={"code": self.code, "member": self.member},
        )


class MemberUnavailable(MemberError):
    code = "MEMBER_UNAVAILABLE"
    status = "unavailable"


class MemberSkipped(MemberUnavailable):
    """Not called at all: it kept failing, and waits out a cool-off."""

    status = "skipped"


class MemberTimeout(MemberError):
    code = "MEMBER_TIMEOUT"
    status = "timeout"


class MemberFailed(MemberError):
    code = "MEMBER_ERROR"
    status = "failed"
