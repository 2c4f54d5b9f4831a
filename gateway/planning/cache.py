"""Plans by document and operation name, so a repeated operation skips
parsing, validation and planning."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError

from .plan import Plan

__all__ = ["PlanCache", "Prepared"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A plan, or the errors that stopped the operation before planning."""

    plan: Plan | None
    errors: tuple[GraphQLError, ...] = ()


class PlanCache:
    """The most recently used plans; the least recently used go first."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[str, str | None], Prepared] = OrderedDict()

    def get_or_prepare(
        self,
        query: str,
        operation_name: str | None,
        prepare: Callable[[str, str | None], Prepared],
    ) -> Prepared:
        key = (query, operation_name)
        cached = self._entries.get(key)
        if cached is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return cached
        self.misses += 1
        prepared = prepare(query, operation_name)
        self._entries[key] = prepared
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return prepared
