"""A query plan, as plain data.

::

    Sequence
    ├── Parallel | Sequence      root fetches (a mutation's run in order)
    │   └── RootFetch            one root field: fan out to members, or route
    └── EntityLevel              one per depth of @reference fields
        └── Flatten              a path in the data whose entities come from
                                 their owners, through _entities

The executor groups the entities of one level by owner and sends each owner
a single ``_entities`` operation, whatever the number of paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import FieldNode, VariableDefinitionNode

from .semantics import Served
from .shape import ShapeField

__all__ = ["EntityLevel", "Flatten", "Parallel", "Plan", "RootFetch", "Sequence"]

# Response keys the gateway adds for itself. GraphQL reserves names that start
# with "__" for introspection, so no client alias can take them.
HIDDEN_PREFIX = "__fn_"


@dataclass(frozen=True, slots=True)
class RootFetch:
    """One root field, cut out whole for the members that serve it."""

    response_key: str
    field_name: str
    serve: Served
    # What the members are asked; empty for a field the gateway computes.
    document: str
    variables: frozenset[str]
    # The client's field, for its argument values and @skip/@include.
    node: FieldNode
    # For a field the gateway computes: what the client selected below it,
    # as members would be asked for it, by path of field names, so that the
    # computation can fetch it together with what it needs itself.
    selections: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    # The client's variable declarations, printed, by name, for a computation
    # to declare those its selections use.
    declarations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Flatten:
    """The entities found at ``path`` get ``selection`` from their owners."""

    path: tuple[str, ...]
    type_name: str
    selection: str
    variables: frozenset[str]
    # The client asks only for the entity's key, which the data already
    # holds: no owner is asked.
    key_only: bool = False


@dataclass(frozen=True, slots=True)
class EntityLevel:
    flattens: tuple[Flatten, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    fetches: tuple[RootFetch, ...]


@dataclass(frozen=True, slots=True)
class Sequence:
    fetches: tuple[RootFetch, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything needed to run one operation, however often it is sent."""

    operation_type: str
    roots: Parallel | Sequence
    entity_levels: tuple[EntityLevel, ...]
    # The client's selection, normalised, for shaping the response.
    shape: tuple[ShapeField, ...]
    root_type: str
    # Variable definitions of the client's operation: as nodes, to coerce the
    # values sent, and printed, to declare them to members.
    variable_nodes: tuple[VariableDefinitionNode, ...]
    variable_definitions: dict[str, str]
