"""Money against fees: payments, waivers and refunds.

A payment or waiver lowers the balance and closes the fee at zero. A refund
hands back money paid for a debt that no longer stands (a lost copy found
after it was paid for); it does not reopen the fee.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import asyncpg

from ...clock import Clock
from ...storage import fees as fee_rows
from ...storage import loans as loan_rows
from ...storage.fees import Fee
from ...storage.items import Item
from ..desks import DeskKey
from ..errors import InvalidPayment, NotFound
from ..states import FeeStatus, FeeTransactionKind, ItemStatus, LoanProcessState
from ..views import FeeView, fee_view
from ._items import lock_item_by_id, note_item
from ._losses import LOST_FEE_KINDS, close_if_lost_and_paid
from ._once import run_once
from ._scope import Scope

__all__ = ["FeeTransactionResult", "pay_fee", "refund_fee", "waive_fee"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FeeTransactionResult:
    transaction_id: int
    kind: FeeTransactionKind
    amount: Decimal
    fee: FeeView
    # The copy's status when the transaction changed it (lost and paid).
    item_status: ItemStatus | None


async def pay_fee(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    fee_id: int,
    amount: Decimal,
    desk: DeskKey | None = None,
) -> FeeTransactionResult:
    """Take a payment, at a desk or online (``desk`` None)."""
    return await _transact(
        connection,
        clock,
        idempotency_key,
        FeeTransactionKind.PAYMENT,
        fee_id,
        amount,
        desk,
    )


async def waive_fee(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    fee_id: int,
    amount: Decimal,
    desk: DeskKey,
) -> FeeTransactionResult:
    return await _transact(
        connection,
        clock,
        idempotency_key,
        FeeTransactionKind.WAIVER,
        fee_id,
        amount,
        desk,
    )


async def refund_fee(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    fee_id: int,
    amount: Decimal,
    desk: DeskKey,
) -> FeeTransactionResult:
    return await _transact(
        connection,
        clock,
        idempotency_key,
        FeeTransactionKind.REFUND,
        fee_id,
        amount,
        desk,
    )


async def _transact(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    kind: FeeTransactionKind,
    fee_id: int,
    amount: Decimal,
    desk: DeskKey | None,
) -> FeeTransactionResult:
    async def act(scope: Scope) -> FeeTransactionResult:
        item, fee = await _lock_fee(scope, fee_id)
        await _check_amount(scope, fee, kind, amount)
        cents = amount.quantize(_CENT)
        after = _apply(fee, kind, cents)
        transaction_id = await fee_rows.insert_fee_transaction(
            scope.connection,
            fee_id=fee.id,
            kind=kind,
            amount=cents,
            balance_after=after.balance,
            at=scope.now,
            desk_id=scope.desk_id,
        )
        await fee_rows.save_fee(scope.connection, after)
        item_status = await _record_on_item(scope, item, after, kind, cents)
        barcode = None if item is None else item.barcode
        return FeeTransactionResult(
            transaction_id, kind, cents, fee_view(after, barcode), item_status
        )

    return await run_once(
        connection,
        clock,
        operation=f"{kind.value}_fee",
        key=idempotency_key,
        desk=desk,
        # 80 and 80.00 are the same payment, retried or not.
        arguments={"fee_id": fee_id, "amount": amount.normalize()},
        result_type=FeeTransactionResult,
        act=act,
    )


async def _lock_fee(scope: Scope, fee_id: int) -> tuple[Item | None, Fee]:
    # The item first, as every operation locks it before its fees.
    found = await fee_rows.fees_by_id(scope.connection, [fee_id])
    if not found:
        raise NotFound(f"no fee {fee_id}", fee_id=fee_id)
    item_id = found[0].item_id
    item = None if item_id is None else await lock_item_by_id(scope, item_id)
    fee = await fee_rows.lock_fee(scope.connection, fee_id)
    assert fee is not None, "fees are never deleted"
    return item, fee


async def _check_amount(
    scope: Scope, fee: Fee, kind: FeeTransactionKind, amount: Decimal
) -> None:
    if amount <= 0 or amount != amount.quantize(_CENT):
        raise InvalidPayment(
            "the amount must be positive, in whole cents", amount=str(amount)
        )
    if kind is FeeTransactionKind.REFUND:
        limit = await fee_rows.refundable_amount(scope.connection, fee.id)
    else:
        limit = fee.balance
    if amount > limit:
        raise InvalidPayment(
            f"the amount is more than the fee's {_limit_name(kind)}",
            amount=str(amount),
            limit=str(limit),
        )


def _limit_name(kind: FeeTransactionKind) -> str:
    return "refundable payments" if kind is FeeTransactionKind.REFUND else "balance"


def _apply(fee: Fee, kind: FeeTransactionKind, amount: Decimal) -> Fee:
    if kind is FeeTransactionKind.REFUND:
        return fee
    balance = fee.balance - amount
    status = FeeStatus.CLOSED if balance == 0 else fee.status
    return replace(fee, balance=balance, status=status)


async def _record_on_item(
    scope: Scope,
    item: Item | None,
    fee: Fee,
    kind: FeeTransactionKind,
    amount: Decimal,
) -> ItemStatus | None:
    if item is None:
        return None
    await note_item(scope, item, f"fee_{kind.value}", fee_id=fee.id, amount=str(amount))
    settles_loss = (
        fee.kind in LOST_FEE_KINDS
        and fee.status is FeeStatus.CLOSED
        and item.status is ItemStatus.DECLARED_LOST
    )
    if fee.loan_id is None or not settles_loss:
        return None
    loan = await loan_rows.loan_by_id(scope.connection, fee.loan_id)
    if loan is None or loan.process_state is not LoanProcessState.LOST:
        return None
    settled = await close_if_lost_and_paid(scope, item, loan)
    return settled.status if settled.status is not item.status else None
