"""How the answers of several members to one fan-out field become one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..planning.plan import HIDDEN_PREFIX
from ..planning.semantics import FanOut, Merge

__all__ = ["merge_answers"]

_RANK_KEY = HIDDEN_PREFIX + "rank"


def merge_answers(fan_out: FanOut, parts: Sequence[Any], limit: int | None) -> Any:
    """Merge the members' values, in the network file's member order."""
    if fan_out.merge is Merge.SUM:
        numbers = [part for part in parts if part is not None]
        return sum(numbers) if numbers else None
    merged = [entry for part in parts if part is not None for entry in part]
    if fan_out.merge is Merge.RANKED:
        # sorted() is stable: equal ranks keep the members' order.
        merged.sort(key=lambda entry: -entry[_RANK_KEY])
    return merged[:limit] if limit is not None else merged
