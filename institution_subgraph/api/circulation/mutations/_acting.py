"""What every mutation does around its operation: check who acts, then run
it.

Whoever acts must be allowed to (see ``api.access``): staff at a desk,
through :func:`acting_desk`; without a desk, the patron a loan, request or
fee belongs to, or staff who speak for them, through :func:`desk_or_patron`.
Both refuse before the operation starts, so a refusal writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar, cast

import asyncpg
import strawberry
from strawberry.dataloader import DataLoader

from ... import access
from ...context import Info
from ..arguments import item_barcode, optional_desk_key
from ..errors import refusals_as_errors
from ..ids import desk_key

if TYPE_CHECKING:
    from ....circulation.desks import DeskKey
    from ....clock import Clock

__all__ = ["acting_desk", "desk_or_patron", "perform", "perform_on_item"]

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class _OfPatron(Protocol):
    @property
    def patron_id(self) -> int: ...


V = TypeVar("V", bound=_OfPatron)


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


def acting_desk(info: Info, desk: str, *, owner_only: bool = False) -> DeskKey:
    """The desk the caller acts at, if they may act there; ``owner_only``
    for the operations only this member's own staff may do."""
    at_desk = desk_key(desk)
    access.require_desk(info, at_desk, owner_only=owner_only)
    return at_desk


async def desk_or_patron(
    info: Info, desk: str | None, records: DataLoader[int, V | None], key: int
) -> DeskKey | None:
    """Staff acting at ``desk``, or without one, the caller acting for the
    patron whose record ``key`` is (the patron themself, or their staff)."""
    at_desk = optional_desk_key(desk)
    if at_desk is not None:
        access.require_desk(info, at_desk)
    elif info.context.gatekept:
        record = await records.load(key)
        # The operation is about to change the record: the payload must not
        # read this copy of it.
        records.clear(key)
        await access.require_activity_of(
            info, None if record is None else record.patron_id
        )
    return at_desk


async def perform_on_item(
    info: Info,
    operation: _ItemAtDeskOperation[R],
    idempotency_key: str,
    *,
    desk: strawberry.ID,
    item: strawberry.ID,
    owner_only: bool = False,
) -> R:
    """Run an operation on one of this member's items, handled at a desk."""
    at_desk = acting_desk(info, desk, owner_only=owner_only)
    barcode = await item_barcode(info, item)
    return await perform(
        info, operation, idempotency_key, desk=at_desk, barcode=barcode
    )
