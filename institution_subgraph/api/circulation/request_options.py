"""Item.requestOptions: whether another member's patron (or one of this
member's own) may request a copy, and the desks they may pick it up at."""

from __future__ import annotations

import strawberry

from ...circulation.policies import choose_policies
from ...circulation.request_options import copy_request_options
from ...circulation.states import ItemStatus
from ..context import Info
from ..errors import BadUserInput
from .desks import Desk
from .errors import refusals_as_errors

__all__ = ["RequestOptions", "options_for_copy"]


@strawberry.type
class RequestOptions:
    requestable: bool
    pickup_desks: list[Desk] = strawberry.field(
        description="The desks, at any member, where the copy may be picked up."
    )


async def options_for_copy(
    info: Info, item_policy: str, status: ItemStatus, home_institution: str
) -> RequestOptions:
    """The owner's answer for patrons of ``home_institution``, under the
    policy rule that placing an item-level request would apply."""
    if not home_institution.strip():
        raise BadUserInput("no home institution given", argument="homeInstitution")
    group = await _user_group(info, home_institution)
    if group is None:
        return RequestOptions(requestable=False, pickup_desks=[])
    return await _options_for_group(info, item_policy, status, group)


async def _user_group(info: Info, home_institution: str) -> str | None:
    """The group this member's policies would treat the patron as; None when
    this member makes no linked accounts for that member's patrons, who so
    cannot request here."""
    if home_institution == info.context.institution.code:
        return info.context.local_user_group
    loaders = info.context.circulation
    rule = await loaders.linked_account_rules.load(home_institution)
    return None if rule is None else rule.user_group


async def _options_for_group(
    info: Info, item_policy: str, status: ItemStatus, group: str
) -> RequestOptions:
    loaders = info.context.circulation
    rules = await loaders.policy_rules.load(None)
    with refusals_as_errors():
        rule = choose_policies(rules, group, item_policy)

    desks = await loaders.all_desks.load(None)
    pickup = {desk.key: desk for desk in desks if desk.is_pickup}
    options = copy_request_options(rule.request, status, pickup)

    return RequestOptions(
        requestable=options.requestable,
        pickup_desks=[Desk.from_row(pickup[key]) for key in options.pickup_desks],
    )
