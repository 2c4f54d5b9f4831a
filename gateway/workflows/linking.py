"""A patron's account at another member: linked from the home's shared fields.

The home member's patron record leaves home only as the shared fields (see
``SharedPatronInput``); the owner keeps them as a linked account under its
own rules, and the home member records the link for the patron card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..execution.fetch import ask_member
from ..execution.state import RequestState

__all__ = ["account_at", "owner_of"]

_SHARED = """
query GatewaySharedFields($id: ID!) {
  patron(id: $id) {
    networkPatronId name emails phones expiresOn linked
    homeInstitution { code }
    addresses { lines city postalCode country }
  }
}
"""

_LINK = """
mutation GatewayLink(
  $key: String!, $institution: String!, $patron: SharedPatronInput!
) {
  linkPatron(idempotencyKey: $key, institution: $institution, patron: $patron) {
    patron { id }
  }
}
"""

_RECORD = """
mutation GatewayRecordLink($key: String!, $patron: ID!, $account: ID!) {
  recordLinkedAccount(idempotencyKey: $key, patron: $patron, account: $account) {
    id
  }
}
"""


def owner_of(global_id: str, type_name: str, argument: str) -> str:
    try:
        return GlobalId.parse(global_id, expect_type=type_name).institution
    except InvalidGlobalId as error:
        raise GraphQLError(
            str(error), extensions={"code": "BAD_USER_INPUT", "argument": argument}
        ) from error


async def account_at(
    state: RequestState,
    owner: str,
    patron_id: str,
    key: str,
    path: Sequence[str | int],
) -> str:
    """The patron's account ID at ``owner``, linking them there if needed."""
    home = owner_of(patron_id, "Patron", "patron")
    if owner == home:
        return patron_id
    shared = await _shared_fields(state, home, patron_id, path)
    linked = await ask_member(
        state,
        owner,
        _LINK,
        {"key": f"{key}/link", "institution": owner, "patron": shared},
        path,
    )
    account: str = linked["linkPatron"]["patron"]["id"]
    await ask_member(
        state,
        home,
        _RECORD,
        {"key": f"{key}/record", "patron": patron_id, "account": account},
        path,
    )
    return account


async def _shared_fields(
    state: RequestState, home: str, patron_id: str, path: Sequence[str | int]
) -> dict[str, Any]:
    data = await ask_member(state, home, _SHARED, {"id": patron_id}, path)
    patron = data.get("patron")
    if patron is None or patron["linked"]:
        raise GraphQLError(
            f"{patron_id} is not a patron of {home}",
            extensions={"code": "NOT_FOUND", "member": home},
        )
    return {
        "networkPatronId": patron["networkPatronId"],
        "homeInstitution": patron["homeInstitution"]["code"],
        "name": patron["name"],
        "emails": patron["emails"],
        "phones": patron["phones"],
        "addresses": patron["addresses"],
        "expiresOn": patron["expiresOn"],
    }
