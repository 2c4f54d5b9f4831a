"""What a linked account may hold, and the owner's terms for it.

When a patron of another member first deals with this one, this member
keeps a copy of a limited set of the home member's fields. Everything else
(local identifiers, notes, blocks, activity elsewhere) stays at home: a
record that carries any other field is refused, not trimmed, so that a
home member that sends too much hears about it.

The owner's rule also says when to forget the account: after its purge
date, once nothing is open here (see :func:`is_due_for_purge` and
:class:`OpenBusiness`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from uuid import UUID

from .codec import decode
from .errors import PatronRecordRefused

__all__ = [
    "SHARED_FIELDS",
    "LinkedAccountRule",
    "LinkedAccountTerms",
    "OpenBusiness",
    "PostalAddress",
    "SharedPatronFields",
    "is_due_for_purge",
    "linked_account_terms",
    "shared_fields_from",
]


@dataclass(frozen=True, slots=True)
class PostalAddress:
    lines: tuple[str, ...]
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class SharedPatronFields:
    """The fields a home member shares with the members its patrons use."""

    network_patron_id: UUID
    home_institution: str
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[PostalAddress, ...]
    expires_on: date


SHARED_FIELDS = frozenset(field.name for field in fields(SharedPatronFields))


@dataclass(frozen=True, slots=True)
class LinkedAccountRule:
    """This member's rule for patrons of ``home_institution`` (``*``: any)."""

    home_institution: str
    user_group: str
    expiry_days: int
    purge_days: int


@dataclass(frozen=True, slots=True)
class LinkedAccountTerms:
    user_group: str
    expires_on: date
    purge_on: date


def shared_fields_from(record: Mapping[str, object]) -> SharedPatronFields:
    """Read a home member's patron record, refusing any field not shared."""
    extra = sorted(set(record) - SHARED_FIELDS)
    if extra:
        raise PatronRecordRefused(
            "the record carries fields that are not shared", fields=extra
        )
    missing = sorted(SHARED_FIELDS - set(record))
    if missing:
        raise PatronRecordRefused("the record lacks shared fields", fields=missing)
    try:
        return decode(SharedPatronFields, dict(record))
    except (TypeError, ValueError, KeyError) as error:
        raise PatronRecordRefused(f"the record cannot be read: {error}") from error


def linked_account_terms(
    rule: LinkedAccountRule, shared: SharedPatronFields, today: date
) -> LinkedAccountTerms:
    # The account never outlives the patron's membership at home.
    expires_on = min(shared.expires_on, today + timedelta(days=rule.expiry_days))
    return LinkedAccountTerms(
        user_group=rule.user_group,
        expires_on=expires_on,
        purge_on=expires_on + timedelta(days=rule.purge_days),
    )


@dataclass(frozen=True, slots=True)
class OpenBusiness:
    """What a linked account still has open here."""

    active_loans: int
    open_requests: int
    # Fees with a balance, whatever their status (a disputed fee still has
    # one).
    owing_fees: int

    @property
    def holds_purge(self) -> bool:
        """Whether the account must be kept: its patron still has this
        member's items, or is still waiting for one, or still owes it."""
        return (self.active_loans + self.open_requests + self.owing_fees) > 0


def is_due_for_purge(purge_on: date | None, today: date) -> bool:
    # Like the expiry date, the purge date is the last day the account is
    # kept. Since it is never before the expiry date, an account due for
    # purging has expired, and no new loan or request can be made for it
    # until the home member refreshes it.
    return purge_on is not None and purge_on < today
