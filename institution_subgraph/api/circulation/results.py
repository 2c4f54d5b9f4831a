"""The mutations' payloads, each made from an operation's result.

An operation stores its result with the idempotency key and hands the same
result back to a retried call; a payload built from nothing else reads the
same on the retry. Nested records (a loan's patron, a request's history)
are read as they are now.
"""

from __future__ import annotations

import strawberry

from fulfillment_network.ids import GlobalId

from ...circulation import operations as op
from ..context import Info
from ..ids import global_id
from .fees import Fee, FeeTransaction
from .ids import PATRON
from .loans import Loan
from .movements import ItemMovement, Transit
from .patrons import Patron, known_patron
from .requests import Request, known_request

__all__ = [
    "CancelRequestResult",
    "ExpireHoldsResult",
    "FeeTransactionResult",
    "ForgetLinkedAccountResult",
    "LendResult",
    "LinkPatronResult",
    "LostResult",
    "MissingItemResult",
    "PlaceRequestResult",
    "PurgeResult",
    "PurgedAccount",
    "ReceiveResult",
    "RenewResult",
    "ReturnResult",
]


@strawberry.type
class MissingItemResult:
    item: ItemMovement
    request: Request | None = strawberry.field(
        description="The request that wanted the missing copy, moved or unfilled."
    )
    replacement: ItemMovement | None = strawberry.field(
        description="The copy the request moved to, if another one could be paged."
    )

    @classmethod
    def from_result(cls, result: op.MissingItemResult) -> MissingItemResult:
        request, replacement = result.request, result.replacement
        return cls(
            item=ItemMovement.from_outcome(result.item),
            request=None if request is None else Request.from_view(request),
            replacement=(
                None if replacement is None else ItemMovement.from_outcome(replacement)
            ),
        )


@strawberry.type
class ReceiveResult:
    transit: Transit
    item: ItemMovement

    @classmethod
    def from_result(cls, result: op.ReceiveResult) -> ReceiveResult:
        return cls(
            transit=Transit.from_view(result.transit),
            item=ItemMovement.from_outcome(result.item),
        )


@strawberry.type
class LendResult:
    loan: Loan
    filled_request_key: strawberry.Private[int | None]

    @classmethod
    def from_result(cls, result: op.LendResult) -> LendResult:
        return cls(
            loan=Loan.from_view(result.loan),
            filled_request_key=result.filled_request_id,
        )

    @strawberry.field(
        description=(
            "The request this loan filled, when the item was on hold for the patron."
        )
    )
    async def filled_request(self, info: Info) -> Request | None:
        if self.filled_request_key is None:
            return None
        return await known_request(info, self.filled_request_key)


@strawberry.type
class RenewResult:
    loan: Loan
    fees: list[Fee]

    @classmethod
    def from_result(cls, result: op.RenewResult) -> RenewResult:
        return cls(
            loan=Loan.from_view(result.loan),
            fees=[Fee.from_view(fee) for fee in result.fees],
        )


@strawberry.type
class ReturnResult:
    item: ItemMovement
    loan: Loan | None
    fees: list[Fee]

    @classmethod
    def from_result(cls, result: op.ReturnResult) -> ReturnResult:
        return cls(
            item=ItemMovement.from_outcome(result.item),
            loan=None if result.loan is None else Loan.from_view(result.loan),
            fees=[Fee.from_view(fee) for fee in result.fees],
        )


@strawberry.type
class LostResult:
    loan: Loan
    fees: list[Fee]

    @classmethod
    def from_declared(cls, result: op.DeclareLostResult) -> LostResult:
        return cls(
            loan=Loan.from_view(result.loan),
            fees=[Fee.from_view(fee) for fee in result.fees],
        )

    @classmethod
    def from_claimed(cls, result: op.ClaimReturnedResult) -> LostResult:
        return cls(
            loan=Loan.from_view(result.loan),
            fees=[Fee.from_view(fee) for fee in result.disputed_fees],
        )


@strawberry.type
class FeeTransactionResult:
    transaction: FeeTransaction
    fee: Fee

    @classmethod
    def from_result(cls, result: op.FeeTransactionResult) -> FeeTransactionResult:
        return cls(
            transaction=FeeTransaction(
                key=result.transaction_id, kind=result.kind, amount=result.amount
            ),
            fee=Fee.from_view(result.fee),
        )


@strawberry.type
class PlaceRequestResult:
    request: Request
    queue_position: int | None = strawberry.field(
        description="1 for the first in the queue for the record; null when"
        " a copy was set aside at once."
    )

    @classmethod
    def from_result(cls, result: op.PlaceRequestResult) -> PlaceRequestResult:
        return cls(
            request=Request.from_view(result.request),
            queue_position=result.queue_position,
        )


@strawberry.type
class CancelRequestResult:
    request: Request
    item: ItemMovement | None

    @classmethod
    def from_result(cls, result: op.CancelRequestResult) -> CancelRequestResult:
        return cls(
            request=Request.from_view(result.request),
            item=None
            if result.item is None
            else ItemMovement.from_outcome(result.item),
        )


@strawberry.type
class ExpireHoldsResult:
    expired: list[ItemMovement]

    @classmethod
    def from_result(cls, result: op.ExpiredHoldsResult) -> ExpireHoldsResult:
        return cls(
            expired=[ItemMovement.from_outcome(hold.item) for hold in result.expired]
        )


@strawberry.type
class LinkPatronResult:
    patron_key: strawberry.Private[int]
    created: bool = strawberry.field(
        description="False when an existing linked account was refreshed."
    )

    @classmethod
    def from_result(cls, result: op.LinkedAccountResult) -> LinkPatronResult:
        return cls(patron_key=result.patron_id, created=result.created)

    @strawberry.field
    async def patron(self, info: Info) -> Patron:
        return await known_patron(info, self.patron_key)


@strawberry.type(
    description=(
        "A linked account purged here: its ID, which no longer resolves, and"
        " its patron's home member, which should forget it."
    )
)
class PurgedAccount:
    account: strawberry.ID
    home_institution: str


@strawberry.type
class PurgeResult:
    purged: int = strawberry.field(
        description=(
            "Linked accounts past their purge date that now hold nothing of"
            " their patron."
        )
    )
    waiting: int = strawberry.field(
        description=(
            "Linked accounts past their purge date kept because a loan, request"
            " or fee of theirs is still open here; a later purge takes them."
        )
    )
    purged_accounts: list[PurgedAccount] = strawberry.field(
        description="The accounts purged, each with its patron's home member."
    )

    @classmethod
    def from_result(cls, info: Info, result: op.PurgeResult) -> PurgeResult:
        return cls(
            purged=len(result.purged),
            waiting=len(result.waiting),
            purged_accounts=[
                PurgedAccount(
                    account=global_id(info, PATRON, account.patron_id),
                    home_institution=account.home_institution,
                )
                for account in result.purged
            ],
        )


@strawberry.type
class ForgetLinkedAccountResult:
    account: strawberry.ID
    forgotten: bool = strawberry.field(
        description=(
            "False when no patron's record here named the account: it was"
            " forgotten already, or a newer account there replaced it."
        )
    )

    @classmethod
    def from_result(cls, result: op.ForgottenLink) -> ForgetLinkedAccountResult:
        account = GlobalId(PATRON, result.institution, result.remote_patron)
        return cls(
            account=strawberry.ID(str(account)), forgotten=bool(result.patron_ids)
        )
