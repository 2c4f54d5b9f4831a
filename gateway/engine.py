"""The request pipeline, from a client's GraphQL request to its response.

::

    prepare   parse (token limit), operation limits, validate against the
              network schema, plan, find the guarded fields       (cached)
    coerce    the client's variables, checked against their types
    authorize the guarded fields against the caller; a field refused
              is cut out and the rest planned again                (cached)
    execute   root fetches, entity levels, shaping                (per request)

Introspection, where the settings allow it, is answered by the gateway
itself from the network schema; no member is asked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from .errors import ConfigurationError
from .execution.computations import COMPUTATIONS
from .execution.executor import Executor
from .execution.state import RequestState
from .planning.cache import PlanCache, Prepared
from .planning.plan import Plan
from .planning.planner import Planner
from .planning.semantics import Compute, Semantics
from .planning.shape import in_selection_order
from .security.authorization import (
    AccessRules,
    Refusal,
    null_refused,
    without_fields,
)
from .security.limits import DEFAULT_LIMITS, OperationLimits, check_limits
from .telemetry.metrics import GatewayMetrics

__all__ = ["Engine"]

logger = logging.getLogger("gateway.engine")

_MAX_DOCUMENT_ERRORS = 20
_INTROSPECTION = frozenset({"__schema", "__type"})


class Engine:
    """Prepares and runs operations against one network schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        production: bool,
        limits: OperationLimits = DEFAULT_LIMITS,
        reject_unauthorized: bool = False,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.schema = schema
        self.production = production
        self.reject_unauthorized = reject_unauthorized
        self.metrics = metrics
        self.limits = limits
        self.semantics = Semantics.read(schema)
        _check_computations(self.semantics)
        self.planner = Planner(schema, self.semantics)
        self.access = AccessRules(schema)
        self.executor = Executor(schema, self.semantics)
        self.plans = PlanCache()
        self._rules = [*specified_rules]
        if production:
            self._rules.append(NoSchemaIntrospectionCustomRule)

    async def run(
        self, state: RequestState, query: str, operation_name: str | None
    ) -> ExecutionResult:
        prepared = self.plans.get_or_prepare(
            (query, operation_name), lambda: self._prepare(query, operation_name)
        )
        if prepared.plan is None:
            return ExecutionResult(None, list(prepared.errors))
        plan = prepared.plan
        coerced = get_variable_values(
            self.schema,
            plan.variable_nodes,
            state.raw_variables,
            hide_suggestions=self.production,
        )
        if isinstance(coerced, list):
            return ExecutionResult(None, coerced)
        state.variable_values = coerced
        state.variables = coerced.coerced
        state.share_caller = bool(prepared.guards)
        refused = self.access.refusals(prepared.guards, state.caller, coerced)
        if refused and self.metrics is not None:
            self.metrics.refused(_codes(refused))
        if refused and self.reject_unauthorized:
            return ExecutionResult(None, [refusal.error for refusal in refused])
        if refused:
            state.errors.extend(refusal.error for refusal in refused)
            cut = frozenset(refusal.index for refusal in refused)
            allowed = self.plans.get_or_prepare(
                (query, operation_name, cut),
                lambda: self._without(prepared, operation_name, refused),
            )
            if allowed.plan is None:
                # Nothing left to ask: only the refused fields, as nulls.
                nulls = _answer_without(refused, {}, prepared.plan)
                return ExecutionResult(nulls, [*state.errors, *allowed.errors])
            plan = allowed.plan
        data: dict[str, Any] = {}
        if any(field.name in _INTROSPECTION for field in plan.shape):
            data.update(self._introspect(query, operation_name, state.variables))
        try:
            shaped = await self.executor.run(plan, state, data)
        except GraphQLError as error:
            return ExecutionResult(None, [*state.errors, error])
        if refused:
            shaped = _answer_without(refused, shaped, prepared.plan)
        return ExecutionResult(shaped, state.errors or None)

    def _prepare(self, query: str, operation_name: str | None) -> Prepared:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            return Prepared(None, (_coded_parse_error(error),))
        excess = check_limits(document, self.schema, self.limits)
        if excess:
            return Prepared(None, tuple(excess))
        errors = validate(
            self.schema,
            document,
            self._rules,
            max_errors=_MAX_DOCUMENT_ERRORS,
            hide_suggestions=self.production,
        )
        if errors:
            return Prepared(None, tuple(errors))
        try:
            plan = self.planner.plan(document, operation_name)
        except GraphQLError as error:
            return Prepared(None, (error,))
        operation, root = self.planner.operation(document, operation_name)
        guards = self.access.guards(document, operation, root)
        return Prepared(plan, document=document, guards=guards)

    def _without(
        self,
        prepared: Prepared,
        operation_name: str | None,
        refused: Sequence[Refusal],
    ) -> Prepared:
        """The plan of what the caller may see: the operation without the
        refused fields, or no plan if nothing is left."""
        assert prepared.document is not None
        document = without_fields(prepared.document, (r.guard.node for r in refused))
        operation, _ = self.planner.operation(document, operation_name)
        if not operation.selection_set.selections:
            return Prepared(None)
        return Prepared(self.planner.plan(document, operation_name))

    def _introspect(
        self, query: str, operation_name: str | None, variables: dict[str, Any]
    ) -> dict[str, Any]:
        result = execute(
            self.schema,
            _introspection_only(parse(query)),
            operation_name=operation_name,
            variable_values=variables,
            field_resolver=lambda *_args, **_kwargs: None,
        )
        assert isinstance(result, ExecutionResult), "introspection is synchronous"
        return {k: v for k, v in (result.data or {}).items() if v is not None}


def _codes(refused: Sequence[Refusal]) -> list[str]:
    return [str((r.error.extensions or {}).get("code")) for r in refused]


def _answer_without(
    refused: Sequence[Refusal], data: dict[str, Any] | None, full: Plan
) -> dict[str, Any] | None:
    """The answer with the refused fields back in place, as nulls."""
    data = null_refused(data, refused)
    return None if data is None else in_selection_order(data, full.shape)


def _introspection_only(document: DocumentNode) -> DocumentNode:
    """The document with the introspection root fields alone."""
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            kept = tuple(
                selection
                for selection in definition.selection_set.selections
                if isinstance(selection, FieldNode)
                and selection.name.value in _INTROSPECTION
            )
            definition = OperationDefinitionNode(
                operation=definition.operation,
                name=definition.name,
                variable_definitions=definition.variable_definitions,
                directives=definition.directives,
                selection_set=SelectionSetNode(selections=kept),
            )
        definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions))


def _check_computations(semantics: Semantics) -> None:
    for (_, field), served in semantics.roots.items():
        if isinstance(served, Compute) and served.by not in COMPUTATIONS:
            raise ConfigurationError(f"{field}: no computation named {served.by!r}")


def _coded_parse_error(error: GraphQLError) -> GraphQLError:
    """A syntax error, or the parser's token limit, with a code."""
    code = "LIMIT_EXCEEDED" if "tokens" in error.message else "GRAPHQL_PARSE_FAILED"
    return GraphQLError(
        error.message,
        source=error.source,
        positions=error.positions,
        extensions={"code": code},
    )
