"""Run a plan: root fetches, then entity levels, then the response's shape."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    get_argument_values,
    is_abstract_type,
)

from ..planning.plan import Plan, RootFetch, Sequence
from ..planning.semantics import Semantics
from .entities import run_entity_level
from .fetch import AlreadyReported
from .roots import run_root_fetch
from .shaping import shape_response
from .state import RequestState
from .together import together

__all__ = ["Executor"]


class Executor:
    def __init__(self, schema: GraphQLSchema, semantics: Semantics) -> None:
        self.schema = schema
        self.semantics = semantics

    async def run(
        self, plan: Plan, state: RequestState, data: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Fetch what the plan needs into ``data``; return the response data."""
        wanted = self._wanted(plan, state)
        fetches = [f for f in plan.roots.fetches if f.response_key in wanted]
        if isinstance(plan.roots, Sequence):
            for fetch in fetches:
                data[fetch.response_key] = await self._root(plan, fetch, state)
        else:
            values = await together(self._root(plan, f, state) for f in fetches)
            data.update(zip((f.response_key for f in fetches), values, strict=True))
        for level in plan.entity_levels:
            await run_entity_level(state, plan, level, data, self.semantics.entity_keys)
        shaped, violations = shape_response(
            plan.shape, data, plan.root_type, state.variables, self._is_of_type
        )
        for violation in violations:
            state.record_null(violation.coordinate, violation.path)
        return shaped

    async def _root(self, plan: Plan, fetch: RootFetch, state: RequestState) -> Any:
        root = self.schema.get_type(plan.root_type)
        definition = root.fields[fetch.field_name]  # type: ignore[union-attr]
        try:
            arguments = get_argument_values(
                definition, fetch.node, state.variable_values
            )
            return await run_root_fetch(state, fetch, arguments)
        except AlreadyReported:
            return None
        except GraphQLError as error:
            state.errors.append(
                GraphQLError(
                    error.message,
                    nodes=[fetch.node],
                    path=[fetch.response_key],
                    extensions=error.extensions,
                )
            )
            return None

    @staticmethod
    def _wanted(plan: Plan, state: RequestState) -> set[str]:
        """Root keys whose @skip/@include (on the field or its fragments) hold."""
        return {
            shaped.key
            for shaped in plan.shape
            if all(c.holds(state.variables) for c in shaped.conditions)
        }

    def _is_of_type(self, runtime: str, condition: str) -> bool:
        if runtime == condition:
            return True
        abstract = self.schema.get_type(condition)
        concrete = self.schema.get_type(runtime)
        if abstract is None or concrete is None or not is_abstract_type(abstract):
            return False
        return self.schema.is_sub_type(abstract, concrete)
