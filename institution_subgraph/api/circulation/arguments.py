"""What the arguments of circulation fields name, checked before acting.

An ID of the wrong type or a malformed one is BAD_USER_INPUT; a record ID
or institution code of another member is NOT_OWNED_HERE (the gateway
should have sent the call to that member); an item or patron ID that names
nothing here is NOT_FOUND.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

import strawberry

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ...circulation.desks import DeskKey
from ..context import Info
from ..errors import BadUserInput, NotFound, NotOwnedHere
from ..ids import local_key
from .ids import PATRON, desk_key

__all__ = [
    "given",
    "item_barcode",
    "optional_desk_key",
    "own_patron_key",
    "parse_network_patron_id",
    "patron_elsewhere",
    "require_this_member",
]

T = TypeVar("T")


def given(value: T | None) -> T | None:
    """The argument's value; None when the caller left it out.

    Optional arguments default to UNSET so that the schema declares no
    default for them, as the contract does not.
    """
    return None if value is strawberry.UNSET else value


def optional_desk_key(text: str | None, *, argument: str = "desk") -> DeskKey | None:
    text = given(text)
    return None if text is None else desk_key(text, argument=argument)


async def item_barcode(info: Info, text: str, *, argument: str = "item") -> str:
    """The barcode of this member's item the ID names."""
    row = await info.context.items.load(
        local_key(info, text, "Item", argument=argument)
    )
    if row is None:
        raise NotFound(f"no item {text}", argument=argument)
    barcode: str = row["barcode"]
    return barcode


async def own_patron_key(info: Info, text: str, *, argument: str) -> int:
    """The key of one of this member's own patrons, not a linked account."""
    key = local_key(info, text, PATRON, argument=argument)
    card = await info.context.circulation.patrons.load(key)
    if card is None:
        raise NotFound(f"no patron {text}", argument=argument)
    if card.linked:
        raise BadUserInput(
            f"{text} is a linked account; their home member keeps their links",
            argument=argument,
        )
    return key


def patron_elsewhere(info: Info, text: str, *, argument: str) -> GlobalId:
    """A Patron ID of another member, which this member cannot look up."""
    try:
        parsed = GlobalId.parse(text, expect_type=PATRON)
    except InvalidGlobalId as error:
        raise BadUserInput(str(error), argument=argument) from error
    if parsed.institution == info.context.institution.code:
        raise BadUserInput(
            f"{text} is a patron of this member, not of another", argument=argument
        )
    return parsed


def require_this_member(info: Info, code: str, *, argument: str) -> None:
    here = info.context.institution.code
    if code != here:
        raise NotOwnedHere(
            f"this is {here}; the call is for {code}", owner=code, argument=argument
        )


def parse_network_patron_id(text: str, *, argument: str) -> UUID:
    """The network-wide patron id: a UUID, the same at every member."""
    try:
        return UUID(text)
    except ValueError as error:
        raise BadUserInput(
            f"{text!r} is not a network patron id (a UUID)", argument=argument
        ) from error
