"""The subgraph's Federation v2 schema."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from .catalogue import BibRecord, Institution, Item
from .circulation.desks import Desk
from .circulation.fees import Fee
from .circulation.loans import Loan
from .circulation.mutations import Mutation
from .circulation.patrons import Patron
from .circulation.requests import Request
from .query import Query

__all__ = ["ENTITIES", "MemberSchema", "schema"]

# Every @key type, so that _entities can resolve each even where no root
# field returns it.
ENTITIES = (Institution, BibRecord, Item, Desk, Patron, Loan, Request, Fee)

logger = logging.getLogger("institution_subgraph.api")


class MemberSchema(strawberry.federation.Schema):
    """The federation schema, logging only what went wrong unexpectedly.

    Refusals (a coded error, bad input, an invalid document) are answers,
    not faults: they go to the caller and nowhere else, which also keeps
    whatever they quote out of the logs.
    """

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            original = error.original_error
            if _unexpected(error):
                assert original is not None
                logger.error(
                    "resolver failed",
                    exc_info=(type(original), original, original.__traceback__),
                )


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _masking() -> MaskErrors:
    # An unexpected failure's text (SQL, say) never leaves the member.
    return MaskErrors(should_mask_error=_unexpected, error_message="Internal error")


schema = MemberSchema(
    query=Query, mutation=Mutation, types=list(ENTITIES), extensions=[_masking]
)
