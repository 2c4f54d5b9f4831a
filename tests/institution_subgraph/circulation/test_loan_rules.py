from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from institution_subgraph.circulation.errors import (
    RenewalLimitReached,
    RenewalNotAllowed,
)
from institution_subgraph.circulation.loans import (
    Charge,
    check_renewal,
    days_overdue,
    due_at,
    is_due_to_be_lost,
    lost_item_charges,
    overdue_fine,
    renewed_due_at,
)
from institution_subgraph.circulation.policies import LoanPolicy
from institution_subgraph.circulation.states import FeeKind

NOON = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
POLICY = LoanPolicy(
    code="standard",
    loan_period=timedelta(days=21),
    renewal_limit=2,
    grace_period=timedelta(days=1),
    fine_per_day=Decimal("0.50"),
    max_fine=Decimal("5.00"),
    days_overdue_until_lost=30,
    replacement_fee=Decimal("60.00"),
    processing_fee=Decimal("10.00"),
    currency="USD",
)


def test_due_date_is_the_loan_period_after_lending() -> None:
    assert due_at(NOON, POLICY) == NOON + timedelta(days=21)


def test_renewal_refused_at_the_limit() -> None:
    check_renewal(1, POLICY, someone_waiting=False)

    with pytest.raises(RenewalLimitReached) as raised:
        check_renewal(2, POLICY, someone_waiting=False)

    assert raised.value.code == "RENEWAL_LIMIT_REACHED"
    assert raised.value.details == {"renewal_count": 2, "renewal_limit": 2}


def test_renewal_refused_while_another_patron_waits() -> None:
    with pytest.raises(RenewalNotAllowed) as raised:
        check_renewal(0, POLICY, someone_waiting=True)

    assert raised.value.code == "RENEWAL_NOT_ALLOWED"


def test_renewal_counts_the_period_from_now() -> None:
    due = NOON + timedelta(days=3)

    assert renewed_due_at(NOON, due, POLICY) == NOON + timedelta(days=21)


def test_renewal_never_brings_the_due_date_forward() -> None:
    long_policy = replace(POLICY, loan_period=timedelta(days=7))
    due = NOON + timedelta(days=20)

    assert renewed_due_at(NOON, due, long_policy) == due


def test_no_fine_within_the_grace_period() -> None:
    returned = NOON + timedelta(hours=23)

    assert overdue_fine(NOON, returned, POLICY) == Decimal("0.00")


def test_fine_counts_started_days_beyond_grace() -> None:
    returned = NOON + timedelta(days=3, hours=1)

    assert overdue_fine(NOON, returned, POLICY) == Decimal("1.50")


def test_fine_is_capped_at_the_maximum() -> None:
    returned = NOON + timedelta(days=90)

    assert overdue_fine(NOON, returned, POLICY) == Decimal("5.00")


def test_days_overdue_is_zero_before_the_due_date() -> None:
    assert days_overdue(NOON, NOON - timedelta(days=2)) == 0
    assert days_overdue(NOON, NOON + timedelta(days=2, hours=5)) == 2


def test_loan_is_lost_after_the_policy_days_overdue() -> None:
    assert not is_due_to_be_lost(NOON, NOON + timedelta(days=29, hours=23), POLICY)
    assert is_due_to_be_lost(NOON, NOON + timedelta(days=30), POLICY)


def test_lost_item_charges_replacement_and_processing() -> None:
    assert lost_item_charges(POLICY) == [
        Charge(FeeKind.LOST_ITEM, Decimal("60.00")),
        Charge(FeeKind.PROCESSING, Decimal("10.00")),
    ]


def test_lost_item_charges_skip_a_zero_fee() -> None:
    free_processing = replace(POLICY, processing_fee=Decimal("0"))

    assert lost_item_charges(free_processing) == [
        Charge(FeeKind.LOST_ITEM, Decimal("60.00"))
    ]


def test_policy_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError, match="negative amount"):
        replace(POLICY, fine_per_day=Decimal("-1"))
