"""Global IDs that carry the institution that owns the record.

An ID reads ``BibRecord:ASH:1042``: the GraphQL type, the owning
institution's code and the owner's local key. The gateway routes any ID to
its owner by reading it, without a lookup. IDs are meant to be passed back
as they are; clients should not build them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GlobalId", "InvalidGlobalId"]

_PATTERN = re.compile(r"^([A-Za-z]+):([A-Z][A-Z0-9]{1,15}):([A-Za-z0-9_-]{1,64})$")


class InvalidGlobalId(ValueError):
    """The text is not a global ID of this network."""


@dataclass(frozen=True, slots=True)
class GlobalId:
    type_name: str
    institution: str
    local_id: str

    def __str__(self) -> str:
        return f"{self.type_name}:{self.institution}:{self.local_id}"

    @classmethod
    def parse(cls, text: str, *, expect_type: str | None = None) -> GlobalId:
        match = _PATTERN.match(text)
        if match is None:
            raise InvalidGlobalId(f"{text!r} is not a network ID")
        global_id = cls(*match.groups())
        if expect_type is not None and global_id.type_name != expect_type:
            raise InvalidGlobalId(f"{text!r} is not the ID of a {expect_type}")
        return global_id
