"""``walkInLoan``: a patron of one member borrows at another's desk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..execution.entities import key_only
from ..execution.fetch import ask_member
from ..execution.state import RequestState
from ..planning.plan import RootFetch
from .linking import account_at, owner_of

__all__ = ["walk_in_loan"]

_LEND = """
mutation GatewayLend($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lent: lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan { id }
  }
}
"""


async def walk_in_loan(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any]:
    owner = owner_of(arguments["item"], "Item", "item")
    key, path = arguments["idempotencyKey"], [fetch.response_key]
    account = await account_at(state, owner, arguments["patron"], key, path)
    variables = {
        "key": f"{key}/lend",
        "desk": arguments["desk"],
        "item": arguments["item"],
        "patron": account,
    }
    lent = (await ask_member(state, owner, _LEND, variables, path))["lent"]
    return {
        "loan": key_only("Loan", id=lent["loan"]["id"]),
        "account": key_only("Patron", id=account),
    }
