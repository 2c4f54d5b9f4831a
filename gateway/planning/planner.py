"""Turn a validated operation into a :class:`~.plan.Plan`.

Two walks over the client's selection, both with fragments inlined: one
builds the shape the response must have (:mod:`.shape`); the other builds
what each member is asked, cutting the selection at ``@reference`` fields,
where a member gives only the entity's key and the owner is asked for the
rest (a :class:`~.plan.Flatten` one level deeper).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    print_ast,
    visit,
)
from graphql.language import Visitor

from .plan import (
    HIDDEN_PREFIX,
    EntityLevel,
    Flatten,
    Parallel,
    Plan,
    RootFetch,
    Sequence,
)
from .semantics import Compute, FanOut, Merge, Semantics
from .shape import Condition, ShapeField

__all__ = ["Planner"]

_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


class Planner:
    def __init__(self, schema: GraphQLSchema, semantics: Semantics) -> None:
        self.schema = schema
        self.semantics = semantics

    def plan(self, document: DocumentNode, operation_name: str | None) -> Plan:
        operation = _select_operation(document, operation_name)
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        root = self._root_type(operation)
        walk = _Walk(self, fragments)
        kind = operation.operation.value
        shape = tuple(
            self._root_shape(kind, shaped)
            for shaped in walk.shape(operation.selection_set, root)
        )
        fetches = self._root_fetches(operation, root, walk)
        roots = (
            Sequence(fetches)
            if operation.operation.value == "mutation"
            else Parallel(fetches)
        )
        return Plan(
            operation_type=operation.operation.value,
            roots=roots,
            entity_levels=walk.entity_levels(),
            shape=shape,
            root_type=root.name,
            variable_nodes=tuple(operation.variable_definitions or ()),
            variable_definitions={
                d.variable.name.value: print_ast(d)
                for d in operation.variable_definitions or ()
            },
        )

    def _root_shape(self, kind: str, shaped: ShapeField) -> ShapeField:
        """Root fields are merged from several answers: always shaped. What
        the gateway computes carries its own keys all the way down."""
        if shaped.name.startswith("__"):
            return replace(shaped, passthrough=False)
        if isinstance(self.semantics.root(kind, shaped.name), Compute):
            return _shaped_throughout(shaped)
        return replace(shaped, passthrough=False)

    def operation(
        self, document: DocumentNode, operation_name: str | None
    ) -> tuple[OperationDefinitionNode, GraphQLObjectType]:
        """The operation the client chose, and its root type."""
        operation = _select_operation(document, operation_name)
        return operation, self._root_type(operation)

    def _root_type(self, operation: OperationDefinitionNode) -> GraphQLObjectType:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            raise GraphQLError(f"this network has no {operation.operation.value} type")
        return root

    def _root_fetches(
        self, operation: OperationDefinitionNode, root: GraphQLObjectType, walk: _Walk
    ) -> tuple[RootFetch, ...]:
        grouped: dict[str, list[FieldNode]] = defaultdict(list)
        for node in walk.fields_of(operation.selection_set, root):
            if (
                node.name.value == "__typename"
                or node.name.value in _INTROSPECTION_ROOTS
            ):
                continue
            grouped[_key(node)].append(node)
        kind = operation.operation.value
        fetches = []
        for key, nodes in grouped.items():
            name = nodes[0].name.value
            serve = self.semantics.root(kind, name)
            cut = [walk.member_field(n, root, (key,)) for n in nodes]
            if isinstance(serve, FanOut) and serve.merge is Merge.RANKED:
                assert serve.rank_by is not None
                cut = [_with_hidden(n, "rank", serve.rank_by) for n in cut]
            document, variables = _member_document(kind, cut, operation)
            selections: dict[tuple[str, ...], str] = {}
            declarations: dict[str, str] = {}
            if isinstance(serve, Compute):
                # The computation asks the members what it needs, with the
                # client's selections below the field.
                document = ""
                for node in cut:
                    _collect_selections(node.selection_set, (), selections)
                declarations = _declarations(operation, variables)
            fetches.append(
                RootFetch(
                    key,
                    name,
                    serve,
                    document,
                    variables,
                    nodes[0],
                    selections,
                    declarations,
                )
            )
        return tuple(fetches)


@dataclass
class _Walk:
    planner: Planner
    fragments: Mapping[str, FragmentDefinitionNode]
    # Entity selections by depth, then by path.
    levels: dict[int, dict[tuple[str, ...], _PendingFlatten]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def fields_of(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterable[FieldNode]:
        """The fields of a selection, fragments inlined, in document order."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            else:
                inner = self._fragment_selection(selection)
                yield from self.fields_of(inner, parent)

    def shape(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        type_conditions: tuple[str, ...] = (),
        conditions: tuple[Condition, ...] = (),
    ) -> tuple[ShapeField, ...]:
        shaped: list[ShapeField] = []
        for selection in selection_set.selections:
            found = conditions + _conditions(selection)
            if isinstance(selection, FieldNode):
                shaped.append(
                    self._shape_field(selection, parent, type_conditions, found)
                )
                continue
            condition = _type_condition(selection, self.fragments)
            inner_parent = (
                self.planner.schema.get_type(condition) if condition else parent
            )
            assert inner_parent is not None
            more = (*type_conditions, condition) if condition else type_conditions
            inner = self._fragment_selection(selection)
            shaped += self.shape(inner, inner_parent, more, found)
        return tuple(shaped)

    def _shape_field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        type_conditions: tuple[str, ...],
        conditions: tuple[Condition, ...],
    ) -> ShapeField:
        field_type = self._field_type(parent, node.name.value)
        named = get_named_type(field_type)
        children = self.shape(node.selection_set, named) if node.selection_set else None
        reference = self.planner.semantics.is_reference(parent.name, node.name.value)
        return ShapeField(
            key=_key(node),
            name=node.name.value,
            type_conditions=type_conditions,
            conditions=conditions,
            wrappers=_wrappers(field_type),
            type_name=named.name,
            children=children,
            passthrough=children is not None
            and not reference
            and all(c.passthrough or c.children is None for c in children),
        )

    def member_field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        path: tuple[str, ...],
        depth: int = 0,
    ) -> FieldNode:
        """The field as a member is asked for it, cut at references."""
        if node.selection_set is None:
            return node
        named = get_named_type(self._field_type(parent, node.name.value))
        if self.planner.semantics.is_reference(parent.name, node.name.value):
            self._add_flatten(node, named, path, depth + 1)
            return _replace_selection(node, self._key_selection(named))
        selection = self.member_selection(node.selection_set, named, path, depth)
        return _replace_selection(node, selection)

    def member_selection(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        path: tuple[str, ...],
        depth: int,
    ) -> SelectionSetNode:
        selections: list[SelectionNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                child_path = (*path, _key(selection))
                selections.append(
                    self.member_field(selection, parent, child_path, depth)
                )
                continue
            condition = _type_condition(selection, self.fragments)
            inner_parent = (
                self.planner.schema.get_type(condition) if condition else parent
            )
            assert inner_parent is not None
            inner = self.member_selection(
                self._fragment_selection(selection), inner_parent, path, depth
            )
            selections.append(
                InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(value=condition))
                    if condition
                    else None,
                    directives=selection.directives,
                    selection_set=inner,
                )
            )
        return SelectionSetNode(selections=tuple(selections))

    def entity_levels(self) -> tuple[EntityLevel, ...]:
        return tuple(
            EntityLevel(
                tuple(pending.build() for pending in self.levels[depth].values())
            )
            for depth in sorted(self.levels)
        )

    def _add_flatten(
        self,
        node: FieldNode,
        entity: GraphQLNamedType,
        path: tuple[str, ...],
        depth: int,
    ) -> None:
        if entity.name not in self.planner.semantics.entity_keys:
            raise GraphQLError(f"{entity.name} is a @reference but has no @key")
        assert node.selection_set is not None
        selection = self.member_selection(node.selection_set, entity, path, depth)
        pending = self.levels[depth].setdefault(
            path,
            _PendingFlatten(
                path, entity.name, self.planner.semantics.entity_keys[entity.name]
            ),
        )
        pending.selections.append(selection)

    def _key_selection(self, entity: GraphQLNamedType) -> SelectionSetNode:
        keys = self.planner.semantics.entity_keys[entity.name]
        return SelectionSetNode(
            selections=tuple(
                _hidden_field(name, name) for name in ("__typename", *keys)
            )
        )

    def _fragment_selection(self, selection: SelectionNode) -> SelectionSetNode:
        if isinstance(selection, InlineFragmentNode):
            return selection.selection_set
        assert isinstance(selection, FragmentSpreadNode)
        return self.fragments[selection.name.value].selection_set

    def _field_type(self, parent: GraphQLNamedType, name: str) -> GraphQLOutputType:
        if name == "__typename":
            return GraphQLNonNull(self.planner.schema.type_map["String"])  # type: ignore[arg-type]
        fields = getattr(parent, "fields", {})
        if name in fields:
            output: GraphQLOutputType = fields[name].type
            return output
        introspection = {"__schema": "__Schema", "__type": "__Type"}
        named = self.planner.schema.get_type(introspection[name])
        assert named is not None
        return named  # type: ignore[return-value]


