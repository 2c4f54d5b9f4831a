"""Where an item goes when it is checked in at a desk.

An item returned anywhere goes to the pickup desk of the next patron
waiting for it if there is one, else home to its owner. Arriving at the
owner's home desk with nobody waiting, it goes back on the shelf.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .desks import DeskKey

__all__ = ["NextStep", "Route", "WaitingRequest", "next_step"]


class NextStep(StrEnum):
    HOLD_SHELF = "hold_shelf"
    TRANSIT_TO_PICKUP = "transit_to_pickup"
    TRANSIT_HOME = "transit_home"
    SHELVE = "shelve"


@dataclass(frozen=True, slots=True)
class WaitingRequest:
    request_id: int
    pickup_desk: DeskKey


@dataclass(frozen=True, slots=True)
class Route:
    """The step, and the desk the item goes to (``None`` when it stays)."""

    step: NextStep
    to_desk: DeskKey | None
    request_id: int | None


def next_step(
    home_desk: DeskKey, at_desk: DeskKey, waiting: WaitingRequest | None
) -> Route:
    if waiting is not None:
        if waiting.pickup_desk == at_desk:
            return Route(NextStep.HOLD_SHELF, None, waiting.request_id)
        return Route(
            NextStep.TRANSIT_TO_PICKUP, waiting.pickup_desk, waiting.request_id
        )
    if at_desk == home_desk:
        return Route(NextStep.SHELVE, None, None)
    return Route(NextStep.TRANSIT_HOME, home_desk, None)
