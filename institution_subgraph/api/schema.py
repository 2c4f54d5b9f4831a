"""The subgraph's Federation v2 schema."""

from __future__ import annotations

import strawberry

from .catalogue import BibRecord, Institution, Item
from .query import Query

__all__ = ["schema"]

schema = strawberry.federation.Schema(
    query=Query,
    types=[Institution, BibRecord, Item],
)
