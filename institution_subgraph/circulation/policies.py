"""Loan and request policies, and the rule that picks them.

The owner's policies apply to its items wherever they are lent. Which
policies apply depends on the patron's user group (for a linked account,
decided by the owner's linked-account rule) and on the item's policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from .desks import DeskKey
from .errors import PolicyNotConfigured

__all__ = [
    "ANY_DESK",
    "AnyDesk",
    "LoanPolicy",
    "PolicyRule",
    "RequestPolicy",
    "choose_policies",
]

AnyDesk = Literal["any"]
ANY_DESK: AnyDesk = "any"


@dataclass(frozen=True, slots=True)
class LoanPolicy:
    """How long a loan runs and what lateness and loss cost.

    A fine counts every started day beyond the grace period; money is
    :class:`~decimal.Decimal` in ``currency``.
    """

    code: str
    loan_period: timedelta
    renewal_limit: int
    grace_period: timedelta
    fine_per_day: Decimal
    max_fine: Decimal
    days_overdue_until_lost: int
    replacement_fee: Decimal
    processing_fee: Decimal
    currency: str

    def __post_init__(self) -> None:
        if self.loan_period <= timedelta(0):
            raise ValueError(f"loan policy {self.code}: loan period must be > 0")
        if self.renewal_limit < 0 or self.days_overdue_until_lost < 1:
            raise ValueError(f"loan policy {self.code}: negative limit")
        money = (
            self.fine_per_day,
            self.max_fine,
            self.replacement_fee,
            self.processing_fee,
        )
        if any(amount < 0 for amount in money):
            raise ValueError(f"loan policy {self.code}: negative amount")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(
                f"loan policy {self.code}: {self.currency!r} is no ISO 4217 code"
            )


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """Whether items may be requested, and for pickup at which desks."""

    code: str
    requestable: bool
    pickup_desks: frozenset[DeskKey] | AnyDesk

    def refusal(self, pickup_desk: DeskKey) -> str | None:
        """Why a request for pickup at ``pickup_desk`` is refused, if it is."""
        if not self.requestable:
            return "not_requestable"
        if self.pickup_desks != ANY_DESK and pickup_desk not in self.pickup_desks:
            return "pickup_desk_not_allowed"
        return None


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """Policies for a user group and an item policy; ``None`` matches any."""

    user_group: str | None
    item_policy: str | None
    loan: LoanPolicy
    request: RequestPolicy

    def matches(self, user_group: str, item_policy: str) -> bool:
        return self.user_group in (None, user_group) and self.item_policy in (
            None,
            item_policy,
        )

    @property
    def rank(self) -> int:
        """Lower is more specific: both set, group only, item only, default."""
        if self.user_group is not None:
            return 0 if self.item_policy is not None else 1
        return 2 if self.item_policy is not None else 3


def choose_policies(
    rules: Iterable[PolicyRule], user_group: str, item_policy: str
) -> PolicyRule:
    """The most specific rule for the patron's group and the item's policy."""
    matching = [rule for rule in rules if rule.matches(user_group, item_policy)]
    if not matching:
        raise PolicyNotConfigured(
            "no policy rule applies",
            user_group=user_group,
            item_policy=item_policy,
        )
    return min(matching, key=lambda rule: rule.rank)
