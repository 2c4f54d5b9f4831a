"""Input objects of the circulation mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from ...circulation.linked_accounts import PostalAddress, SharedPatronFields
from .arguments import parse_network_patron_id

__all__ = ["PostalAddressInput", "SharedPatronInput"]


@strawberry.input
class PostalAddressInput:
    lines: list[str]
    city: str
    postal_code: str
    country: str

    def to_address(self) -> PostalAddress:
        return PostalAddress(
            lines=tuple(self.lines),
            city=self.city,
            postal_code=self.postal_code,
            country=self.country,
        )


@strawberry.input(
    description="The fields a home member shares with the members its patrons use."
)
class SharedPatronInput:
    network_patron_id: strawberry.ID
    home_institution: str
    name: str
    emails: list[str]
    phones: list[str]
    addresses: list[PostalAddressInput]
    expires_on: date

    def to_shared_fields(self) -> SharedPatronFields:
        return SharedPatronFields(
            network_patron_id=parse_network_patron_id(
                self.network_patron_id, argument="patron.networkPatronId"
            ),
            home_institution=self.home_institution,
            name=self.name,
            emails=tuple(self.emails),
            phones=tuple(self.phones),
            addresses=tuple(address.to_address() for address in self.addresses),
            expires_on=self.expires_on,
        )
