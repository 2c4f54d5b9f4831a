"""``purgeLinkedAccounts``: a member purges, and the patrons' homes forget.

The member named purges its linked accounts past their purge date and
answers with each purged account's ID and its patron's home member. Each
home member records its patrons' links (``Patron.linkedAccounts``, the
network patron card), so each is told to forget the purged accounts: one
call per home, all homes at once, one ``forgetLinkedAccount`` per account.

A home that fails or refuses does not undo the purge: the answer lists it
under ``homesNotTold``, with an error that names it. A retry with the same
key finds the purge's first answer at the member and tells the homes again;
those told already answer from their own idempotency keys.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from ..errors import MemberUnavailable
from ..execution.fetch import AlreadyReported, ask_member
from ..execution.state import RequestState
from ..planning.plan import RootFetch

__all__ = ["purge_linked_accounts"]

_PURGE = """
mutation GatewayPurge($key: String!, $institution: String!) {
  purge: purgeLinkedAccountsHere(idempotencyKey: $key, institution: $institution) {
    purged waiting purgedAccounts { account homeInstitution }
  }
}
"""


async def purge_linked_accounts(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any]:
    member, key = arguments["institution"], arguments["idempotencyKey"]
    path = [fetch.response_key]
    variables = {"key": f"{key}/purge", "institution": member}
    purge = (await ask_member(state, member, _PURGE, variables, path))["purge"]

    by_home = _accounts_by_home(purge["purgedAccounts"])
    told = await asyncio.gather(
        *(
            _tell_home(state, home, accounts, key, path)
            for home, accounts in by_home.items()
        )
    )

    outcomes = dict(zip(by_home, told, strict=True))
    return {
        **purge,
        "homesTold": [home for home, done in outcomes.items() if done],
        "homesNotTold": [home for home, done in outcomes.items() if not done],
    }


def _accounts_by_home(purged: Sequence[Mapping[str, str]]) -> dict[str, list[str]]:
    by_home: dict[str, list[str]] = defaultdict(list)
    for account in purged:
        by_home[account["homeInstitution"]].append(account["account"])
    return {home: by_home[home] for home in sorted(by_home)}


async def _tell_home(
    state: RequestState,
    home: str,
    accounts: Sequence[str],
    key: str,
    path: Sequence[str | int],
) -> bool:
    """Whether ``home`` forgot every one of ``accounts``; if not, the error
    saying why is in the response."""
    if state.network.member(home) is None:
        # A member that has left: its patrons' accounts are purged all the same.
        state.record_failure(MemberUnavailable(home, "not in the network"), [*path])
        return False
    variables: dict[str, Any] = {"home": home}
    for number, account in enumerate(accounts):
        variables[f"key{number}"] = f"{key}/forget/{account}"
        variables[f"account{number}"] = account
    try:
        await ask_member(state, home, _forget_document(len(accounts)), variables, path)
    except AlreadyReported:
        return False
    except GraphQLError as error:
        # The home refused (its error names it): the purge stands.
        state.errors.append(error)
        return False
    return True


def _forget_document(count: int) -> str:
    """One mutation per account, in one document: one call to the home."""
    declared = "".join(f", $key{n}: String!, $account{n}: ID!" for n in range(count))
    fields = " ".join(
        f"forgot{n}: forgetLinkedAccount(idempotencyKey: $key{n},"
        f" institution: $home, account: $account{n}) {{ forgotten }}"
        for n in range(count)
    )
    return f"mutation GatewayForget($home: String!{declared}) {{ {fields} }}"
