"""Who may see or call what, as the contract declares it, checked before any
member is asked.

``@authenticated``, ``@requiresScopes`` and ``@policy`` on a field, or on
the type it returns (``schema/network/directives.graphql``), become one
:class:`Requirement` per field, read once per schema. Preparing an operation
finds its guarded fields (:class:`Guard`, cached with the plan); running it
asks each guard about the caller and the field's arguments. A field refused
is cut out of the operation, which is planned again without it (that plan
is cached too, by the set of fields cut); in the answer it is null where it
was asked for, as a failed field would be, and its error says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_directive_values,
    get_named_type,
    visit,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import REMOVE, Visitor

from fulfillment_network.identity import Caller

from ..errors import ConfigurationError
from .policies import POLICIES

__all__ = [
    "AccessRules",
    "Guard",
    "Refusal",
    "Requirement",
    "Step",
    "null_refused",
    "without_fields",
]

T = TypeVar("T")

# A policy as the contract names it: ``desk(desk)`` or ``lead``.
Check = tuple[str, str | None]


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a field asks of its caller. ``scopes`` and ``policies`` are
    alternatives (any inner tuple), each a conjunction (all of it)."""

    authenticated: bool = False
    scopes: tuple[frozenset[str], ...] = ()
    policies: tuple[tuple[Check, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)

    @property
    def uses_arguments(self) -> bool:
        return any(argument for group in self.policies for _, argument in group)

    def and_(self, other: Requirement) -> Requirement:
        return Requirement(
            self.authenticated or other.authenticated,
            _both(self.scopes, other.scopes, frozenset.union),
            _both(self.policies, other.policies, lambda a, b: (*a, *b)),
        )

    def refusal(
        self, caller: Caller | None, arguments: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        """None if the caller may; else the error code and what is missing."""
        if caller is None:
            return None if self.empty else ("UNAUTHENTICATED", "sign in first")
        if (
            self.scopes
            and caller.client is not None
            and not any(needed <= caller.scopes for needed in self.scopes)
        ):
            wanted = " or ".join(" ".join(sorted(s)) for s in self.scopes)
            return ("FORBIDDEN", f"the application needs the scope {wanted}")
        if self.policies and not any(
            all(_passes(caller, check, arguments) for check in group)
            for group in self.policies
        ):
            return ("FORBIDDEN", "it is for " + _needs(self.policies))
        return None


def _both(mine: tuple[T, ...], theirs: tuple[T, ...], join: Any) -> tuple[T, ...]:
    """The alternatives of two requirements that must both hold."""
    if not mine or not theirs:
        return mine or theirs
    return tuple(join(a, b) for a in mine for b in theirs)


def _passes(caller: Caller, check: Check, arguments: Mapping[str, Any]) -> bool:
    name, argument = check
    value = arguments.get(argument) if argument else None
    return POLICIES[name].rule(caller, value)


def _needs(policies: tuple[tuple[Check, ...], ...]) -> str:
    groups = (
        " and ".join(POLICIES[name].needs for name, _ in group) for group in policies
    )
    return "; or ".join(groups)


@dataclass(frozen=True, slots=True)
class Step:
    """One field on the way to a guarded field: its response key, and
    whether it (and, for a list, its items) may be null."""

    key: str
    nullable: bool
    items_nullable: bool = True


@dataclass(frozen=True, slots=True)
class Guard:
    """A guarded field of one operation, where it is in the response."""

    steps: tuple[Step, ...]
    coordinate: str
    node: FieldNode
    field: GraphQLField
    requirement: Requirement

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(step.key for step in self.steps)


@dataclass(frozen=True, slots=True)
class Refusal:
    # The guard's position among the operation's: the same for every parse
    # of the same document, so it can key the plan without the field.
    index: int
    guard: Guard
    error: GraphQLError


class AccessRules:
    """Each guarded field's :class:`Requirement`, by ``(type, field)``."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.fields = _requirements(schema)

    def guards(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        root: GraphQLObjectType,
    ) -> tuple[Guard, ...]:
        if not self.fields:
            return ()
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        return tuple(self._walk(operation.selection_set, root, (), fragments))

    def _walk(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        path: tuple[Step, ...],
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> Iterable[Guard]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield from self._field(selection, parent, path, fragments)
                continue
            condition: NamedTypeNode | None
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, inner = selection.type_condition, selection.selection_set
            narrowed = self.schema.get_type(condition.name.value) if condition else None
            yield from self._walk(inner, narrowed or parent, path, fragments)

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        path: tuple[Step, ...],
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> Iterable[Guard]:
        if not isinstance(parent, GraphQLObjectType):
            return
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return  # __typename and introspection
        here = (*path, _step(node, definition))
        requirement = self.fields.get((parent.name, node.name.value))
        if requirement is not None:
            coordinate = f"{parent.name}.{node.name.value}"
            yield Guard(here, coordinate, node, definition, requirement)
        if node.selection_set is not None:
            named = get_named_type(definition.type)
            yield from self._walk(node.selection_set, named, here, fragments)

    @staticmethod
    def refusals(
        guards: Iterable[Guard],
        caller: Caller | None,
        variables: VariableValues | None,
    ) -> list[Refusal]:
        refused: list[Refusal] = []
        for index, guard in enumerate(guards):
            if any(_within(guard.steps, r.guard.steps) for r in refused):
                continue  # cut out with the field above it
            arguments = (
                get_argument_values(guard.field, guard.node, variables)
                if guard.requirement.uses_arguments
                else {}
            )
            found = guard.requirement.refusal(caller, arguments)
            if found is None:
                continue
            code, why = found
            message = f"Not allowed: {guard.coordinate}: {why}."
            error = GraphQLError(
                message, path=list(guard.path), extensions={"code": code}
            )
            refused.append(Refusal(index, guard, error))
        return refused


def _step(node: FieldNode, definition: GraphQLField) -> Step:
    key = node.alias.value if node.alias else node.name.value
    field_type = definition.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    items_nullable = True
    while isinstance(inner, GraphQLList):
        item = inner.of_type
        items_nullable = not isinstance(item, GraphQLNonNull)
        inner = item.of_type if isinstance(item, GraphQLNonNull) else item
    return Step(key, nullable, items_nullable)


def _within(path: tuple[Step, ...], outer: tuple[Step, ...]) -> bool:
    return len(path) > len(outer) and path[: len(outer)] == outer


def _requirements(schema: GraphQLSchema) -> dict[tuple[str, str], Requirement]:
    """Each field's requirement, its own and its type's, for every field
    that has one."""
    read = _Reader(schema)
    found: dict[tuple[str, str], Requirement] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            coordinate = f"{named.name}.{name}"
            requirement = read(field.ast_node, coordinate, field)
            returned = get_named_type(field.type)
            type_node = getattr(returned, "ast_node", None)
            requirement = requirement.and_(read(type_node, returned.name, None))
            if not requirement.empty:
                found[(named.name, name)] = requirement
    return found


class _Reader:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.directives = {}
        for name in ("authenticated", "requiresScopes", "policy"):
            directive = schema.get_directive(name)
            if directive is None:
                raise ConfigurationError(f"the contract does not declare @{name}")
            self.directives[name] = directive

    def __call__(
        self, node: Any, where: str, field: GraphQLField | None
    ) -> Requirement:
        if node is None:
            return Requirement()
        values = {
            name: get_directive_values(directive, node)
            for name, directive in self.directives.items()
        }
        scopes = values["requiresScopes"]
        policies = values["policy"]
        return Requirement(
            authenticated=values["authenticated"] is not None,
            scopes=tuple(frozenset(group) for group in scopes["scopes"])
            if scopes
            else (),
            policies=tuple(
                tuple(_check(text, where, field) for text in group)
                for group in policies["policies"]
            )
            if policies
            else (),
        )


def _check(text: str, where: str, field: GraphQLField | None) -> Check:
    name, _, rest = text.partition("(")
    argument = rest.removesuffix(")") if rest else None
    policy = POLICIES.get(name)
    if policy is None:
        raise ConfigurationError(f"{where}: no policy named {name!r}")
    if policy.takes_argument != (argument is not None):
        usage = f"{name}(argument)" if policy.takes_argument else name
        raise ConfigurationError(f"{where}: write the policy as {usage}")
    if argument is not None and (field is None or argument not in field.args):
        raise ConfigurationError(f"{where}: policy {text} names no argument of it")
    return name, argument


def without_fields(
    document: DocumentNode, refused: Iterable[FieldNode]
) -> DocumentNode:
    """The document with the refused fields cut out, and then whatever their
    removal left empty (a field or fragment with nothing selected)."""
    cut = {id(node) for node in refused}
    document = visit(document, _Cut(cut))
    while True:
        empty = {
            d.name.value
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode) and not d.selection_set.selections
        }
        if not empty:
            return document
        document = visit(document, _Cut(set(), frozenset(empty)))


class _Cut(Visitor):
    def __init__(
        self, cut: set[int], empty_fragments: frozenset[str] = frozenset()
    ) -> None:
        super().__init__()
        self.cut = cut
        self.empty_fragments = empty_fragments

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        return REMOVE if id(node) in self.cut else None

    def leave_field(self, node: FieldNode, *_: Any) -> Any:
        return _remove_if_emptied(node)

    def leave_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> Any:
        return _remove_if_emptied(node)

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> Any:
        return REMOVE if node.name.value in self.empty_fragments else None

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> Any:
        return REMOVE if node.name.value in self.empty_fragments else None


def _remove_if_emptied(node: FieldNode | InlineFragmentNode) -> Any:
    selection_set = node.selection_set
    if selection_set is not None and not selection_set.selections:
        return REMOVE
    return None


def null_refused(
    data: dict[str, Any] | None, refused: Iterable[Refusal]
) -> dict[str, Any] | None:
    """The answer with null where each refused field was asked for, as where
    a field failed: a field that may not be null makes its parent null, up
    to the nearest that may (or the whole of ``data``)."""
    for refusal in refused:
        if data is None:
            return None
        if _null_in(data, refusal.guard.steps):
            return None
    return data


def _null_in(parent: dict[str, Any], steps: tuple[Step, ...]) -> bool:
    """Null the field of ``steps[0]`` in ``parent``, or what lies below it;
    True if ``parent`` itself must become null."""
    # Not yet: a refused field left out by @skip/@include, or by a type
    # condition the object does not meet, is still given its null; the
    # contract has no abstract types yet, and a refusal is reported anyway.
    step, below = steps[0], steps[1:]
    value = parent.get(step.key)
    must_null = (
        not below
        or step.key not in parent  # cut with the refused field below it
        or (value is not None and _null_below(value, step, below))
    )
    if not must_null:
        return False
    if step.nullable:
        parent[step.key] = None
        return False
    return True


def _null_below(value: Any, step: Step, below: tuple[Step, ...]) -> bool:
    """True if the field of ``step``, holding ``value``, must become null."""
    if isinstance(value, list):
        for position, item in enumerate(value):
            if item is None or not _null_below(item, step, below):
                continue
            if not step.items_nullable:
                return True
            value[position] = None
        return False
    return isinstance(value, dict) and _null_in(value, below)
