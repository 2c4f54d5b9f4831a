"""Linked accounts: for other members' patrons here, and this member's
patrons' accounts elsewhere."""

from __future__ import annotations

import strawberry

from ....circulation import operations as op
from ... import access
from ...context import Info
from ..arguments import own_patron_key, patron_elsewhere, require_this_member
from ..inputs import SharedPatronInput
from ..patrons import Patron, known_patron
from ..results import ForgetLinkedAccountResult, LinkPatronResult, PurgeResult
from ._acting import perform

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
        access.require_link(info, shared.network_patron_id)
        result = await perform(info, op.link_patron, idempotency_key, shared=shared)
        return LinkPatronResult.from_result(result)

    @strawberry.mutation(
        description=(
            "Forget the linked accounts whose purge date has passed and that"
            " have nothing open here: their shared fields and network patron id"
            " are cleared, and their closed loans, requests and fees stay. The"
            " patrons' home members are not told; the network's"
            " purgeLinkedAccounts does both."
        )
    )
    async def purge_linked_accounts_here(
        self, info: Info, idempotency_key: str, institution: str
    ) -> PurgeResult:
        require_this_member(info, institution, argument="institution")
        access.require_patron_admin(info, "purging linked accounts")
        result = await perform(info, op.purge_linked_accounts, idempotency_key)
        return PurgeResult.from_result(info, result)

    @strawberry.mutation(
        description=(
            "At the patron's home member: note that the patron has a linked"
            " account at another member, so that the network patron card can"
            " find it."
        )
    )
    async def record_linked_account(
        self,
        info: Info,
        idempotency_key: str,
        patron: strawberry.ID,
        account: strawberry.ID,
    ) -> Patron:
        patron_key = await own_patron_key(info, patron, argument="patron")
        elsewhere = patron_elsewhere(info, account, argument="account")
        await access.require_link_record(info, patron_key, elsewhere.institution)
        result = await perform(
            info,
            op.record_linked_account,
            idempotency_key,
            patron_id=patron_key,
            institution=elsewhere.institution,
            remote_patron=elsewhere.local_id,
        )
        return await known_patron(info, result.patron_id)

    @strawberry.mutation(
        description=(
            "At the patron's home member: forget the linked account another"
            " member has purged, which no longer resolves there."
        )
    )
    async def forget_linked_account(
        self,
        info: Info,
        idempotency_key: str,
        institution: str,
        account: strawberry.ID,
    ) -> ForgetLinkedAccountResult:
        require_this_member(info, institution, argument="institution")
        elsewhere = patron_elsewhere(info, account, argument="account")
        access.require_patron_admin(
            info, "forgetting a purged linked account", of=elsewhere.institution
        )
        result = await perform(
            info,
            op.forget_linked_account,
            idempotency_key,
            institution=elsewhere.institution,
            remote_patron=elsewhere.local_id,
        )
        return ForgetLinkedAccountResult.from_result(result)
