"""Circulation refusals as GraphQL errors.

An operation or query that refuses raises a
:class:`~institution_subgraph.circulation.errors.CirculationError`, having
changed nothing. The caller gets a GraphQL error whose ``extensions`` carry
the refusal's stable ``code`` (``RENEWAL_LIMIT_REACHED``,
``ITEM_NOT_AT_DESK``, ...) and the details that explain it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from ...circulation.errors import CirculationError

__all__ = ["refusal_error", "refusals_as_errors"]


def refusal_error(refusal: CirculationError) -> GraphQLError:
    return GraphQLError(
        refusal.message,
        original_error=refusal,
        extensions={**refusal.details, "code": refusal.code},
    )


@contextmanager
def refusals_as_errors() -> Iterator[None]:
    try:
        yield
    except CirculationError as refusal:
        raise refusal_error(refusal) from refusal
