"""Patrons as this member knows them, and what they have here."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import strawberry

from fulfillment_network.ids import GlobalId

from ...circulation import queries
from ...circulation.queries import Balance
from ...circulation.queries import Notice as NoticeView
from ...storage.patron_links import PatronLink
from ...storage.patrons import PatronCard
from ..access import AccountHolder, require_activity, require_patron
from ..catalogue import Institution
from ..context import Info
from ..errors import NotFound
from ..ids import global_id, local_key
from .arguments import given
from .enums import FeeStatus, LoanStatus, NoticeKind
from .fees import Fee
from .ids import NOTICE, PATRON
from .loans import Loan
from .requests import Request

__all__ = [
    "Money",
    "Notice",
    "Patron",
    "PostalAddress",
    "known_patron",
    "patron_by_key",
]


@strawberry.type
class PostalAddress:
    lines: list[str]
    city: str
    postal_code: str
    country: str


@strawberry.type
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_balance(cls, balance: Balance) -> Money:
        return cls(amount=balance.amount, currency=balance.currency)


@strawberry.type(description="A notice waiting in the outbox or already sent.")
class Notice:
    key: strawberry.Private[int]
    kind: NoticeKind
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_view(cls, notice: NoticeView) -> Notice:
        return cls(
            key=notice.notice_id,
            kind=notice.kind,
            created_at=notice.created_at,
            sent_at=notice.sent_at,
        )

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return global_id(info, NOTICE, self.key)


@strawberry.federation.type(
    keys=["id"],
    description=(
        "A patron as this member knows them: one of its own, or a linked"
        " account holding only the fields the patron's home member shares."
    ),
)
class Patron:
    key: strawberry.Private[int]
    home_code: strawberry.Private[str]
    network_patron_id: strawberry.ID = strawberry.field(
        description="The same for the patron at every member."
    )
    linked: bool = strawberry.field(
        description="True for a linked account: a patron of another member."
    )
    name: str
    emails: list[str]
    phones: list[str]
    addresses: list[PostalAddress]
    user_group: str = strawberry.field(
        description="The user group this member's policies apply."
    )
    expires_on: date
    blocked: bool
    # Set on a reference to the patron's linked account at another member:
    # that account's ID there (see linked_accounts).
    account_elsewhere: strawberry.Private[strawberry.ID | None] = None

    @classmethod
    def from_card(cls, card: PatronCard) -> Patron:
        return cls(
            key=card.id,
            home_code=card.home_institution,
            network_patron_id=strawberry.ID(str(card.network_patron_id)),
            linked=card.linked,
            name=card.name,
            emails=list(card.emails),
            phones=list(card.phones),
            addresses=[
                PostalAddress(
                    lines=list(address.lines),
                    city=address.city,
                    postal_code=address.postal_code,
                    country=address.country,
                )
                for address in card.addresses
            ],
            user_group=card.user_group,
            expires_on=card.expires_on,
            blocked=card.blocked,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Patron | None:
        return await patron_by_key(info, local_key(info, id, PATRON))

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        if self.account_elsewhere is not None:
            return self.account_elsewhere
        return global_id(info, PATRON, self.key)

    @strawberry.field
    def home_institution(self, info: Info) -> Institution:
        return Institution.named(info, self.home_code)

    @strawberry.field(
        description=(
            "At the patron's home member: the patron's linked accounts at other"
            " members, as recorded by recordLinkedAccount. Empty elsewhere."
        )
    )
    async def linked_accounts(self, info: Info) -> list[Patron]:
        self._require_activity(info)
        # An account elsewhere has no links of its own; nor has a linked
        # account here, since only the home member records them.
        if self.account_elsewhere is not None:
            return []
        links = await info.context.circulation.patron_links.load(self.key)
        return [self._account_at(link) for link in links]

    def _account_at(self, link: PatronLink) -> Patron:
        # A reference: only the other member knows the account's own fields,
        # and the gateway asks it for them (@reference). Read here, the other
        # fields are what the home knows: the fields it shares, its own
        # group, expiry and block, and no activity.
        account = GlobalId(PATRON, link.institution, link.remote_patron)
        return dataclasses.replace(
            self, linked=True, account_elsewhere=strawberry.ID(str(account))
        )

    def _require_activity(self, info: Info) -> None:
        holder = AccountHolder(UUID(self.network_patron_id), self.home_code)
        require_activity(info, holder)

    # Not yet: the activity fields below read per patron (a few statements
    # each), not batched across patrons; the root fields return one patron,
    # and only a long _entities call would ask for many.
    # An account elsewhere has no activity at this member: they answer empty.
    @strawberry.field
    async def loans(
        self, info: Info, status: LoanStatus | None = strawberry.UNSET
    ) -> list[Loan]:
        self._require_activity(info)
        if self.account_elsewhere is not None:
            return []
        views = await queries.patron_loans(
            info.context.pool, self.key, status=given(status)
        )
        return [Loan.from_view(view) for view in views]

    @strawberry.field
    async def requests(
        self, info: Info, open: bool | None = strawberry.UNSET
    ) -> list[Request]:
        self._require_activity(info)
        if self.account_elsewhere is not None:
            return []
        views = await queries.patron_requests(
            info.context.pool, self.key, is_open=given(open)
        )
        return [Request.from_view(view) for view in views]

    @strawberry.field
    async def fees(
        self, info: Info, status: FeeStatus | None = strawberry.UNSET
    ) -> list[Fee]:
        self._require_activity(info)
        if self.account_elsewhere is not None:
            return []
        views = await queries.patron_fees(
            info.context.pool, self.key, status=given(status)
        )
        return [Fee.from_view(view) for view in views]

    @strawberry.field(description="What the patron owes this member, per currency.")
    async def balance(self, info: Info) -> list[Money]:
        self._require_activity(info)
        if self.account_elsewhere is not None:
            return []
        balances = await queries.patron_balance(info.context.pool, self.key)
        return [Money.from_balance(balance) for balance in balances]

    @strawberry.field
    async def notices(self, info: Info) -> list[Notice]:
        self._require_activity(info)
        if self.account_elsewhere is not None:
            return []
        views = await queries.patron_notices(info.context.pool, self.key)
        return [Notice.from_view(view) for view in views]


async def patron_by_key(info: Info, key: int | None) -> Patron | None:
    """The patron, if the caller may see them (see ``api.access``); None
    when there is no such patron (``key`` None: none was found)."""
    card = None if key is None else await info.context.circulation.patrons.load(key)
    require_patron(info, None if card is None else AccountHolder.from_card(card))
    return None if card is None else Patron.from_card(card)


async def known_patron(info: Info, key: int) -> Patron:
    """A patron named by one of this member's records, which keep it by a
    foreign key; NOT_FOUND once the patron's linked account was purged."""
    patron = await patron_by_key(info, key)
    if patron is None:
        # The row is there (the foreign key says so), but holds nothing of
        # the patron any more; the record itself stays readable.
        raise NotFound("the patron's linked account here has been purged")
    return patron
