from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.errors import PolicyNotConfigured
from institution_subgraph.circulation.policies import (
    ANY_DESK,
    LoanPolicy,
    PolicyRule,
    RequestPolicy,
    choose_policies,
)

LOAN = LoanPolicy(
    code="standard",
    loan_period=timedelta(days=21),
    renewal_limit=2,
    grace_period=timedelta(0),
    fine_per_day=Decimal("0.25"),
    max_fine=Decimal("10"),
    days_overdue_until_lost=30,
    replacement_fee=Decimal("50"),
    processing_fee=Decimal("10"),
    currency="USD",
)
ANYWHERE = RequestPolicy(code="anywhere", requestable=True, pickup_desks=ANY_DESK)
MAIN = DeskKey("BIR", "MAIN")
REMOTE = DeskKey("ASH", "MAIN")


def _rule(group: str | None, item_policy: str | None, code: str) -> PolicyRule:
    return PolicyRule(group, item_policy, replace(LOAN, code=code), ANYWHERE)


RULES = [
    _rule(None, None, "default"),
    _rule(None, "reserve", "item-only"),
    _rule("faculty", None, "group-only"),
    _rule("faculty", "reserve", "exact"),
]


@pytest.mark.parametrize(
    ("group", "item_policy", "expected"),
    [
        ("faculty", "reserve", "exact"),
        ("faculty", "standard", "group-only"),
        ("student", "reserve", "item-only"),
        ("student", "standard", "default"),
    ],
)
def test_most_specific_rule_wins(group: str, item_policy: str, expected: str) -> None:
    rule = choose_policies(reversed(RULES), group, item_policy)

    assert rule.loan.code == expected


def test_no_matching_rule_is_a_configuration_error() -> None:
    with pytest.raises(PolicyNotConfigured) as raised:
        choose_policies(RULES[1:2], "student", "standard")

    assert raised.value.code == "POLICY_NOT_CONFIGURED"


def test_request_policy_limits_pickup_desks() -> None:
    main_only = RequestPolicy("main-only", True, frozenset({MAIN}))

    assert main_only.refusal(MAIN) is None
    assert main_only.refusal(REMOTE) == "pickup_desk_not_allowed"
    assert ANYWHERE.refusal(REMOTE) is None


def test_non_requestable_policy_refuses_every_desk() -> None:
    closed = RequestPolicy("closed", False, ANY_DESK)

    assert closed.refusal(MAIN) == "not_requestable"
