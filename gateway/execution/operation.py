"""From a client's request to a GraphQL response.

Parsing and validation results are cached by document text: a repeated
operation goes straight to execution. Execution walks the network schema
with graphql-core; below the root fields, each value is read from the
members' JSON by its response key (the alias, if any), so aliased fields
come back as the members answered them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    execute,
    parse,
    specified_rules,
    validate,
)

from .state import RequestState

__all__ = ["OperationCache", "PreparedOperation", "run_operation"]

logger = logging.getLogger("gateway.execution")

_MAX_DOCUMENT_ERRORS = 20


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]


class OperationCache:
    """Parsed and validated documents, the least recently used dropped first."""

    def __init__(
        self, schema: GraphQLSchema, *, production: bool, capacity: int = 1000
    ) -> None:
        self.schema = schema
        self.production = production
        self.capacity = capacity
        self.hits = 0
        self._entries: OrderedDict[str, PreparedOperation] = OrderedDict()
        self._rules = [*specified_rules]
        if production:
            self._rules.append(NoSchemaIntrospectionCustomRule)

    def prepare(self, query: str) -> PreparedOperation:
        cached = self._entries.get(query)
        if cached is not None:
            self.hits += 1
            self._entries.move_to_end(query)
            return cached
        prepared = self._prepare(query)
        self._entries[query] = prepared
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return prepared

    def _prepare(self, query: str) -> PreparedOperation:
        try:
            document = parse(query)
        except GraphQLError as error:
            return PreparedOperation(None, (error,))
        errors = validate(
            self.schema,
            document,
            self._rules,
            max_errors=_MAX_DOCUMENT_ERRORS,
            hide_suggestions=self.production,
        )
        return PreparedOperation(None if errors else document, tuple(errors))


def resolve_by_response_key(
    source: Any, info: GraphQLResolveInfo[RequestState], **arguments: Any
) -> Any:
    if isinstance(source, dict):
        return source.get(info.path.key)
    return None


async def run_operation(
    cache: OperationCache,
    state: RequestState,
    query: str,
    operation_name: str | None,
) -> ExecutionResult:
    prepared = cache.prepare(query)
    if prepared.document is None:
        return ExecutionResult(data=None, errors=list(prepared.errors))
    result = execute(
        cache.schema,
        prepared.document,
        context_value=state,
        variable_values=state.raw_variables,
        operation_name=operation_name,
        field_resolver=resolve_by_response_key,
    )
    if not isinstance(result, ExecutionResult):
        result = await result
    errors = [_masked(error) for error in result.errors or []]
    errors += state.member_errors
    return ExecutionResult(data=result.data, errors=errors or None)


def _masked(error: GraphQLError) -> GraphQLError:
    """The error as the client may see it: no internals of the gateway."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    logger.error("resolver failed", exc_info=original)
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )
