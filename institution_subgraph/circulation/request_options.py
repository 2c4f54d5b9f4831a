"""What a patron may do with one copy: request it, and for pickup where.

Discovery asks this before a patron chooses a copy and a pickup desk. The
answer follows the same rules that placing an item-level request applies
(:mod:`.operations.requests`), so that a copy offered as requestable at a
desk is not refused when the patron goes ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .desks import DeskKey
from .policies import RequestPolicy
from .states import ItemStatus
from .transitions import ACCEPTS, Action

__all__ = ["CopyRequestOptions", "copy_request_options"]


@dataclass(frozen=True, slots=True)
class CopyRequestOptions:
    requestable: bool
    pickup_desks: tuple[DeskKey, ...]


_NOT_REQUESTABLE = CopyRequestOptions(requestable=False, pickup_desks=())


def copy_request_options(
    policy: RequestPolicy, status: ItemStatus, pickup_desks: Iterable[DeskKey]
) -> CopyRequestOptions:
    """The options the policy leaves for a copy in ``status``.

    :param pickup_desks: every pickup desk the owner knows, its own and
        remote ones, in the order to offer them.
    """
    # A copy that is gone (withdrawn, missing, lost) or not yet on the
    # shelf (in process) would never fill the request.
    if not policy.requestable or status not in ACCEPTS[Action.REQUEST]:
        return _NOT_REQUESTABLE
    allowed = tuple(desk for desk in pickup_desks if policy.refusal(desk) is None)
    return CopyRequestOptions(requestable=bool(allowed), pickup_desks=allowed)
