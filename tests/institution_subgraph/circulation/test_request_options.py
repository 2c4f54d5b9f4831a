"""The options a request policy leaves for one copy, without a database."""

from __future__ import annotations

import pytest

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.policies import ANY_DESK, RequestPolicy
from institution_subgraph.circulation.request_options import copy_request_options
from institution_subgraph.circulation.states import ItemStatus

MAIN = DeskKey("BIR", "MAIN")
REMOTE = DeskKey("ASH", "MAIN")
ANYWHERE = RequestPolicy(code="anywhere", requestable=True, pickup_desks=ANY_DESK)


def test_any_desk_means_every_pickup_desk_in_the_order_given() -> None:
    options = copy_request_options(ANYWHERE, ItemStatus.AVAILABLE, [REMOTE, MAIN])

    assert options.requestable is True
    assert options.pickup_desks == (REMOTE, MAIN)


def test_a_policy_with_listed_desks_offers_only_those() -> None:
    policy = RequestPolicy(
        "main-only", requestable=True, pickup_desks=frozenset({MAIN})
    )

    options = copy_request_options(policy, ItemStatus.CHECKED_OUT, [MAIN, REMOTE])

    assert options.pickup_desks == (MAIN,)


def test_a_copy_whose_listed_desks_are_no_pickup_desks_is_not_requestable() -> None:
    policy = RequestPolicy(
        "main-only", requestable=True, pickup_desks=frozenset({MAIN})
    )

    options = copy_request_options(policy, ItemStatus.AVAILABLE, [REMOTE])

    assert (options.requestable, options.pickup_desks) == (False, ())


def test_a_policy_that_refuses_requests_offers_no_desk() -> None:
    policy = RequestPolicy("none", requestable=False, pickup_desks=ANY_DESK)

    options = copy_request_options(policy, ItemStatus.AVAILABLE, [MAIN])

    assert (options.requestable, options.pickup_desks) == (False, ())


@pytest.mark.parametrize(
    "status",
    [
        ItemStatus.WITHDRAWN,
        ItemStatus.MISSING,
        ItemStatus.DECLARED_LOST,
        ItemStatus.LOST_AND_PAID,
        ItemStatus.CLAIMED_RETURNED,
        ItemStatus.IN_PROCESS,
    ],
)
def test_a_copy_that_cannot_fill_a_request_is_not_requestable(
    status: ItemStatus,
) -> None:
    options = copy_request_options(ANYWHERE, status, [MAIN])

    assert (options.requestable, options.pickup_desks) == (False, ())
