"""``requestForPickup``: a patron of one member requests another's record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from ..execution.entities import key_only
from ..execution.fetch import ask_member
from ..execution.state import RequestState
from ..planning.plan import RootFetch
from .linking import account_at, owner_of

__all__ = ["request_for_pickup"]

_PLACE_TITLE = """
mutation GatewayPlaceRequest($key: String!, $patron: ID!, $target: ID!,
                             $desk: ID!, $before: Date) {
  placed: placeRequest(idempotencyKey: $key, patron: $patron, bibRecord: $target,
                       pickupDesk: $desk, neededBefore: $before) {
    request { id } queuePosition
  }
}
"""

_PLACE_ITEM = """
mutation GatewayPlaceItemRequest($key: String!, $patron: ID!, $target: ID!,
                                 $desk: ID!, $before: Date) {
  placed: placeItemRequest(idempotencyKey: $key, patron: $patron, item: $target,
                           pickupDesk: $desk, neededBefore: $before) {
    request { id } queuePosition
  }
}
"""


async def request_for_pickup(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any]:
    document, argument, type_name = _target(arguments)
    target: str = arguments[argument]
    owner = owner_of(target, type_name, argument)
    key, path = arguments["idempotencyKey"], [fetch.response_key]
    account = await account_at(state, owner, arguments["patron"], key, path)
    variables = {
        "key": f"{key}/request",
        "patron": account,
        "target": target,
        "desk": arguments["pickupDesk"],
        # A Date is passed on as the client wrote it (ISO 8601).
        "before": arguments.get("neededBefore"),
    }
    placed = (await ask_member(state, owner, document, variables, path))["placed"]
    return {
        "request": key_only("Request", id=placed["request"]["id"]),
        "account": key_only("Patron", id=account),
        "queuePosition": placed["queuePosition"],
    }


def _target(arguments: Mapping[str, Any]) -> tuple[str, str, str]:
    """The operation, the argument naming what is requested, and its type."""
    record, item = arguments.get("bibRecord"), arguments.get("item")
    if (record is None) == (item is None):
        raise GraphQLError(
            "name either bibRecord or item", extensions={"code": "BAD_USER_INPUT"}
        )
    if record is not None:
        return _PLACE_TITLE, "bibRecord", "BibRecord"
    return _PLACE_ITEM, "item", "Item"
