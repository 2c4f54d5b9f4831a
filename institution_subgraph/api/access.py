"""Who may see and do what at this member: its own check of the caller the
gateway names, behind the gateway's (defence in depth).

The gateway refuses what it can judge from an operation alone; only the
member knows whose loan a loan ID names, so it checks the caller again on
its own records::

    the catalogue                  anyone, anonymous callers included
    a patron's shared fields       the patron themself, or staff of any member
    a patron's activity (loans,    the patron themself, or staff of this
      requests, fees, balance,       member, or staff of the patron's home
      notices, linked accounts)      (Network Activity)
    acting at a desk               staff of the member that runs the desk
    the owner's own operations     staff of this member, at its own desk
    a desk's tasks                 staff of the member that runs the desk
    an item's history              staff of this member
    placing, renewing, cancelling  as for the patron's activity
      without a desk
    linking a patron here          the patron themself, or staff of any member
    recording a link at home       the patron themself, or staff of this
                                   member or of the member holding the account
    purging linked accounts        user managers, user administrators and
                                   circulation desk managers of this member
    forgetting, at home, a linked  user managers, user administrators and
      account purged elsewhere       circulation desk managers of the member
                                     that held (and purged) the account
    the records of a purged        staff of this member: nobody can speak for
      linked account                 its patron any more

"Staff" always means staff with a consortial role (``CONSORTIAL_ROLES``):
every staff operation of the network's API is a consortial service. The
rules are plain predicates on the caller; the ``require_*`` functions apply
them where the resolvers read or act, and refuse with FORBIDDEN before
anything is written. A member run without the gateway's key checks nobody
(``RequestContext.gatekept``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from fulfillment_network.identity import CONSORTIAL_ROLES, Caller

from ..circulation.desks import DeskKey
from ..storage.patrons import PatronCard
from .context import Info
from .errors import Forbidden

__all__ = [
    "USER_ADMIN_ROLES",
    "AccountHolder",
    "is_patron_themself",
    "is_staff_of",
    "may_act_at_desk",
    "may_administer_patrons",
    "may_link",
    "may_record_link",
    "may_see_activity",
    "may_see_patron",
    "require_activity",
    "require_activity_of",
    "require_desk",
    "require_link",
    "require_link_record",
    "require_patron",
    "require_patron_admin",
    "require_staff_of",
]

# The consortial roles that administer patron accounts.
USER_ADMIN_ROLES = frozenset(
    {"user_manager", "user_administrator", "circulation_desk_manager"}
)


@dataclass(frozen=True, slots=True)
class AccountHolder:
    """What the rules need to know of the patron a record belongs to."""

    network_patron_id: UUID
    home_institution: str

    @classmethod
    def from_card(cls, card: PatronCard) -> AccountHolder:
        return cls(card.network_patron_id, card.home_institution)


def is_staff_of(caller: Caller, institution: str | None = None) -> bool:
    """Staff with a consortial role, at ``institution`` if one is named."""
    if not caller.is_staff or caller.roles.isdisjoint(CONSORTIAL_ROLES):
        return False
    return institution is None or caller.institution == institution


def is_patron_themself(caller: Caller, network_patron_id: UUID) -> bool:
    if caller.network_patron is None:
        return False
    try:
        return UUID(caller.network_patron) == network_patron_id
    except ValueError:
        return False


def may_see_patron(caller: Caller, holder: AccountHolder) -> bool:
    return is_patron_themself(caller, holder.network_patron_id) or is_staff_of(caller)


def may_see_activity(caller: Caller, here: str, holder: AccountHolder) -> bool:
    return (
        is_patron_themself(caller, holder.network_patron_id)
        or is_staff_of(caller, here)
        or is_staff_of(caller, holder.home_institution)
    )


def may_act_at_desk(
    caller: Caller, here: str, desk: DeskKey, *, owner_only: bool
) -> bool:
    """Staff of C act on this member's items only at C's desks; the owner's
    own operations only this member's staff, so at this member's desks."""
    if owner_only and desk.institution != here:
        return False
    return is_staff_of(caller, desk.institution)


def may_link(caller: Caller, network_patron_id: UUID) -> bool:
    return is_patron_themself(caller, network_patron_id) or is_staff_of(caller)


def may_administer_patrons(caller: Caller, institution: str) -> bool:
    return (
        caller.is_staff
        and caller.institution == institution
        and not caller.roles.isdisjoint(USER_ADMIN_ROLES)
    )


def may_record_link(
    caller: Caller, here: str, holder: AccountHolder, account_institution: str
) -> bool:
    # The member that made the account records it at home when its staff
    # link a patron who walked in (walkInLoan).
    return (
        is_patron_themself(caller, holder.network_patron_id)
        or is_staff_of(caller, here)
        or is_staff_of(caller, account_institution)
    )


def require_patron(info: Info, holder: AccountHolder | None) -> None:
    """Refuse a patron's record (its shared fields) to whoever may not see
    it; ``holder`` None: no such patron, which only anonymous callers may
    not learn."""
    _require(
        info,
        "a patron's record",
        "the patron themself or staff with a consortial role",
        lambda caller: holder is None or may_see_patron(caller, holder),
    )


def require_activity(info: Info, holder: AccountHolder | None) -> None:
    """Refuse a patron's loans, requests, fees, notices and links, and acting
    for the patron, to whoever may not; ``holder`` None: no such record."""
    here = info.context.institution.code
    _require(
        info,
        "a patron's loans, requests, fees and notices",
        f"the patron themself, or consortial staff of {here}"
        " or of the patron's home member",
        lambda caller: holder is None or may_see_activity(caller, here, holder),
    )


async def require_activity_of(info: Info, patron_key: int | None) -> None:
    """:func:`require_activity` for a record that names its patron by key
    (``patron_key`` None: no such record)."""
    if not info.context.gatekept:
        return
    if patron_key is None:
        require_activity(info, None)
        return
    card = await info.context.circulation.patrons.load(patron_key)
    if card is None:
        # The record outlived its patron's linked account, which was purged.
        here = info.context.institution.code
        require_staff_of(info, here, "the records of a purged linked account")
        return
    require_activity(info, AccountHolder.from_card(card))


def require_desk(info: Info, desk: DeskKey, *, owner_only: bool = False) -> None:
    here = info.context.institution.code
    if owner_only:
        needs = f"staff with a consortial role at {here}, at one of its desks"
    else:
        needs = f"staff with a consortial role at {desk.institution}"
    _require(
        info,
        "acting at this desk",
        needs,
        lambda caller: may_act_at_desk(caller, here, desk, owner_only=owner_only),
    )


def require_staff_of(info: Info, institution: str, what: str) -> None:
    _require(
        info,
        what,
        f"staff with a consortial role at {institution}",
        lambda caller: is_staff_of(caller, institution),
    )


def require_patron_admin(info: Info, what: str, *, of: str | None = None) -> None:
    """Refuse whoever does not administer the patrons of ``of`` (this
    member if None)."""
    institution = of or info.context.institution.code
    _require(
        info,
        what,
        "a user manager, user administrator or circulation desk manager"
        f" of {institution}",
        lambda caller: may_administer_patrons(caller, institution),
    )


def require_link(info: Info, network_patron_id: UUID) -> None:
    _require(
        info,
        "linking a patron",
        "the patron themself or staff with a consortial role",
        lambda caller: may_link(caller, network_patron_id),
    )


async def require_link_record(
    info: Info, patron_key: int, account_institution: str
) -> None:
    if not info.context.gatekept:
        return
    here = info.context.institution.code
    card = await info.context.circulation.patrons.load(patron_key)
    assert card is not None, "the patron was found before the link is recorded"
    holder = AccountHolder.from_card(card)
    _require(
        info,
        "recording a patron's linked account",
        f"the patron themself, or consortial staff of {here}"
        f" or of {account_institution}",
        lambda caller: may_record_link(caller, here, holder, account_institution),
    )


def _require(
    info: Info, what: str, needs: str, allowed: Callable[[Caller], bool]
) -> None:
    context = info.context
    if not context.gatekept:
        return
    if context.caller is None or not allowed(context.caller):
        # What is needed, never who asked or whose record it is.
        raise Forbidden(f"{what} needs {needs}")
