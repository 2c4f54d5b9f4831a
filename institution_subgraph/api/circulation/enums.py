"""The circulation rules' states, published under the contract's names.

The rules' enums are the single source: each member's name is the
contract's value, each value the text stored in the database. Importing
this module registers them with strawberry.
"""

from __future__ import annotations

import strawberry

from ...circulation.returns import NextStep
from ...circulation.states import (
    FeeKind,
    FeeStatus,
    FeeTransactionKind,
    LoanProcessState,
    LoanStatus,
    NoticeKind,
    RequestLevel,
    RequestStatus,
    TransitReason,
)

__all__ = [
    "FeeKind",
    "FeeStatus",
    "FeeTransactionKind",
    "LoanProcessState",
    "LoanStatus",
    "NextStep",
    "NoticeKind",
    "RequestLevel",
    "RequestStatus",
    "TransitReason",
]

for _published in (
    FeeKind,
    FeeStatus,
    FeeTransactionKind,
    LoanProcessState,
    LoanStatus,
    NoticeKind,
    RequestLevel,
    RequestStatus,
    TransitReason,
):
    strawberry.enum(_published)

strawberry.enum(
    NextStep, description="What staff do with an item they have just scanned in."
)
