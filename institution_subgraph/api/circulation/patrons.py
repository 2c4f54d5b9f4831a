"""Patrons as this member knows them, and what they have here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from ...circulation import queries
from ...circulation.queries import Balance
from ...circulation.queries import Notice as NoticeView
from ...storage.patrons import PatronCard
from ..catalogue import Institution
from ..context import Info
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
        return global_id(info, PATRON, self.key)

    @strawberry.field
    def home_institution(self, info: Info) -> Institution:
        return Institution.named(info, self.home_code)

    # Not yet: the activity fields below read per patron (a few statements
    # each), not batched across patrons; the root fields return one patron,
    # and only a long _entities call would ask for many.
    @strawberry.field
    async def loans(
        self, info: Info, status: LoanStatus | None = strawberry.UNSET
    ) -> list[Loan]:
        views = await queries.patron_loans(
            info.context.pool, self.key, status=given(status)
        )
        return [Loan.from_view(view) for view in views]

    @strawberry.field
    async def requests(
        self, info: Info, open: bool | None = strawberry.UNSET
    ) -> list[Request]:
        views = await queries.patron_requests(
            info.context.pool, self.key, is_open=given(open)
        )
        return [Request.from_view(view) for view in views]

    @strawberry.field
    async def fees(
        self, info: Info, status: FeeStatus | None = strawberry.UNSET
    ) -> list[Fee]:
        views = await queries.patron_fees(
            info.context.pool, self.key, status=given(status)
        )
        return [Fee.from_view(view) for view in views]

    @strawberry.field(description="What the patron owes this member, per currency.")
    async def balance(self, info: Info) -> list[Money]:
        balances = await queries.patron_balance(info.context.pool, self.key)
        return [Money.from_balance(balance) for balance in balances]

    @strawberry.field
    async def notices(self, info: Info) -> list[Notice]:
        views = await queries.patron_notices(info.context.pool, self.key)
        return [Notice.from_view(view) for view in views]


async def patron_by_key(info: Info, key: int) -> Patron | None:
    card = await info.context.circulation.patrons.load(key)
    return None if card is None else Patron.from_card(card)


async def known_patron(info: Info, key: int) -> Patron:
    """A patron named by one of this member's records, which keep it by a
    foreign key."""
    patron = await patron_by_key(info, key)
    assert patron is not None, f"patron {key} is referenced but missing"
    return patron
