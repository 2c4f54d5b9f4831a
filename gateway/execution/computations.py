"""Fields the gateway answers itself (``@compute(by: ...)``), by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..discovery.search import search_works
from .state import RequestState

__all__ = ["COMPUTATIONS", "Computation"]

# (request state, the field's arguments, its response key) -> its value
Computation = Callable[[RequestState, Mapping[str, Any], str], Awaitable[Any]]

COMPUTATIONS: dict[str, Computation] = {
    "works": search_works,
}