@dataclass
class _PendingFlatten:
    path: tuple[str, ...]
    type_name: str
    keys: tuple[str, ...]
    selections: list[SelectionSetNode] = field(default_factory=list)

    def build(self) -> Flatten:
        merged = SelectionSetNode(
            selections=tuple(s for part in self.selections for s in part.selections)
        )
        return Flatten(
            path=self.path,
            type_name=self.type_name,
            selection=print_ast(merged),
            variables=frozenset(_variables_in(merged)),
            key_only=self._asks_only_the_key(merged),
        )

    def _asks_only_the_key(self, selection_set: SelectionSetNode) -> bool:
        """Whether the client wants no more than the key the gateway holds."""
        wanted = {"__typename", *self.keys}
        return all(
            isinstance(s, FieldNode)
            and s.alias is None
            and not s.directives
            and s.name.value in wanted
            for s in selection_set.selections
        )


def _select_operation(
    document: DocumentNode, name: str | None
) -> OperationDefinitionNode:
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if name is None:
        if len(operations) != 1:
            raise GraphQLError("the document has several operations: name one")
        return operations[0]
    for operation in operations:
        if operation.name and operation.name.value == name:
            return operation
    raise GraphQLError(f"the document has no operation named {name!r}")


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _conditions(selection: SelectionNode) -> tuple[Condition, ...]:
    found = []
    for directive in selection.directives or ():
        if directive.name.value not in ("skip", "include"):
            continue
        [argument] = directive.arguments or ()
        include = directive.name.value == "include"
        if isinstance(argument.value, VariableNode):
            found.append(Condition(include, None, argument.value.name.value))
        else:
            assert isinstance(argument.value, BooleanValueNode)
            found.append(Condition(include, argument.value.value, None))
    return tuple(found)


