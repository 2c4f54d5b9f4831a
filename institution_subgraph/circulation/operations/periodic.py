"""Jobs the system runs on a schedule, as of the clock's now.

Each job works one loan, request or linked account per transaction, so
that a long run never holds many locks at once and a failure leaves the
rest done. Each is safe to run again: what it has done changes the rows it
looks for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Literal

import asyncpg

from ...clock import Clock
from ...storage import loans as loan_rows
from ...storage import notices
from ...storage import policies as policy_rows
from ...storage import purges as purge_rows
from ...storage import requests as request_rows
from ..loans import is_due_to_be_lost
from ..states import LoanStatus, NoticeKind, RequestStatus
from ._items import lock_item_by_id
from ._losses import declare_lost
from ._once import run_in_transaction
from ._routing import step_request
from ._scope import Scope
from .purging import PurgeResult, purge_if_due, purge_result

__all__ = [
    "DUE_SOON",
    "OverdueAssessment",
    "assess_overdue",
    "expire_requests",
    "purge_due_linked_accounts",
]

logger = logging.getLogger("institution_subgraph.circulation.periodic")

# How long before the due date the patron is reminded.
DUE_SOON = timedelta(days=2)


_Outcome = Literal["lost", "overdue"]


@dataclass(frozen=True, slots=True)
class OverdueAssessment:
    """Loan ids by what the run did to them."""

    declared_lost: tuple[int, ...]
    overdue_noticed: tuple[int, ...]
    due_soon_noticed: tuple[int, ...]


async def assess_overdue(
    connection: asyncpg.Connection, clock: Clock
) -> OverdueAssessment:
    """Remind patrons of loans due soon, tell them of overdue ones once,
    and declare loans lost once their policy's days overdue have passed.

    Fines for late returns are charged at the return, when the days late
    are known; see :func:`.checkin.return_item`.
    """
    lost: list[int] = []
    overdue: list[int] = []
    for loan in await loan_rows.loans_overdue_since(connection, clock.now()):
        outcome = await run_in_transaction(
            connection, clock, partial(_assess_one, listed=loan)
        )
        if outcome == "lost":
            lost.append(loan.id)
        elif outcome == "overdue":
            overdue.append(loan.id)
    due_soon = await run_in_transaction(connection, clock, _remind_due_soon)
    logger.info(
        "overdue assessed",
        extra={"declared_lost": len(lost), "overdue": len(overdue)},
    )
    return OverdueAssessment(tuple(lost), tuple(overdue), due_soon)


async def _assess_one(scope: Scope, listed: loan_rows.Loan) -> _Outcome | None:
    item = await lock_item_by_id(scope, listed.item_id)
    loan = await loan_rows.active_loan_of_item(scope.connection, item.id)
    # Returned, renewed or declared lost while the job waited for the lock.
    if loan is None or loan.id != listed.id or loan.due_at >= scope.now:
        return None
    if (
        loan.status is not LoanStatus.ACTIVE
        or loan.process_state != listed.process_state
    ):
        return None
    policy = await policy_rows.loan_policy_by_id(scope.connection, loan.loan_policy_id)
    assert policy is not None, "loans reference stored policies"
    if is_due_to_be_lost(loan.due_at, scope.now, policy):
        await declare_lost(scope, item, loan)
        return "lost"
    if not await loan_rows.mark_overdue_noticed(scope.connection, loan.id, scope.now):
        return None
    await notices.add_notice(
        scope.connection,
        patron_id=loan.patron_id,
        kind=NoticeKind.OVERDUE,
        payload={
            "loan_id": loan.id,
            "barcode": item.barcode,
            "due_at": loan.due_at.isoformat(),
        },
        at=scope.now,
    )
    return "overdue"


async def _remind_due_soon(scope: Scope) -> tuple[int, ...]:
    due = await loan_rows.loans_due_between(
        scope.connection, scope.now, scope.now + DUE_SOON
    )
    for row in due:
        await loan_rows.mark_due_soon_noticed(scope.connection, row["id"], scope.now)
        await notices.add_notice(
            scope.connection,
            patron_id=row["patron_id"],
            kind=NoticeKind.DUE_SOON,
            payload={
                "loan_id": row["id"],
                "barcode": row["barcode"],
                "due_at": row["due_at"].isoformat(),
            },
            at=scope.now,
        )
    return tuple(row["id"] for row in due)


async def expire_requests(
    connection: asyncpg.Connection, clock: Clock
) -> tuple[int, ...]:
    """End requests still waiting after the date the patron needed them by;
    return their ids."""
    today = clock.now().date()
    expired: list[int] = []
    for listed in await request_rows.requests_unfilled_before(connection, today):
        done = await run_in_transaction(
            connection, clock, partial(_expire_one, listed=listed)
        )
        if done:
            expired.append(listed.id)
    return tuple(expired)


async def _expire_one(scope: Scope, listed: request_rows.Request) -> bool:
    request = await request_rows.lock_request(scope.connection, listed.id)
    if request is None or request.status is not RequestStatus.NOT_YET_FILLED:
        return False
    await step_request(scope, request, RequestStatus.EXPIRED, item_id=None)
    await notices.add_notice(
        scope.connection,
        patron_id=request.patron_id,
        kind=NoticeKind.REQUEST_EXPIRED,
        payload={"request_id": request.id, "bib_record_id": request.bib_record_id},
        at=scope.now,
    )
    return True


async def purge_due_linked_accounts(
    connection: asyncpg.Connection, clock: Clock
) -> PurgeResult:
    """Purge the linked accounts past their purge date that have nothing
    open here, as the purgeLinkedAccountsHere mutation does (see
    :mod:`.purging`), but one account per transaction. Their home members
    are not told."""
    today = clock.now().date()
    outcomes = []
    for account in await purge_rows.linked_accounts_due(connection, today):
        outcome = await run_in_transaction(
            connection, clock, partial(purge_if_due, patron_id=account.id)
        )
        outcomes.append((account, outcome))
    result = purge_result(outcomes)
    logger.info(
        "linked accounts purged",
        extra={"purged": len(result.purged), "waiting": len(result.waiting)},
    )
    return result
