"""Steps for lost copies: declaring one lost, and settling its fees.

A lost copy's loan stays active with the process state ``lost`` until the
patron pays (or staff waive) the lost-item fees, when the copy becomes
``lost_and_paid`` and the loan closes, or until the copy comes back, when
what is still owed for replacing it is waived.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ...storage import fees as fee_rows
from ...storage import loans as loan_rows
from ...storage import notices
from ...storage import policies as policy_rows
from ...storage.fees import Fee
from ...storage.items import Item
from ...storage.loans import Loan
from ..loans import lost_item_charges
from ..states import (
    FeeKind,
    FeeStatus,
    FeeTransactionKind,
    ItemStatus,
    LoanProcessState,
    LoanStatus,
    NoticeKind,
)
from ._fees import charge_for_loan
from ._items import move_item, note_item
from ._scope import Scope

__all__ = ["LOST_FEE_KINDS", "close_if_lost_and_paid", "declare_lost", "waive_rest"]

LOST_FEE_KINDS = frozenset({FeeKind.LOST_ITEM, FeeKind.PROCESSING})


async def declare_lost(scope: Scope, item: Item, loan: Loan) -> tuple[Loan, list[Fee]]:
    """Charge the lost-item fees and mark the copy and loan lost.

    A loan whose return was claimed may already carry lost fees, now in
    dispute: declaring it lost ends the dispute instead of charging twice.
    """
    policy = await policy_rows.loan_policy_by_id(scope.connection, loan.loan_policy_id)
    assert policy is not None, "loans reference stored policies"
    earlier = await _end_disputes(scope, item, loan)
    fees = [fee for fee in earlier if fee.kind in LOST_FEE_KINDS]
    charged = {fee.kind for fee in fees}
    for charge in lost_item_charges(policy):
        if charge.kind not in charged:
            fees.append(
                await charge_for_loan(
                    scope, loan, item, charge.kind, charge.amount, policy.currency
                )
            )
    lost = replace(loan, process_state=LoanProcessState.LOST)
    await loan_rows.save_loan(scope.connection, lost)
    await move_item(
        scope, item, ItemStatus.DECLARED_LOST, "declare_lost", loan_id=loan.id
    )
    await notices.add_notice(
        scope.connection,
        patron_id=loan.patron_id,
        kind=NoticeKind.DECLARED_LOST,
        payload={"loan_id": loan.id, "barcode": item.barcode},
        at=scope.now,
    )
    return lost, fees


async def _end_disputes(scope: Scope, item: Item, loan: Loan) -> list[Fee]:
    """The loan's fees, with those in dispute made active again."""
    fees = []
    for fee in await fee_rows.fees_of_loan(scope.connection, loan.id):
        if fee.status is FeeStatus.IN_DISPUTE:
            fee = replace(fee, status=FeeStatus.ACTIVE)
            await fee_rows.save_fee(scope.connection, fee)
            await note_item(scope, item, "fee_dispute_ended", fee_id=fee.id)
        fees.append(fee)
    return fees


async def waive_rest(scope: Scope, fee: Fee, item: Item) -> Fee:
    """Waive what is left of the fee, as the system (e.g. the copy came back)."""
    waived = replace(fee, balance=Decimal("0.00"), status=FeeStatus.CLOSED)
    await fee_rows.insert_fee_transaction(
        scope.connection,
        fee_id=fee.id,
        kind=FeeTransactionKind.WAIVER,
        amount=fee.balance,
        balance_after=waived.balance,
        at=scope.now,
        desk_id=scope.desk_id,
    )
    await fee_rows.save_fee(scope.connection, waived)
    await note_item(scope, item, "fee_waived", fee_id=fee.id, amount=str(fee.balance))
    return waived


async def close_if_lost_and_paid(scope: Scope, item: Item, loan: Loan) -> Item:
    """Once every lost-item fee of the loan is settled, close the loan."""
    fees = await fee_rows.fees_of_loan(scope.connection, loan.id)
    lost_fees = [fee for fee in fees if fee.kind in LOST_FEE_KINDS]
    if any(fee.status is not FeeStatus.CLOSED for fee in lost_fees):
        return item
    closed = replace(loan, status=LoanStatus.CLOSED, closed_at=scope.now)
    await loan_rows.save_loan(scope.connection, closed)
    return await move_item(
        scope, item, ItemStatus.LOST_AND_PAID, "lost_and_paid", loan_id=loan.id
    )
