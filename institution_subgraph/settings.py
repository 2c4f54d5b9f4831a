"""What one member's subgraph needs to know to start."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MemberSettings"]


@dataclass(frozen=True)
class MemberSettings:
    """:param server_dsn: the PostgreSQL server; the institution's database on
    it is created and migrated at start.
    :param graphql_ide: serve GraphiQL on GET /graphql (the demo turns it on).
    """

    institution: str
    name: str
    server_dsn: str
    pool_size: int = 10
    graphql_ide: bool = False
