"""The named policies ``@policy`` refers to, as plain rules on the caller.

A policy sees the caller and, where it names one, the value of one of the
field's arguments (``desk(desk)`` looks at the ``desk`` argument). It
decides only what the gateway can know before asking a member: who the
caller is and which institution an argument names. Whether a loan is the
caller's own is for its owner to check (``institution_subgraph/api/access.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fulfillment_network.identity import CONSORTIAL_ROLES, Caller
from fulfillment_network.ids import GlobalId, InvalidGlobalId

__all__ = ["POLICIES", "Policy", "institution_of"]

CIRCULATION_ROLES = frozenset(
    {
        "circulation_desk_manager",
        "circulation_desk_operator",
        "circulation_desk_operator_limited",
    }
)
LEAD_ROLES = frozenset({"circulation_desk_manager", "circulation_desk_operator"})
USER_ADMIN_ROLES = frozenset(
    {"user_manager", "user_administrator", "circulation_desk_manager"}
)

_INSTITUTION_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


def institution_of(value: object) -> str | None:
    """The institution a global ID or an institution code names."""
    if not isinstance(value, str):
        return None
    if _INSTITUTION_CODE.match(value):
        return value
    try:
        return GlobalId.parse(value).institution
    except InvalidGlobalId:
        return None


def _staff_of(caller: Caller, value: object, roles: frozenset[str]) -> bool:
    return (
        caller.is_staff
        and not caller.roles.isdisjoint(roles)
        and caller.institution is not None
        and institution_of(value) == caller.institution
    )


@dataclass(frozen=True, slots=True)
class Policy:
    """A rule; ``takes_argument`` says whether it needs ``name(argument)``."""

    rule: Callable[[Caller, object], bool]
    takes_argument: bool
    # What a caller refused by it lacks, for the error message.
    needs: str


POLICIES: dict[str, Policy] = {
    "self": Policy(
        lambda caller, value: caller.patron is not None and value == caller.patron,
        True,
        "the patron themself",
    ),
    "patron": Policy(lambda caller, _: caller.is_patron, False, "a patron"),
    "staff-at": Policy(
        lambda caller, value: _staff_of(caller, value, CONSORTIAL_ROLES),
        True,
        "staff with a consortial role at the institution concerned",
    ),
    "desk": Policy(
        lambda caller, value: _staff_of(caller, value, CIRCULATION_ROLES),
        True,
        "circulation staff at one of their own institution's desks",
    ),
    "owner": Policy(
        lambda caller, value: _staff_of(caller, value, CONSORTIAL_ROLES),
        True,
        "staff of the institution that owns the record",
    ),
    "lead": Policy(
        lambda caller, _: caller.is_staff and not caller.roles.isdisjoint(LEAD_ROLES),
        False,
        "a circulation desk manager or operator",
    ),
    "user-admin": Policy(
        lambda caller, value: _staff_of(caller, value, USER_ADMIN_ROLES),
        True,
        "a user manager or administrator at the institution concerned",
    ),
}
