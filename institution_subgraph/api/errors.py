"""Errors the subgraph reports to its callers.

Each carries a stable ``code`` in its GraphQL ``extensions`` so that the
gateway and clients can act on it without parsing the message::

    SubgraphError
    ├── BadUserInput      BAD_USER_INPUT: the arguments cannot be used
    ├── NotOwnedHere      NOT_OWNED_HERE: the ID belongs to another member
    ├── NotFound          NOT_FOUND: a mutation's ID names nothing here
    │                     (a query answers null instead), or a record's
    │                     patron is a purged linked account
    └── Forbidden         FORBIDDEN: the caller the gateway names may not
                          see or do this here (see :mod:`.access`)

Refusals of the circulation rules keep their own codes; see
:mod:`.circulation.errors`.
"""

from __future__ import annotations

from typing import ClassVar

from graphql import GraphQLError

__all__ = ["BadUserInput", "Forbidden", "NotFound", "NotOwnedHere", "SubgraphError"]


class SubgraphError(GraphQLError):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message, extensions={"code": self.code, **details})


class BadUserInput(SubgraphError):
    code = "BAD_USER_INPUT"


class NotOwnedHere(SubgraphError):
    code = "NOT_OWNED_HERE"


class NotFound(SubgraphError):
    code = "NOT_FOUND"


class Forbidden(SubgraphError):
    code = "FORBIDDEN"
