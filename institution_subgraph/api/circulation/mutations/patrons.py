"""Linked accounts for other members' patrons."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ...context import Info
from ..arguments import require_this_member
from ..inputs import SharedPatronInput
from ..results import LinkPatronResult
from ._acting import acting

__all__ = ["PatronMutations"]


@strawberry.type
class PatronMutations:
    @strawberry.mutation(
        description=(
            "Create or refresh this member's linked account for another member's"
            " patron."
        )
    )
    async def link_patron(
        self,
        info: Info,
        idempotency_key: str,
        institution: str,
        patron: SharedPatronInput,
    ) -> LinkPatronResult:
        require_this_member(info, institution, argument="institution")
        shared = patron.to_shared_fields()
        async with acting(info) as connection:
            result = await op.link_patron(
                connection, info.context.clock, idempotency_key, shared=shared
            )
        return LinkPatronResult.from_result(result)
