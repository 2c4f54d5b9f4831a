"""Due dates, renewals, fines and lost-item charges for one loan.

Everything here is arithmetic over a policy and a few instants; the
operations decide when to ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .errors import RenewalLimitReached, RenewalNotAllowed
from .policies import LoanPolicy
from .states import FeeKind

__all__ = [
    "Charge",
    "check_renewal",
    "days_overdue",
    "due_at",
    "is_due_to_be_lost",
    "lost_item_charges",
    "overdue_fine",
    "renewed_due_at",
]

_DAY = timedelta(days=1)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Charge:
    kind: FeeKind
    amount: Decimal


def due_at(loaned_at: datetime, policy: LoanPolicy) -> datetime:
    return loaned_at + policy.loan_period


def check_renewal(
    renewal_count: int, policy: LoanPolicy, *, someone_waiting: bool
) -> None:
    """Raise if the loan may not be renewed once more."""
    if renewal_count >= policy.renewal_limit:
        raise RenewalLimitReached(
            "the loan has been renewed as often as the policy allows",
            renewal_count=renewal_count,
            renewal_limit=policy.renewal_limit,
        )
    if someone_waiting:
        raise RenewalNotAllowed("another patron is waiting for the item")


def renewed_due_at(
    now: datetime, current_due: datetime, policy: LoanPolicy
) -> datetime:
    # Renewing early must never shorten the loan the patron already has.
    return max(now + policy.loan_period, current_due)


def days_overdue(due: datetime, now: datetime) -> int:
    """Whole days between the due date and ``now``; 0 when not overdue."""
    return max((now - due) // _DAY, 0)


def overdue_fine(due: datetime, returned: datetime, policy: LoanPolicy) -> Decimal:
    """The fine for a return at ``returned``: started days past grace, capped."""
    late = returned - due - policy.grace_period
    if late <= timedelta(0):
        return Decimal("0.00")
    days = math.ceil(late / _DAY)
    fine = min(policy.fine_per_day * days, policy.max_fine)
    return fine.quantize(_CENT)


def is_due_to_be_lost(due: datetime, now: datetime, policy: LoanPolicy) -> bool:
    return days_overdue(due, now) >= policy.days_overdue_until_lost


def lost_item_charges(policy: LoanPolicy) -> list[Charge]:
    """The fees for a lost item; a policy may set either one to zero."""
    charges = [
        Charge(FeeKind.LOST_ITEM, policy.replacement_fee.quantize(_CENT)),
        Charge(FeeKind.PROCESSING, policy.processing_fee.quantize(_CENT)),
    ]
    return [charge for charge in charges if charge.amount > 0]
