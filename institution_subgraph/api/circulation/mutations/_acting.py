"""What every mutation does around its operation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar, cast

import asyncpg
import strawberry

from ...context import Info
from ..arguments import item_barcode
from ..errors import refusals_as_errors
from ..ids import desk_key

if TYPE_CHECKING:
    from ....circulation.desks import DeskKey
    from ....clock import Clock

__all__ = ["perform", "perform_on_item"]

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class _ItemAtDeskOperation(Protocol[R_co]):
    def __call__(
        self,
        connection: asyncpg.Connection,
        clock: Clock,
        idempotency_key: str,
        *,
        desk: DeskKey,
        barcode: str,
    ) -> Awaitable[R_co]: ...


async def perform(
    info: Info,
    operation: Callable[Concatenate[asyncpg.Connection, Clock, str, P], Awaitable[R]],
    idempotency_key: str,
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Run the operation on a pooled connection with the request's clock;
    its refusal leaves as a coded GraphQL error."""
    with refusals_as_errors():
        async with info.context.pool.acquire() as proxy:
            # The pool's proxy forwards every call to the connection it
            # holds; the stubs do not declare it a Connection.
            connection = cast(asyncpg.Connection, proxy)
            return await operation(
                connection, info.context.clock, idempotency_key, *args, **kwargs
            )


async def perform_on_item(
    info: Info,
    operation: _ItemAtDeskOperation[R],
    idempotency_key: str,
    *,
    desk: strawberry.ID,
    item: strawberry.ID,
) -> R:
    """Run an operation on one of this member's items, handled at a desk."""
    at_desk, barcode = desk_key(desk), await item_barcode(info, item)
    return await perform(
        info, operation, idempotency_key, desk=at_desk, barcode=barcode
    )
