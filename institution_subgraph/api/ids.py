"""Global IDs of this member's records: ``Type:INST:local``.

The catalogue's and circulation's records are keyed by integers here; an
ID names the type, this member and that key (see
:mod:`fulfillment_network.ids`).
"""

from __future__ import annotations

import strawberry

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from .context import Info
from .errors import BadUserInput, NotOwnedHere

__all__ = ["global_id", "local_key"]


def local_key(
    info: Info, global_id: str, type_name: str, *, argument: str = "id"
) -> int:
    """The local database key of an ID that must belong to this institution."""
    try:
        parsed = GlobalId.parse(global_id, expect_type=type_name)
    except InvalidGlobalId as error:
        raise BadUserInput(str(error), argument=argument) from error
    here = info.context.institution.code
    if parsed.institution != here:
        raise NotOwnedHere(
            f"{global_id} belongs to {parsed.institution}, not {here}",
            owner=parsed.institution,
        )
    if not parsed.local_id.isdigit():
        raise BadUserInput(
            f"{global_id!r} is not a valid {type_name} ID", argument=argument
        )
    return int(parsed.local_id)


def global_id(info: Info, type_name: str, key: int) -> strawberry.ID:
    return strawberry.ID(
        str(GlobalId(type_name, info.context.institution.code, str(key)))
    )
