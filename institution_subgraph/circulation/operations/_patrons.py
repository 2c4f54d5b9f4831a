"""Steps on patrons: find one and check they may borrow or request."""

from __future__ import annotations

from ...storage import patrons as patron_rows
from ...storage.patrons import Patron
from ..errors import NotFound, PatronBlocked, PatronExpired
from ._scope import Scope

__all__ = ["patron_in_good_standing", "require_patron"]


async def require_patron(scope: Scope, patron_id: int) -> Patron:
    patron = await patron_rows.patron_by_id(scope.connection, patron_id)
    if patron is None:
        raise NotFound(f"no patron {patron_id}", patron_id=patron_id)
    return patron


async def patron_in_good_standing(scope: Scope, patron_id: int) -> Patron:
    """The patron, if their account is neither expired nor blocked here."""
    patron = await require_patron(scope, patron_id)
    if patron.expires_on < scope.now.date():
        raise PatronExpired(
            "the patron's account has expired",
            patron_id=patron.id,
            expires_on=patron.expires_on.isoformat(),
        )
    if patron.blocked:
        # The reason is for staff at this member; it is not repeated to
        # callers, who may be another member's systems.
        raise PatronBlocked("the patron is blocked here", patron_id=patron.id)
    return patron
