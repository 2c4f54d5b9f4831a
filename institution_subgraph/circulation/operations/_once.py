"""Run an operation in one transaction, at most once per idempotency key.

The key is claimed first, inside the transaction: a retry with the same key
and the same arguments gets the stored result without acting again, even
when it races the first call; the same key with other arguments is refused.
A call that fails rolls back its claim too, so a retry after an error acts
afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import asyncpg
import orjson

from ...clock import Clock
from ...storage import idempotency
from ...storage.loans import ACTIVE_LOAN_CONSTRAINT
from ...storage.requests import ASSIGNED_REQUEST_CONSTRAINT
from ...storage.transits import OPEN_TRANSIT_CONSTRAINT
from ..codec import decode, encode
from ..desks import DeskKey
from ..errors import IdempotencyKeyReused, ItemUnavailable
from ._scope import Scope, open_scope

__all__ = ["run_in_transaction", "run_once"]

R = TypeVar("R")

# The indexes that stop two transactions from taking the same copy; a
# violation means this call lost a race its locks did not prevent.
_RACE_CONSTRAINTS = frozenset(
    {ACTIVE_LOAN_CONSTRAINT, ASSIGNED_REQUEST_CONSTRAINT, OPEN_TRANSIT_CONSTRAINT}
)


def arguments_hash(operation: str, arguments: Mapping[str, object]) -> str:
    canonical = orjson.dumps(
        {"operation": operation, "arguments": encode(dict(arguments))},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


async def run_once(
    connection: asyncpg.Connection,
    clock: Clock,
    *,
    operation: str,
    key: str,
    desk: DeskKey | None,
    arguments: Mapping[str, object],
    result_type: type[R],
    act: Callable[[Scope], Awaitable[R]],
) -> R:
    digest = arguments_hash(operation, {**arguments, "desk": desk})
    async with connection.transaction():
        if not await idempotency.claim_key(connection, operation, key, digest):
            return await _replay(connection, operation, key, digest, result_type)
        result = await _act(connection, clock, desk, act)
        await idempotency.save_result(connection, operation, key, encode(result))
        return result


async def run_in_transaction(
    connection: asyncpg.Connection,
    clock: Clock,
    act: Callable[[Scope], Awaitable[R]],
) -> R:
    """For system jobs that are safe to repeat and need no key."""
    async with connection.transaction():
        return await _act(connection, clock, None, act)


async def _act(
    connection: asyncpg.Connection,
    clock: Clock,
    desk: DeskKey | None,
    act: Callable[[Scope], Awaitable[R]],
) -> R:
    scope = await open_scope(connection, clock, desk)
    try:
        return await act(scope)
    except asyncpg.UniqueViolationError as error:
        if error.constraint_name not in _RACE_CONSTRAINTS:
            raise
        raise ItemUnavailable(
            "another desk or patron took the item at the same moment",
            constraint=error.constraint_name,
        ) from error


async def _replay(
    connection: asyncpg.Connection,
    operation: str,
    key: str,
    digest: str,
    result_type: type[R],
) -> R:
    stored = await idempotency.stored_call(connection, operation, key)
    if stored.arguments_hash != digest:
        raise IdempotencyKeyReused(
            "the idempotency key was used for a different call",
            operation=operation,
            key=key,
        )
    return decode(result_type, stored.result)
