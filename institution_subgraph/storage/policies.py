"""SQL for loan and request policies and the rules that choose them."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from ..circulation.desks import DeskKey
from ..circulation.policies import ANY_DESK, LoanPolicy, PolicyRule, RequestPolicy
from .types import Executor

__all__ = [
    "insert_loan_policy",
    "insert_policy_rule",
    "insert_request_policy",
    "loan_policy_by_id",
    "loan_policy_id",
    "policy_rules",
]

_LOAN_COLUMNS = """
    code, loan_period, renewal_limit, grace_period, fine_per_day, max_fine,
    days_overdue_until_lost, replacement_fee, processing_fee, currency
"""


def _loan_policy(row: asyncpg.Record) -> LoanPolicy:
    return LoanPolicy(**{key: row[key] for key in LoanPolicy.__dataclass_fields__})


def _request_policy(row: asyncpg.Record) -> RequestPolicy:
    desks = frozenset(
        DeskKey.parse(key) for key in row["pickup_desks"] if key is not None
    )
    return RequestPolicy(
        code=row["request_code"],
        requestable=row["requestable"],
        pickup_desks=ANY_DESK if row["any_pickup_desk"] else desks,
    )


async def policy_rules(db: Executor) -> list[PolicyRule]:
    """Every rule with its policies, ready for ``choose_policies``."""
    rows = await db.fetch(
        """
        SELECT rule.user_group, rule.item_policy,
               lp.code, lp.loan_period, lp.renewal_limit, lp.grace_period,
               lp.fine_per_day, lp.max_fine, lp.days_overdue_until_lost,
               lp.replacement_fee, lp.processing_fee, lp.currency,
               rp.code AS request_code, rp.requestable, rp.any_pickup_desk,
               array(
                   SELECT desk.institution || '/' || desk.code
                   FROM request_policy_pickup_desk AS pd
                   JOIN desk ON desk.id = pd.desk_id
                   WHERE pd.request_policy_id = rp.id
               ) AS pickup_desks
        FROM policy_rule AS rule
        JOIN loan_policy AS lp ON lp.id = rule.loan_policy_id
        JOIN request_policy AS rp ON rp.id = rule.request_policy_id
        ORDER BY rule.id
        """
    )
    return [
        PolicyRule(
            user_group=row["user_group"],
            item_policy=row["item_policy"],
            loan=_loan_policy(row),
            request=_request_policy(row),
        )
        for row in rows
    ]


async def loan_policy_by_id(db: Executor, policy_id: int) -> LoanPolicy | None:
    row = await db.fetchrow(
        f"SELECT {_LOAN_COLUMNS} FROM loan_policy WHERE id = $1", policy_id
    )
    return None if row is None else _loan_policy(row)


async def loan_policy_id(db: Executor, code: str) -> int | None:
    policy_id: int | None = await db.fetchval(
        "SELECT id FROM loan_policy WHERE code = $1", code
    )
    return policy_id


async def insert_loan_policy(db: Executor, policy: LoanPolicy) -> int:
    policy_id: int = await db.fetchval(
        f"""
        INSERT INTO loan_policy ({_LOAN_COLUMNS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        RETURNING id
        """,
        policy.code,
        policy.loan_period,
        policy.renewal_limit,
        policy.grace_period,
        policy.fine_per_day,
        policy.max_fine,
        policy.days_overdue_until_lost,
        policy.replacement_fee,
        policy.processing_fee,
        policy.currency,
    )
    return policy_id


async def insert_request_policy(
    connection: asyncpg.Connection, policy: RequestPolicy
) -> int:
    """Add the policy and its pickup desks, which must already exist."""
    policy_id: int = await connection.fetchval(
        """
        INSERT INTO request_policy (code, requestable, any_pickup_desk)
        VALUES ($1, $2, $3) RETURNING id
        """,
        policy.code,
        policy.requestable,
        policy.pickup_desks == ANY_DESK,
    )
    if policy.pickup_desks != ANY_DESK:
        await _add_pickup_desks(connection, policy_id, policy.pickup_desks)
    return policy_id


async def _add_pickup_desks(
    connection: asyncpg.Connection, policy_id: int, desks: Iterable[DeskKey]
) -> None:
    await connection.executemany(
        """
        INSERT INTO request_policy_pickup_desk (request_policy_id, desk_id)
        SELECT $1, id FROM desk WHERE institution = $2 AND code = $3
        """,
        [(policy_id, desk.institution, desk.code) for desk in desks],
    )


async def insert_policy_rule(
    db: Executor,
    *,
    user_group: str | None,
    item_policy: str | None,
    loan_policy: str,
    request_policy: str,
) -> None:
    """Add the rule, naming its policies by code."""
    rule_id = await db.fetchval(
        """
        INSERT INTO policy_rule
            (user_group, item_policy, loan_policy_id, request_policy_id)
        SELECT $1, $2, lp.id, rp.id
        FROM loan_policy AS lp, request_policy AS rp
        WHERE lp.code = $3 AND rp.code = $4
        RETURNING id
        """,
        user_group,
        item_policy,
        loan_policy,
        request_policy,
    )
    if rule_id is None:
        raise ValueError(
            f"no loan policy {loan_policy} or request policy {request_policy}"
        )
