"""How each field is served, as the contract's directives declare it.

``@fanOut`` and ``@route`` on root fields, ``@reference`` on fields that hold
another member's entities, and ``@key`` on entity types (see
``schema/network/directives.graphql``). Read once per schema.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLDirective,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    StringValueNode,
    get_directive_values,
)

from ..errors import ConfigurationError

__all__ = ["Compute", "FanOut", "Merge", "Route", "RouteBy", "Semantics"]


class Merge(enum.Enum):
    CONCAT = "CONCAT"
    RANKED = "RANKED"
    SUM = "SUM"


class RouteBy(enum.Enum):
    GLOBAL_ID = "GLOBAL_ID"
    INSTITUTION = "INSTITUTION"


@dataclass(frozen=True, slots=True)
class FanOut:
    merge: Merge = Merge.CONCAT
    rank_by: str | None = None
    limit: str | None = None
    members: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    argument: tuple[str, ...]
    by: RouteBy = RouteBy.GLOBAL_ID


@dataclass(frozen=True, slots=True)
class Compute:
    """The gateway answers the field itself, by the named computation."""

    by: str


Served = FanOut | Route | Compute


@dataclass(frozen=True)
class Semantics:
    """The serving rules of one network schema."""

    roots: dict[tuple[str, str], Served]
    references: frozenset[tuple[str, str]]
    entity_keys: dict[str, tuple[str, ...]]

    @classmethod
    def read(cls, schema: GraphQLSchema) -> Semantics:
        return cls(_roots(schema), _references(schema), _entity_keys(schema))

    def root(self, operation: str, field: str) -> Served:
        return self.roots[(operation, field)]

    def is_reference(self, type_name: str, field: str) -> bool:
        return (type_name, field) in self.references


def _directive(schema: GraphQLSchema, name: str) -> GraphQLDirective:
    directive = schema.get_directive(name)
    if directive is None:
        raise ConfigurationError(f"the contract does not declare @{name}")
    return directive


def _values(directive: GraphQLDirective, field: GraphQLField) -> dict[str, Any] | None:
    if field.ast_node is None:
        return None
    return get_directive_values(directive, field.ast_node)


def _roots(schema: GraphQLSchema) -> dict[tuple[str, str], Served]:
    directives = [_directive(schema, name) for name in ("fanOut", "route", "compute")]
    roots: dict[tuple[str, str], Served] = {}
    for operation, root in (
        ("query", schema.query_type),
        ("mutation", schema.mutation_type),
    ):
        for name, field in (root.fields if root else {}).items():
            values = [_values(directive, field) for directive in directives]
            coordinate = f"{root.name if root else ''}.{name}"
            roots[(operation, name)] = _root_rule(coordinate, *values)
    return roots


def _root_rule(
    coordinate: str,
    fan_out: dict[str, Any] | None,
    route: dict[str, Any] | None,
    compute: dict[str, Any] | None,
) -> Served:
    if sum(rule is not None for rule in (fan_out, route, compute)) != 1:
        raise ConfigurationError(
            f"{coordinate} needs exactly one of @fanOut, @route and @compute"
        )
    if compute is not None:
        return Compute(compute["by"])
    if route is not None:
        return Route(tuple(route["argument"].split(".")), RouteBy(route["by"]))
    assert fan_out is not None
    merge = Merge(fan_out["merge"])
    if merge is Merge.RANKED and not fan_out.get("rankBy"):
        raise ConfigurationError(f"{coordinate}: @fanOut(merge: RANKED) needs rankBy")
    return FanOut(
        merge, fan_out.get("rankBy"), fan_out.get("limit"), fan_out.get("members")
    )


def _references(schema: GraphQLSchema) -> frozenset[tuple[str, str]]:
    reference = _directive(schema, "reference")
    return frozenset(
        (named.name, name)
        for named in schema.type_map.values()
        if isinstance(named, GraphQLObjectType)
        for name, field in named.fields.items()
        if _values(reference, field) is not None
    )


def _entity_keys(schema: GraphQLSchema) -> dict[str, tuple[str, ...]]:
    """Each entity type's key fields, from ``@key(fields: "...")`` in the SDL."""
    keys: dict[str, tuple[str, ...]] = {}
    for named in schema.type_map.values():
        node = getattr(named, "ast_node", None)
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value != "key":
                continue
            for argument in directive.arguments:
                if argument.name.value == "fields" and isinstance(
                    argument.value, StringValueNode
                ):
                    keys[named.name] = tuple(argument.value.value.split())
    return keys
