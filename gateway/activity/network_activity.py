"""``networkActivity``: a patron's accounts across the network, with totals.

One call to the home member gives the patron, the home account's activity
and the list of linked accounts; then one call to each member with a linked
account (that the filter admits), all at once. Each call asks for what the
totals need and for what the client selected of the account, together.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..execution.fetch import AlreadyReported, ask_member
from ..execution.state import RequestState
from ..planning.plan import RootFetch

__all__ = ["network_activity"]

# What the totals need of each account, under keys no client can choose.
_TOTALS = """
__fn_balance: balance { amount currency }
__fn_loans: loans(status: ACTIVE) { overdue }
__fn_requests: requests(open: true) { status }
__fn_blocked: blocked
"""


async def network_activity(
    state: RequestState, arguments: Mapping[str, Any], fetch: RootFetch
) -> dict[str, Any]:
    patron_id = arguments["patron"]
    home = _owner(patron_id)
    wanted = arguments.get("institutions")
    path = [fetch.response_key]
    home_data = await _home(state, home, patron_id, fetch, path)
    linked = [
        account
        for account in home_data.pop("__fn_linked")
        if wanted is None or _owner(account["id"]) in wanted
    ]
    others = await asyncio.gather(
        *(_linked(state, account["id"], fetch, path) for account in linked)
    )
    accounts = [] if wanted is not None and home not in wanted else [(home, home_data)]
    accounts += [
        (_owner(a["id"]), data)
        for a, data in zip(linked, others, strict=True)
        if data is not None
    ]
    return _activity(home_data, [_account(code, data, home) for code, data in accounts])


async def _home(
    state: RequestState,
    home: str,
    patron_id: str,
    fetch: RootFetch,
    path: Sequence[str | int],
) -> dict[str, Any]:
    selection = _inner(fetch.selections, ("patron",), ("accounts", "account"))
    document = (
        f"query GatewayActivityHome({_declarations(fetch, '$id: ID!', selection)})"
        " { patron(id: $id) {"
        f" __fn_linked: linkedAccounts {{ id }} {_TOTALS} {selection} }} }}"
    )
    variables = {"id": patron_id, **_client_variables(state, fetch, selection)}
    data = await ask_member(state, home, document, variables, path)
    patron: dict[str, Any] | None = data.get("patron")
    if patron is None:
        raise GraphQLError(
            f"no patron {patron_id}", extensions={"code": "NOT_FOUND", "member": home}
        )
    return patron


async def _linked(
    state: RequestState, account_id: str, fetch: RootFetch, path: Sequence[str | int]
) -> dict[str, Any] | None:
    """A linked account's activity, or None (with its error) if its member fails."""
    selection = _inner(fetch.selections, ("accounts", "account"))
    declared = _declarations(fetch, "$r: [_Any!]!", selection)
    document = (
        f"query GatewayActivityAccount({declared})"
        " { _entities(representations: $r)"
        f" {{ ... on Patron {{ {_TOTALS} {selection} }} }} }}"
    )
    variables = {"r": [{"__typename": "Patron", "id": account_id}]}
    variables.update(_client_variables(state, fetch, selection))
    try:
        data = await ask_member(state, _owner(account_id), document, variables, path)
    except AlreadyReported:
        return None
    except GraphQLError as error:
        # The member refused; the other accounts still count.
        state.errors.append(error)
        return None
    [account] = data.get("_entities") or [None]
    return dict(account) if account is not None else None


def _declarations(fetch: RootFetch, own: str, selection: str) -> str:
    """Our own variables and the client's that ``selection`` uses."""
    used = _used_variables(selection)
    return ", ".join((own, *(fetch.declarations[n] for n in sorted(used))))


def _client_variables(
    state: RequestState, fetch: RootFetch, selection: str
) -> dict[str, Any]:
    used = _used_variables(selection)
    return {k: v for k, v in state.raw_variables.items() if k in used}


def _used_variables(selection: str) -> set[str]:
    return {name for name in re.findall(r"\$([A-Za-z_]\w*)", selection)}


def _inner(selections: Mapping[tuple[str, ...], str], *paths: tuple[str, ...]) -> str:
    """The client's selections at these paths, without their outer braces."""
    return " ".join(selections[p].strip()[1:-1] for p in paths if p in selections)


def _account(code: str, data: dict[str, Any], home: str) -> dict[str, Any]:
    overdue = sum(1 for loan in data["__fn_loans"] if loan["overdue"])
    ready = sum(1 for r in data["__fn_requests"] if r["status"] == "ON_HOLD_SHELF")
    return {
        "institution": code,
        "home": code == home,
        "account": data,
        "balance": data["__fn_balance"],
        "overdueLoans": overdue,
        "readyForPickup": ready,
        "blocked": data["__fn_blocked"],
    }


def _activity(patron: dict[str, Any], accounts: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for account in accounts:
        for money in account["balance"]:
            totals[money["currency"]] += Decimal(money["amount"])
    return {
        "patron": patron,
        "accounts": accounts,
        "totals": [
            {"amount": str(amount), "currency": currency}
            for currency, amount in sorted(totals.items())
        ],
        "overdueLoans": sum(a["overdueLoans"] for a in accounts),
        "readyForPickup": sum(a["readyForPickup"] for a in accounts),
        "blocked": any(a["blocked"] for a in accounts),
    }


def _owner(global_id: str) -> str:
    try:
        return GlobalId.parse(global_id, expect_type="Patron").institution
    except InvalidGlobalId as error:
        raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error
