"""Lending a copy over a desk, and renewing a loan.

A remote desk lends only copies on its hold shelf for the patron in front
of it; the loan it makes is the owner's, under the owner's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import asyncpg

from ...clock import Clock
from ...storage import loans as loan_rows
from ...storage import policies as policy_rows
from ...storage import requests as request_rows
from ...storage.items import Item
from ...storage.loans import Loan
from ...storage.requests import Request
from ..desks import DeskKey
from ..errors import ItemNotAtDesk, ItemUnavailable, ItemWrongState, NotFound
from ..loans import check_renewal, due_at, overdue_fine, renewed_due_at
from ..policies import LoanPolicy
from ..states import FeeKind, ItemStatus, LoanProcessState, RequestStatus
from ..transitions import Action, check
from ..views import FeeView, LoanView, fee_view, loan_view
from ._fees import charge_for_loan
from ._items import lock_item, lock_item_by_id, move_item, note_item, require_own_desk
from ._once import run_once
from ._patrons import patron_in_good_standing
from ._routing import next_in_queue, step_request
from ._scope import Scope

__all__ = ["LendResult", "RenewResult", "lend_item", "renew_loan"]


@dataclass(frozen=True, slots=True)
class LendResult:
    loan: LoanView
    # The request the loan filled, when the copy was on hold for the patron.
    filled_request_id: int | None


@dataclass(frozen=True, slots=True)
class RenewResult:
    loan: LoanView
    # An overdue loan pays its fine so far when renewed.
    fees: tuple[FeeView, ...]


async def lend_item(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    desk: DeskKey,
    barcode: str,
    patron_id: int,
) -> LendResult:
    """Lend the copy to the patron (local or linked account) at this desk."""

    async def act(scope: Scope) -> LendResult:
        item = await lock_item(scope, barcode)
        hold = await _hold_for(scope, item, patron_id)
        patron = await patron_in_good_standing(scope, patron_id)
        rule = scope.rule_for(patron.user_group, item.item_policy)
        policy_id = await policy_rows.loan_policy_id(scope.connection, rule.loan.code)
        assert policy_id is not None, "rules reference stored policies"

        loan = await loan_rows.insert_loan(
            scope.connection,
            item_id=item.id,
            patron_id=patron.id,
            loan_policy_id=policy_id,
            loaned_at=scope.now,
            due_at=due_at(scope.now, rule.loan),
            lending_desk_id=scope.acting_desk.id,
        )
        item = await move_item(
            scope, item, ItemStatus.CHECKED_OUT, "lend", loan_id=loan.id
        )
        if hold is not None:
            await step_request(scope, hold, RequestStatus.FILLED, item_id=item.id)
        return LendResult(
            loan_view(loan, barcode, scope.desks), None if hold is None else hold.id
        )

    return await run_once(
        connection,
        clock,
        operation="lend_item",
        key=idempotency_key,
        desk=desk,
        arguments={"barcode": barcode, "patron_id": patron_id},
        result_type=LendResult,
        act=act,
    )


async def _hold_for(scope: Scope, item: Item, patron_id: int) -> Request | None:
    """Check the copy may be lent here; return the hold it fills, if any."""
    if item.status is ItemStatus.CHECKED_OUT:
        raise ItemUnavailable("the item is already on loan", barcode=item.barcode)
    check(Action.LEND, item.status)
    if item.status is ItemStatus.AVAILABLE:
        require_own_desk(scope, item)
        return None

    hold = await request_rows.request_holding_item(scope.connection, item.id)
    assert hold is not None, "a copy awaiting pickup is held for a request"
    if hold.pickup_desk_id != scope.acting_desk.id:
        raise ItemNotAtDesk(
            "the item waits on another desk's hold shelf",
            barcode=item.barcode,
            desk=str(scope.acting_desk.key),
        )
    if hold.patron_id != patron_id:
        raise ItemUnavailable(
            "the item is on hold for another patron", barcode=item.barcode
        )
    return hold


async def renew_loan(
    connection: asyncpg.Connection,
    clock: Clock,
    idempotency_key: str,
    *,
    loan_id: int,
    desk: DeskKey | None = None,
    patron_id: int | None = None,
) -> RenewResult:
    """Renew the loan, at a desk or by the patron (``desk`` None).

    When ``patron_id`` is given the loan must be that patron's; a patron
    renewing someone else's loan is told it does not exist.
    """

    async def act(scope: Scope) -> RenewResult:
        item, loan = await _lock_active_loan(scope, loan_id, patron_id)
        check(Action.RENEW, item.status)
        await patron_in_good_standing(scope, loan.patron_id)
        policy = await policy_rows.loan_policy_by_id(
            scope.connection, loan.loan_policy_id
        )
        assert policy is not None, "loans reference stored policies"
        waiting = await next_in_queue(scope, item)
        check_renewal(loan.renewal_count, policy, someone_waiting=waiting is not None)
        fees = await _charge_fine_so_far(scope, item, loan, policy)
        renewed = await _extend(scope, item, loan, policy)
        return RenewResult(loan_view(renewed, item.barcode, scope.desks), fees)

    return await run_once(
        connection,
        clock,
        operation="renew_loan",
        key=idempotency_key,
        desk=desk,
        arguments={"loan_id": loan_id, "patron_id": patron_id},
        result_type=RenewResult,
        act=act,
    )


async def _charge_fine_so_far(
    scope: Scope, item: Item, loan: Loan, policy: LoanPolicy
) -> tuple[FeeView, ...]:
    fine = overdue_fine(loan.due_at, scope.now, policy)
    if fine == 0:
        return ()
    fee = await charge_for_loan(
        scope, loan, item, FeeKind.OVERDUE, fine, policy.currency
    )
    return (fee_view(fee, item.barcode),)


async def _extend(scope: Scope, item: Item, loan: Loan, policy: LoanPolicy) -> Loan:
    renewed = replace(
        loan,
        due_at=renewed_due_at(scope.now, loan.due_at, policy),
        renewal_count=loan.renewal_count + 1,
        process_state=LoanProcessState.RENEWED,
    )
    await loan_rows.save_loan(scope.connection, renewed)
    await note_item(
        scope, item, "renew", loan_id=loan.id, due_at=renewed.due_at.isoformat()
    )
    return renewed


async def _lock_active_loan(
    scope: Scope, loan_id: int, patron_id: int | None
) -> tuple[Item, Loan]:
    found = await loan_rows.loan_by_id(scope.connection, loan_id)
    if found is None or patron_id not in (None, found.patron_id):
        raise NotFound(f"no loan {loan_id}", loan_id=loan_id)
    item = await lock_item_by_id(scope, found.item_id)
    # Read again under the item's lock: the loan may have ended meanwhile.
    loan = await loan_rows.active_loan_of_item(scope.connection, item.id)
    if loan is None or loan.id != loan_id:
        raise ItemWrongState("the loan is closed", loan_id=loan_id)
    return item, loan
