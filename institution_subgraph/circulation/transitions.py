"""Which item statuses each circulation action accepts.

The table is the single place that says, for instance, that only a paged
item can be scanned for its pick slip, or that a missing item found on the
shelf is checked in like a returned one.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from .errors import ItemWrongState
from .states import ItemStatus as S

__all__ = ["ACCEPTS", "Action", "check"]


class Action(StrEnum):
    LEND = "lend"
    RENEW = "renew"
    CHECK_IN = "check_in"
    SCAN_PICK = "scan_pick"
    RECEIVE = "receive"
    DECLARE_LOST = "declare_lost"
    CLAIM_RETURNED = "claim_returned"
    MARK_MISSING = "mark_missing"
    EXPIRE_HOLD = "expire_hold"
    # Placing a request for this very copy: it is paged or queued.
    REQUEST = "request"


ACCEPTS: MappingProxyType[Action, frozenset[S]] = MappingProxyType(
    {
        Action.LEND: frozenset({S.AVAILABLE, S.AWAITING_PICKUP}),
        Action.RENEW: frozenset({S.CHECKED_OUT}),
        # A missing or paid-for lost item that turns up is checked in too.
        Action.CHECK_IN: frozenset(
            {
                S.CHECKED_OUT,
                S.CLAIMED_RETURNED,
                S.DECLARED_LOST,
                S.LOST_AND_PAID,
                S.MISSING,
            }
        ),
        Action.SCAN_PICK: frozenset({S.PAGED}),
        Action.RECEIVE: frozenset({S.IN_TRANSIT}),
        Action.DECLARE_LOST: frozenset({S.CHECKED_OUT, S.CLAIMED_RETURNED}),
        Action.CLAIM_RETURNED: frozenset({S.CHECKED_OUT, S.DECLARED_LOST}),
        Action.MARK_MISSING: frozenset({S.AVAILABLE, S.PAGED}),
        Action.EXPIRE_HOLD: frozenset({S.AWAITING_PICKUP}),
        Action.REQUEST: frozenset(
            {S.AVAILABLE, S.PAGED, S.IN_TRANSIT, S.AWAITING_PICKUP, S.CHECKED_OUT}
        ),
    }
)


def check(action: Action, status: S) -> None:
    """Raise :class:`ItemWrongState` unless ``action`` accepts ``status``."""
    if status not in ACCEPTS[action]:
        raise ItemWrongState(
            f"cannot {action.value.replace('_', ' ')} an item that is "
            f"{status.value.replace('_', ' ')}",
            action=action.value,
            status=status.value,
        )
