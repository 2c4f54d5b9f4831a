"""What one member's subgraph needs to know to start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_LOCAL_USER_GROUP", "MemberSettings"]

# The group whose policies a member's own patrons get where no patron is
# named yet: when discovery asks whether they may request a copy.
DEFAULT_LOCAL_USER_GROUP = "patron"


@dataclass(frozen=True)
class MemberSettings:
    """:param server_dsn: the PostgreSQL server; the institution's database on
    it is created and migrated at start.
    :param graphql_ide: serve GraphiQL on GET /graphql (the demo turns it on).
    :param local_user_group: the user group of this member's own patrons by
        default (see ``DEFAULT_LOCAL_USER_GROUP``).
    :param gateway_key: the gateway's public key (PEM); every GraphQL call
        must carry the gateway's identity signed with it. None accepts calls
        from anyone, for development only.
    """

    institution: str
    name: str
    server_dsn: str
    pool_size: int = 10
    graphql_ide: bool = False
    local_user_group: str = DEFAULT_LOCAL_USER_GROUP
    gateway_key: Path | None = None
