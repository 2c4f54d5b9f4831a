"""Plans by document and operation name, so a repeated operation skips
parsing, validation and planning; and by the fields cut out for a caller
who may not see them (see :mod:`gateway.security.authorization`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError

from ..security.authorization import Guard
from .plan import Plan

__all__ = ["PlanCache", "Prepared"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A plan, or the errors that stopped the operation before planning."""

    plan: Plan | None
    errors: tuple[GraphQLError, ...] = ()
    # The parsed operation, and its fields that ask something of the caller.
    document: DocumentNode | None = None
    guards: tuple[Guard, ...] = ()


class PlanCache:
    """The most recently used plans; the least recently used go first."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Prepared] = OrderedDict()

    def get_or_prepare(
        self, key: Hashable, prepare: Callable[[], Prepared]
    ) -> Prepared:
        cached = self._entries.get(key)
        if cached is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return cached
        self.misses += 1
        prepared = prepare()
        self._entries[key] = prepared
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return prepared
