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
    present = [part for part in parts if part is not None]
    if fan_out.merge is Merge.SUM:
        return sum(present) if present else None
    if present and all(isinstance(part, dict) for part in present):
        return _concat_objects(present)
    merged = [entry for part in present for entry in part]
    if fan_out.merge is Merge.RANKED:
        # sorted() is stable: equal ranks keep the members' order.
        merged.sort(key=lambda entry: -entry[_RANK_KEY])
    return merged[:limit] if limit is not None else merged


def _concat_objects(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One object from several: list fields concatenated, others the first's.

    A desk's task lists, say: each member lists its own items for the desk.
    """
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = [*merged[key], *value]
            else:
                merged.setdefault(key, value)
    return merged
