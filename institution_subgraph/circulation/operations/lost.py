"""Staff actions on loans gone wrong: lost copies and claimed returns."""

from __future__ import annotations

from dataclasses import dataclass, replace

import asyncpg

from ...clock import Clock
from ...storage import fees as fee_rows
from ...storage import loans as loan_rows
from ...storage.items import Item
from ...storage.loans import Loan
from ..desks import DeskKey
from ..errors import ItemWrongState
from ..states import FeeStatus, ItemStatus, LoanProcessState
from ..transitions import Action, check
from ..views import FeeView, LoanView, fee_view, loan_view
from ._items import lock_item, move_item, note_item, require_own_desk
from ._losses import declare_lost
from ._once import run_once
from ._scope import Scope

__all__ = [
    "ClaimReturnedResult",
    "DeclareLostResult",
    "claim_item_returned",
    "declare_item_lost",
]


@dataclass(frozen=True, slots=True)
class DeclareLostResult:
    loan: LoanView
    fees: tuple[FeeView, ...]


@dataclass(frozen=True, slots=True)
class ClaimReturnedResult:
    loan: LoanView
    # The loan's open fees, now in dispute until the claim is settled.
    disputed_fees: tuple[FeeView, ...]


async def declare_item_lost(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> DeclareLostResult:
    """Declare a loaned copy lost: charge replacement and processing fees."""

    async def act(scope: Scope) -> DeclareLostResult:
        item, loan = await _lock_loaned(scope, barcode, Action.DECLARE_LOST)
        lost, fees = await declare_lost(scope, item, loan)
        return DeclareLostResult(
            loan_view(lost, barcode, scope.desks),
            tuple(fee_view(fee, barcode) for fee in fees),
        )

    return await run_once(
        connection,
        clock,
        operation="declare_item_lost",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=DeclareLostResult,
        act=act,
    )


async def claim_item_returned(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> ClaimReturnedResult:
    """Record the patron's claim to have returned a copy not checked in.

    The loan stays open with the process state ``claimed_returned`` and its
    open fees go into dispute; the copy turning up settles it (check-in),
    staff declaring it lost settles it the other way.
    """

    async def act(scope: Scope) -> ClaimReturnedResult:
        item, loan = await _lock_loaned(scope, barcode, Action.CLAIM_RETURNED)
        claimed = replace(loan, process_state=LoanProcessState.CLAIMED_RETURNED)
        await loan_rows.save_loan(scope.connection, claimed)
        disputed = []
        for fee in await fee_rows.fees_of_loan(scope.connection, loan.id):
            if fee.status is FeeStatus.ACTIVE:
                fee = replace(fee, status=FeeStatus.IN_DISPUTE)
                await fee_rows.save_fee(scope.connection, fee)
                await note_item(scope, item, "fee_disputed", fee_id=fee.id)
                disputed.append(fee_view(fee, barcode))
        await move_item(
            scope, item, ItemStatus.CLAIMED_RETURNED, "claim_returned", loan_id=loan.id
        )
        return ClaimReturnedResult(
            loan_view(claimed, barcode, scope.desks), tuple(disputed)
        )

    return await run_once(
        connection,
        clock,
        operation="claim_item_returned",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=ClaimReturnedResult,
        act=act,
    )


async def _lock_loaned(scope: Scope, barcode: str, action: Action) -> tuple[Item, Loan]:
    item = await lock_item(scope, barcode)
    check(action, item.status)
    require_own_desk(scope, item)
    loan = await loan_rows.active_loan_of_item(scope.connection, item.id)
    if loan is None:
        raise ItemWrongState("the item has no open loan", barcode=barcode)
    return item, loan
