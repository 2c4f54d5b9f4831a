"""Awaiting several member calls at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

__all__ = ["together"]

T = TypeVar("T")


async def together(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Each result, in order, the awaitables running concurrently. A single
    one is awaited in place, without a task of its own: most requests ask
    one member for one root field, and a task per step is a cost each time.
    """
    pending = list(awaitables)
    if len(pending) == 1:
        return [await pending[0]]
    return list(await asyncio.gather(*pending))
