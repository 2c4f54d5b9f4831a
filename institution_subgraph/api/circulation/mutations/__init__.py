"""The Mutation root: one field per circulation operation.

    items      scanItemForPickSlip, markItemMissing, receiveItem, returnItem,
               expireHolds
    loans      lendItem, renewLoan, declareItemLost, claimItemReturned
    fees       payFee, waiveFee, refundFee
    requests   placeRequest, placeItemRequest, cancelRequest
    patrons    linkPatron, recordLinkedAccount, purgeLinkedAccountsHere,
               forgetLinkedAccount

Each field checks its arguments, runs the operation with the caller's
idempotency key, and builds its payload from the operation's result alone,
so that a retried call reads the same as the first.
"""

from __future__ import annotations

import strawberry

from .fees import FeeMutations
from .items import ItemMutations
from .loans import LoanMutations
from .patrons import PatronMutations
from .requests import RequestMutations

__all__ = ["Mutation"]


@strawberry.type
class Mutation(
    ItemMutations, LoanMutations, FeeMutations, RequestMutations, PatronMutations
):
    pass
