"""Fields the gateway answers itself (``@compute(by: ...)``), by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..activity.network_activity import network_activity
from ..discovery.availability import work_by_identifier
from ..discovery.search import search_works
from ..planning.plan import RootFetch
from ..workflows.loans import walk_in_loan
from ..workflows.purging import purge_linked_accounts
from ..workflows.requests import request_for_pickup
from .state import RequestState

__all__ = ["COMPUTATIONS", "Computation"]

# (request state, the field's arguments, its plan) -> its value
Computation = Callable[[RequestState, Mapping[str, Any], RootFetch], Awaitable[Any]]

COMPUTATIONS: dict[str, Computation] = {
    "network-activity": network_activity,
    "purge-linked-accounts": purge_linked_accounts,
    "request-for-pickup": request_for_pickup,
    "walk-in-loan": walk_in_loan,
    "work": work_by_identifier,
    "works": search_works,
}
