"""Global IDs of desks, and the circulation records' type names.

Loans, requests, fees, patrons, transits, fee transactions and notices are
this member's records, keyed by integers: ``Loan:BIR:17`` (see
:func:`..ids.global_id`). A desk's ID instead carries the member that runs
the desk and its code there, ``Desk:CED:FRONT``: a desk argument may name
another member's desk, where staff act on this member's items (pick up
anywhere, return anywhere).
"""

from __future__ import annotations

import strawberry

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ...circulation.desks import DeskKey
from ..errors import BadUserInput

__all__ = [
    "FEE",
    "FEE_TRANSACTION",
    "LOAN",
    "NOTICE",
    "PATRON",
    "REQUEST",
    "TRANSIT",
    "desk_id",
    "desk_key",
]

PATRON = "Patron"
LOAN = "Loan"
REQUEST = "Request"
FEE = "Fee"
FEE_TRANSACTION = "FeeTransaction"
TRANSIT = "Transit"
NOTICE = "Notice"
_DESK = "Desk"


def desk_id(key: DeskKey) -> strawberry.ID:
    return strawberry.ID(str(GlobalId(_DESK, key.institution, key.code)))


def desk_key(text: str, *, argument: str = "desk") -> DeskKey:
    """The desk an ID names, this member's or another's."""
    try:
        parsed = GlobalId.parse(text, expect_type=_DESK)
    except InvalidGlobalId as error:
        raise BadUserInput(str(error), argument=argument) from error
    return DeskKey(parsed.institution, parsed.local_id)
