"""Limits on the shape of an operation, checked before validation.

Validation itself can be made expensive (thousands of aliases make field
merging checks quadratic), so these run first, on the parsed document, with
fragments expanded where they are spread: aliases inside a fragment count
each time it is used. Tokens are limited by the parser itself.

Each refusal is a GraphQL error with code ``LIMIT_EXCEEDED`` that says which
limit, its value and what the operation reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

__all__ = ["DEFAULT_LIMITS", "OperationLimits", "check_limits"]


@dataclass(frozen=True, slots=True)
class OperationLimits:
    max_tokens: int = 5_000
    max_depth: int = 12
    max_aliases: int = 40
    max_root_fields: int = 12
    max_directives_per_field: int = 4
    # Cost: one per field, times the sizes of the lists above it. A list's
    # size is its `first` argument when given as a literal, else this.
    max_cost: int = 100_000
    default_list_size: int = 10


DEFAULT_LIMITS = OperationLimits()


@dataclass
class _Tally:
    depth: int = 0
    aliases: int = 0
    roots: int = 0
    cost: int = 0
    errors: list[GraphQLError] = field(default_factory=list)


def check_limits(
    document: DocumentNode,
    schema: GraphQLSchema,
    limits: OperationLimits = DEFAULT_LIMITS,
) -> list[GraphQLError]:
    """Every limit the document's operations exceed; empty if none."""
    walker = _Walker(document, schema, limits)
    errors: list[GraphQLError] = []
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            errors += walker.check(operation)
    return errors


class _Walker:
    def __init__(
        self, document: DocumentNode, schema: GraphQLSchema, limits: OperationLimits
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def check(self, operation: OperationDefinitionNode) -> list[GraphQLError]:
        tally = _Tally()
        root = self.schema.get_root_type(operation.operation)
        self._walk(operation.selection_set, root, tally, _Place(1, 1, ()))
        limits = self.limits
        checks = [
            ("depth", tally.depth, limits.max_depth),
            ("aliases", tally.aliases, limits.max_aliases),
            ("root fields", tally.roots, limits.max_root_fields),
            ("cost", tally.cost, limits.max_cost),
        ]
        errors = [
            _exceeded(name, reached, limit)
            for name, reached, limit in checks
            if reached > limit
        ]
        return errors + tally.errors[:1]

    def _walk(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        tally: _Tally,
        place: _Place,
    ) -> None:
        tally.depth = max(tally.depth, place.depth)
        if tally.depth > self.limits.max_depth or tally.cost > self.limits.max_cost:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                tally.roots += place.depth == 1
                self._field(selection, parent, tally, place)
                continue
            inner, condition, spreads = self._fragment(selection, place.spreads)
            if inner is not None:
                typed = self.schema.get_type(condition) if condition else parent
                self._walk(
                    inner,
                    typed,
                    tally,
                    _Place(place.depth, place.multiplier, spreads, place.carried),
                )

    def _fragment(
        self, selection: SelectionNode, spreads: tuple[str, ...]
    ) -> tuple[SelectionSetNode | None, str | None, tuple[str, ...]]:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            return (
                selection.selection_set,
                condition.name.value if condition else None,
                spreads,
            )
        assert isinstance(selection, FragmentSpreadNode)
        name = selection.name.value
        # A fragment that spreads itself is left to validation to refuse.
        if name not in self.fragments or name in spreads:
            return None, None, spreads
        fragment = self.fragments[name]
        return (
            fragment.selection_set,
            fragment.type_condition.name.value,
            (*spreads, name),
        )

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        tally: _Tally,
        place: _Place,
    ) -> None:
        tally.aliases += node.alias is not None
        tally.cost += place.multiplier
        directives = len(node.directives or ())
        limit = self.limits.max_directives_per_field
        if directives > limit and not tally.errors:
            tally.errors.append(_exceeded("directives on one field", directives, limit))
        if node.selection_set is None:
            return
        definition = _field_definition(parent, node.name.value)
        child = get_named_type(definition.type) if definition else None
        first = _first(node)
        if definition is not None and is_list_type(get_nullable_type(definition.type)):
            size = first or place.carried or self.limits.default_list_size
            carried = None
        else:
            # `first` on an object (a connection) sizes the list inside it.
            size, carried = 1, first
        deeper = _Place(
            place.depth + 1, place.multiplier * size, place.spreads, carried
        )
        self._walk(node.selection_set, child, tally, deeper)


@dataclass(frozen=True, slots=True)
class _Place:
    depth: int
    multiplier: int
    spreads: tuple[str, ...]
    # A `first` given on an object, for the list below it.
    carried: int | None = None


def _first(node: FieldNode) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value == "first" and isinstance(argument.value, IntValueNode):
            return max(1, int(argument.value.value))
    return None


def _field_definition(
    parent: GraphQLNamedType | None, name: str
) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        definition: GraphQLField | None = parent.fields.get(name)
        return definition
    return None


def _exceeded(limit: str, reached: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"The operation exceeds the {limit} limit: {reached} > {maximum}.",
        extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "maximum": maximum},
    )
