from __future__ import annotations

from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.returns import (
    NextStep,
    Route,
    WaitingRequest,
    next_step,
)

HOME = DeskKey("BIR", "MAIN")
REMOTE = DeskKey("CED", "MAIN")
OTHER = DeskKey("ASH", "MAIN")


def test_returned_at_home_with_nobody_waiting_goes_back_on_the_shelf() -> None:
    assert next_step(HOME, HOME, None) == Route(NextStep.SHELVE, None, None)


def test_returned_elsewhere_with_nobody_waiting_travels_home() -> None:
    assert next_step(HOME, REMOTE, None) == Route(NextStep.TRANSIT_HOME, HOME, None)


def test_returned_at_the_next_requests_pickup_desk_goes_on_its_hold_shelf() -> None:
    waiting = WaitingRequest(request_id=7, pickup_desk=REMOTE)

    assert next_step(HOME, REMOTE, waiting) == Route(NextStep.HOLD_SHELF, None, 7)


def test_returned_elsewhere_goes_straight_to_the_next_pickup_desk() -> None:
    waiting = WaitingRequest(request_id=7, pickup_desk=OTHER)

    assert next_step(HOME, REMOTE, waiting) == Route(
        NextStep.TRANSIT_TO_PICKUP, OTHER, 7
    )


def test_returned_at_home_goes_to_a_remote_pickup_desk_not_the_shelf() -> None:
    waiting = WaitingRequest(request_id=7, pickup_desk=REMOTE)

    assert next_step(HOME, HOME, waiting).step is NextStep.TRANSIT_TO_PICKUP
