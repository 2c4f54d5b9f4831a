"""What every mutation does around its operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import asyncpg

from ...context import Info
from ..errors import refusals_as_errors

__all__ = ["acting"]


@asynccontextmanager
async def acting(info: Info) -> AsyncIterator[asyncpg.Connection]:
    """A connection for one operation, whose refusal leaves as a coded
    GraphQL error."""
    with refusals_as_errors():
        async with info.context.pool.acquire() as proxy:
            # The pool's proxy forwards every call to the connection it
            # holds; the stubs do not declare it a Connection.
            yield cast(asyncpg.Connection, proxy)
