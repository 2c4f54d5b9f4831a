"""Circulation operations: each one transaction, each safe to retry.

Every operation takes a connection, a :class:`~institution_subgraph.clock.Clock`
and an idempotency key (the periodic jobs excepted), acts as the desk it is
given (own or remote; ``None`` for patrons' own actions), and returns a
frozen, JSON-ready result. It raises a
:class:`~institution_subgraph.circulation.errors.CirculationError` having
changed nothing.

    paging           scan_item_for_pick_slip, mark_item_missing
    holds            receive_item, expire_holds
    lending          lend_item, renew_loan
    checkin          return_item
    lost             declare_item_lost, claim_item_returned
    fees             pay_fee, waive_fee, refund_fee
    requests         place_title_request, place_item_request
    cancellation     cancel_request
    linked_accounts  link_patron
    purging          purge_linked_accounts
    patron_links     record_linked_account, forget_linked_account (at the
                     patron's home member)
    periodic         assess_overdue, expire_requests, purge_due_linked_accounts
"""

from __future__ import annotations

from .cancellation import CancelRequestResult, cancel_request
from .checkin import ReturnResult, return_item
from .fees import FeeTransactionResult, pay_fee, refund_fee, waive_fee
from .holds import (
    ExpiredHold,
    ExpiredHoldsResult,
    ReceiveResult,
    expire_holds,
    receive_item,
)
from .lending import LendResult, RenewResult, lend_item, renew_loan
from .linked_accounts import LinkedAccountResult, link_patron
from .lost import (
    ClaimReturnedResult,
    DeclareLostResult,
    claim_item_returned,
    declare_item_lost,
)
from .paging import (
    MissingItemResult,
    PickScanResult,
    mark_item_missing,
    scan_item_for_pick_slip,
)
from .patron_links import (
    ForgottenLink,
    RecordedLink,
    forget_linked_account,
    record_linked_account,
)
from .periodic import (
    OverdueAssessment,
    assess_overdue,
    expire_requests,
    purge_due_linked_accounts,
)
from .purging import PurgedAccount, PurgeResult, purge_linked_accounts
from .requests import PlaceRequestResult, place_item_request, place_title_request

__all__ = [
    "CancelRequestResult",
    "ClaimReturnedResult",
    "DeclareLostResult",
    "ExpiredHold",
    "ExpiredHoldsResult",
    "FeeTransactionResult",
    "ForgottenLink",
    "LendResult",
    "LinkedAccountResult",
    "MissingItemResult",
    "OverdueAssessment",
    "PickScanResult",
    "PlaceRequestResult",
    "PurgeResult",
    "PurgedAccount",
    "ReceiveResult",
    "RecordedLink",
    "RenewResult",
    "ReturnResult",
    "assess_overdue",
    "cancel_request",
    "claim_item_returned",
    "declare_item_lost",
    "expire_holds",
    "expire_requests",
    "forget_linked_account",
    "lend_item",
    "link_patron",
    "mark_item_missing",
    "pay_fee",
    "place_item_request",
    "place_title_request",
    "purge_due_linked_accounts",
    "purge_linked_accounts",
    "receive_item",
    "record_linked_account",
    "refund_fee",
    "renew_loan",
    "return_item",
    "scan_item_for_pick_slip",
    "waive_fee",
]
