"""Persisted operations: automatic persisted queries, and a safelist.

A client may send ``extensions.persistedQuery.sha256Hash`` instead of the
document: the gateway answers from the documents it has seen with that hash,
or asks for the document once (``PERSISTED_QUERY_NOT_FOUND``). In safelist
mode only the operations registered in advance run, by hash or by text.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

__all__ = ["PersistedQueries"]

_REMEMBERED = 10_000


class PersistedQueries:
    def __init__(self, safelist: Mapping[str, str] | None = None) -> None:
        """:param safelist: hash → document; when given, nothing else runs."""
        self.safelist = dict(safelist) if safelist is not None else None
        self._seen: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: Mapping[str, Any]) -> str:
        """The document to run, or a GraphQL error saying why there is none."""
        persisted = extensions.get("persistedQuery")
        wanted = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if query is None:
            return self._by_hash(wanted)
        if wanted is None and self.safelist is None:
            # Nothing to check the document against or to remember it by.
            return query
        digest = hashlib.sha256(query.encode()).hexdigest()
        if wanted is not None and wanted != digest:
            raise _refusal(
                "PERSISTED_QUERY_HASH_MISMATCH", "the hash is not the document's"
            )
        if self.safelist is not None and digest not in self.safelist:
            raise _refusal(
                "OPERATION_NOT_ALLOWED", "only registered operations run here"
            )
        if wanted is not None:
            self._remember(digest, query)
        return query

    def _by_hash(self, wanted: object) -> str:
        if not isinstance(wanted, str):
            raise _refusal(
                "BAD_REQUEST", "the request needs a query or a persisted hash"
            )
        known = self.safelist if self.safelist is not None else self._seen
        document = known.get(wanted)
        if document is None:
            if self.safelist is not None:
                raise _refusal(
                    "OPERATION_NOT_ALLOWED", "only registered operations run here"
                )
            raise _refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return document

    def _remember(self, digest: str, query: str) -> None:
        self._seen[digest] = query
        self._seen.move_to_end(digest)
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)


def _refusal(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