def _type_condition(
    selection: SelectionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> str | None:
    if isinstance(selection, FragmentSpreadNode):
        return fragments[selection.name.value].type_condition.name.value
    assert isinstance(selection, InlineFragmentNode)
    return selection.type_condition.name.value if selection.type_condition else None


def _wrappers(field_type: GraphQLOutputType) -> tuple[str, ...]:
    wrappers: list[str] = []
    current: object = field_type
    while isinstance(current, GraphQLNonNull | GraphQLList):
        wrappers.append("non_null" if isinstance(current, GraphQLNonNull) else "list")
        current = current.of_type
    return tuple(wrappers)


def _replace_selection(node: FieldNode, selection: SelectionSetNode) -> FieldNode:
    return FieldNode(
        alias=node.alias,
        name=node.name,
        arguments=node.arguments,
        directives=node.directives,
        selection_set=selection,
    )


def _hidden_field(alias: str, name: str) -> FieldNode:
    return FieldNode(
        alias=NameNode(value=HIDDEN_PREFIX + alias),
        name=NameNode(value=name),
        arguments=(),
        directives=(),
    )


def _with_hidden(node: FieldNode, alias: str, name: str) -> FieldNode:
    assert node.selection_set is not None, "a ranked field returns objects"
    selections = (*node.selection_set.selections, _hidden_field(alias, name))
    return _replace_selection(node, SelectionSetNode(selections=selections))


def _declarations(
    operation: OperationDefinitionNode, used: frozenset[str]
) -> dict[str, str]:
    return {
        d.variable.name.value: print_ast(d)
        for d in operation.variable_definitions or ()
        if d.variable.name.value in used
    }


def _member_document(
    kind: str, fields: list[FieldNode], operation: OperationDefinitionNode
) -> tuple[str, frozenset[str]]:
    used = _variables_in(*fields)
    definitions = [
        print_ast(d)
        for d in operation.variable_definitions or ()
        if d.variable.name.value in used
    ]
    header = f"{kind} GatewayFetch" + (
        f"({', '.join(definitions)})" if definitions else ""
    )
    body = " ".join(print_ast(f) for f in fields)
    return f"{header} {{ {body} }}", frozenset(used)


def _variables_in(*nodes: FieldNode | SelectionSetNode) -> set[str]:
    names: set[str] = set()

    class Variables(Visitor):
        def enter_variable(self, variable: VariableNode, *_: object) -> None:
            names.add(variable.name.value)

    for node in nodes:
        visit(node, Variables())
    return names


def _collect_selections(
    selection_set: SelectionSetNode | None,
    path: tuple[str, ...],
    found: dict[tuple[str, ...], str],
) -> None:
    """Each object field's printed selection, by path of field names."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, InlineFragmentNode):
            _collect_selections(selection.selection_set, path, found)
        elif isinstance(selection, FieldNode) and selection.selection_set:
            here = (*path, selection.name.value)
            printed = print_ast(selection.selection_set)
            found[here] = f"{found[here]} {printed}" if here in found else printed
            _collect_selections(selection.selection_set, here, found)


def _shaped_throughout(shaped: ShapeField) -> ShapeField:
    children = shaped.children
    if children is not None:
        children = tuple(_shaped_throughout(child) for child in children)
    return replace(shaped, passthrough=False, children=children)
