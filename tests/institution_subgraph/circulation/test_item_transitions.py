from __future__ import annotations

import pytest

from institution_subgraph.circulation.errors import ItemWrongState
from institution_subgraph.circulation.states import ItemStatus
from institution_subgraph.circulation.transitions import ACCEPTS, Action, check


def test_every_action_has_an_entry() -> None:
    assert set(ACCEPTS) == set(Action)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.LEND, ItemStatus.AVAILABLE),
        (Action.LEND, ItemStatus.AWAITING_PICKUP),
        (Action.SCAN_PICK, ItemStatus.PAGED),
        (Action.RECEIVE, ItemStatus.IN_TRANSIT),
        (Action.CHECK_IN, ItemStatus.MISSING),
        (Action.DECLARE_LOST, ItemStatus.CLAIMED_RETURNED),
    ],
)
def test_accepted_status_passes(action: Action, status: ItemStatus) -> None:
    check(action, status)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.LEND, ItemStatus.CHECKED_OUT),
        (Action.LEND, ItemStatus.WITHDRAWN),
        (Action.SCAN_PICK, ItemStatus.AVAILABLE),
        (Action.RENEW, ItemStatus.DECLARED_LOST),
        (Action.MARK_MISSING, ItemStatus.CHECKED_OUT),
        (Action.REQUEST, ItemStatus.MISSING),
    ],
)
def test_other_status_raises_wrong_state(action: Action, status: ItemStatus) -> None:
    with pytest.raises(ItemWrongState) as raised:
        check(action, status)

    assert raised.value.code == "ITEM_WRONG_STATE"
    assert raised.value.details == {"action": action.value, "status": status.value}
