"""Taking a copy back at any desk of the network.

The loan closes (with a fine if it came back late), and the copy goes where
it is needed next: the hold shelf here, the pickup desk of the next patron
waiting, home to its owner, or the shelf.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import asyncpg

from ...clock import Clock
from ...storage import fees as fee_rows
from ...storage import loans as loan_rows
from ...storage import policies as policy_rows
from ...storage.fees import Fee
from ...storage.items import Item
from ...storage.loans import Loan
from ..desks import DeskKey
from ..loans import overdue_fine
from ..states import FeeKind, FeeStatus, LoanStatus
from ..transitions import Action, check
from ..views import FeeView, ItemOutcome, LoanView, fee_view, loan_view
from ._fees import charge_for_loan
from ._items import lock_item, note_item
from ._losses import waive_rest
from ._once import run_once
from ._routing import route_item
from ._scope import Scope

__all__ = ["ReturnResult", "return_item"]


@dataclass(frozen=True, slots=True)
class ReturnResult:
    """The copy's next step, the loan it closed (if one was open), and the
    fees the return charged or settled."""

    item: ItemOutcome
    loan: LoanView | None
    fees: tuple[FeeView, ...]


async def return_item(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
) -> ReturnResult:
    """Check in a copy at this desk: own, or another member's for the owner.

    Copies found again after being declared lost, paid for or reported
    missing are checked in the same way.
    """

    async def act(scope: Scope) -> ReturnResult:
        item = await lock_item(scope, barcode)
        check(Action.CHECK_IN, item.status)
        loan = await loan_rows.active_loan_of_item(scope.connection, item.id)
        closed: Loan | None = None
        fees: list[Fee] = []
        if loan is not None:
            closed, fees = await _close_loan(scope, item, loan)
        outcome = await route_item(scope, item, scope.acting_desk, "return")
        return ReturnResult(
            outcome,
            None if closed is None else loan_view(closed, barcode, scope.desks),
            tuple(fee_view(fee, barcode) for fee in fees),
        )

    return await run_once(
        connection,
        clock,
        operation="return_item",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode},
        result_type=ReturnResult,
        act=act,
    )


async def _close_loan(scope: Scope, item: Item, loan: Loan) -> tuple[Loan, list[Fee]]:
    policy = await policy_rows.loan_policy_by_id(scope.connection, loan.loan_policy_id)
    assert policy is not None, "loans reference stored policies"
    fees = await _settle_open_fees(scope, item, loan)
    fine = overdue_fine(loan.due_at, scope.now, policy)
    if fine > 0:
        fees.append(
            await charge_for_loan(
                scope, loan, item, FeeKind.OVERDUE, fine, policy.currency
            )
        )
    closed = replace(
        loan,
        status=LoanStatus.CLOSED,
        return_desk_id=scope.acting_desk.id,
        returned_at=scope.now,
        closed_at=scope.now,
    )
    await loan_rows.save_loan(scope.connection, closed)
    await note_item(scope, item, "loan_closed", loan_id=loan.id)
    return closed, fees


async def _settle_open_fees(scope: Scope, item: Item, loan: Loan) -> list[Fee]:
    """The copy is back: nothing is owed for replacing it, and a dispute
    about a claimed return is over."""
    settled = []
    for fee in await fee_rows.fees_of_loan(scope.connection, loan.id):
        if fee.status is FeeStatus.CLOSED:
            continue
        if fee.kind is FeeKind.LOST_ITEM:
            settled.append(await waive_rest(scope, fee, item))
        elif fee.status is FeeStatus.IN_DISPUTE:
            active = replace(fee, status=FeeStatus.ACTIVE)
            await fee_rows.save_fee(scope.connection, active)
            await note_item(scope, item, "fee_dispute_ended", fee_id=fee.id)
            settled.append(active)
    return settled
