"""Sensible circulation defaults for a new member's database.

The migrations create tables only; what desks a member runs and which
policies it applies are its own decisions. The tests and the demo start
from these defaults: one own desk that is every location's home, a remote
pickup desk for each partner member, a standard and a short loan policy,
and a linked-account rule for patrons of every other member.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import asyncpg

from ..circulation.desks import DeskKey
from ..circulation.linked_accounts import LinkedAccountRule
from ..circulation.policies import ANY_DESK, LoanPolicy, RequestPolicy
from .desks import insert_desk, set_home_desk_where_missing
from .patrons import insert_linked_account_rule
from .policies import insert_loan_policy, insert_policy_rule, insert_request_policy

__all__ = [
    "MAIN_DESK_CODE",
    "NETWORK_USER_GROUP",
    "install_circulation_defaults",
]

MAIN_DESK_CODE = "MAIN"
NETWORK_USER_GROUP = "network"


def _loan_policies(currency: str) -> list[LoanPolicy]:
    standard = LoanPolicy(
        code="standard",
        loan_period=timedelta(days=28),
        renewal_limit=2,
        grace_period=timedelta(days=1),
        fine_per_day=Decimal("0.25"),
        max_fine=Decimal("10.00"),
        days_overdue_until_lost=42,
        replacement_fee=Decimal("80.00"),
        processing_fee=Decimal("20.00"),
        currency=currency,
    )
    short = LoanPolicy(
        code="short",
        loan_period=timedelta(days=7),
        renewal_limit=1,
        grace_period=timedelta(0),
        fine_per_day=Decimal("1.00"),
        max_fine=Decimal("20.00"),
        days_overdue_until_lost=21,
        replacement_fee=Decimal("80.00"),
        processing_fee=Decimal("20.00"),
        currency=currency,
    )
    return [standard, short]


_REQUEST_POLICIES = [
    RequestPolicy(code="pickup-anywhere", requestable=True, pickup_desks=ANY_DESK),
    RequestPolicy(code="no-requests", requestable=False, pickup_desks=ANY_DESK),
]


async def install_circulation_defaults(
    connection: asyncpg.Connection,
    institution: str,
    *,
    partners: Sequence[str] = (),
    currency: str = "USD",
) -> None:
    """Install the defaults in one transaction.

    Desks are added or updated on every call; policies only when the
    member has no policy rules yet, so that a second call never overwrites
    what the member has since changed.
    """
    async with connection.transaction():
        await _install_desks(connection, institution, partners)
        has_rules = await connection.fetchval("SELECT count(*) > 0 FROM policy_rule")
        if not has_rules:
            await _install_policies(connection, currency)
        await insert_linked_account_rule(
            connection,
            LinkedAccountRule(
                home_institution="*",
                user_group=NETWORK_USER_GROUP,
                expiry_days=365,
                purge_days=180,
            ),
        )


async def _install_desks(
    connection: asyncpg.Connection, institution: str, partners: Sequence[str]
) -> None:
    main = await insert_desk(
        connection,
        DeskKey(institution, MAIN_DESK_CODE),
        "Main circulation desk",
        transit_days=1,
        is_default_home=True,
    )
    await set_home_desk_where_missing(connection, main.id)
    for partner in partners:
        await insert_desk(
            connection,
            DeskKey(partner, MAIN_DESK_CODE),
            f"{partner} main circulation desk",
            hold_shelf_days=10,
            transit_days=3,
        )


async def _install_policies(connection: asyncpg.Connection, currency: str) -> None:
    for loan_policy in _loan_policies(currency):
        await insert_loan_policy(connection, loan_policy)
    for request_policy in _REQUEST_POLICIES:
        await insert_request_policy(connection, request_policy)
    rules = [
        (None, None, "standard", "pickup-anywhere"),
        (None, "reserve", "short", "no-requests"),
        (NETWORK_USER_GROUP, None, "standard", "pickup-anywhere"),
        # A group-only rule outranks an item-only one; reserves stay put.
        (NETWORK_USER_GROUP, "reserve", "short", "no-requests"),
    ]
    for user_group, item_policy, loan, request in rules:
        await insert_policy_rule(
            connection,
            user_group=user_group,
            item_policy=item_policy,
            loan_policy=loan,
            request_policy=request,
        )
