"""The operation a member receives: the client's root field, cut out whole.

The member gets the field exactly as the client wrote it (aliases,
arguments, fragments, directives), with the fragment definitions and
variable declarations it uses, so its answer is keyed by the same response
keys the gateway will read. Extra fields the gateway needs for merging are
added under aliases that clients cannot collide with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    NameNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    print_ast,
    visit,
)
from graphql.language import Visitor

__all__ = ["HIDDEN_PREFIX", "Subquery", "cut_subquery"]

# Response keys that start with this are the gateway's own; GraphQL reserves
# names starting with "__", so no client alias can take them.
HIDDEN_PREFIX = "__fn_"


@dataclass(frozen=True, slots=True)
class Subquery:
    query: str
    variables: dict[str, Any]
    response_key: str


def cut_subquery(
    info: GraphQLResolveInfo[Any],
    raw_variables: Mapping[str, Any],
    *,
    extra_fields: Sequence[str] = (),
) -> Subquery:
    """The member operation for the root field ``info`` is resolving.

    :param extra_fields: fields of the result objects the gateway needs,
        fetched as ``__fn_<name>``.
    """
    fields = [_with_extra_fields(node, extra_fields) for node in info.field_nodes]
    fragments = _fragments_used(fields, info.fragments)
    variable_names = _variables_used([*fields, *fragments])
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=NameNode(value="GatewayFetch"),
        variable_definitions=tuple(
            definition
            for definition in info.operation.variable_definitions or ()
            if definition.variable.name.value in variable_names
        ),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(fields)),
    )
    document = DocumentNode(definitions=(operation, *fragments))
    return Subquery(
        query=print_ast(document),
        variables={k: v for k, v in raw_variables.items() if k in variable_names},
        response_key=info.path.key if isinstance(info.path.key, str) else "",
    )


def _with_extra_fields(node: FieldNode, extra_fields: Sequence[str]) -> FieldNode:
    if not extra_fields or node.selection_set is None:
        return node
    added = tuple(
        FieldNode(
            alias=NameNode(value=HIDDEN_PREFIX + name),
            name=NameNode(value=name),
            arguments=(),
            directives=(),
        )
        for name in extra_fields
    )
    selections = SelectionSetNode(selections=(*node.selection_set.selections, *added))
    return FieldNode(
        alias=node.alias,
        name=node.name,
        arguments=node.arguments,
        directives=node.directives,
        selection_set=selections,
    )


def _fragments_used(
    roots: Iterable[Node], known: Mapping[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    found: dict[str, FragmentDefinitionNode] = {}
    pending = list(roots)
    while pending:
        for name in _spread_names(pending.pop()):
            if name not in found and name in known:
                found[name] = known[name]
                pending.append(known[name])
    return list(found.values())


def _spread_names(node: Node) -> set[str]:
    names: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.add(spread.name.value)

    visit(node, Spreads())
    return names


def _variables_used(nodes: Iterable[Node]) -> set[str]:
    names: set[str] = set()

    class Variables(Visitor):
        def enter_variable(self, variable: VariableNode, *_: object) -> None:
            names.add(variable.name.value)

    for node in nodes:
        visit(node, Variables())
    return names
