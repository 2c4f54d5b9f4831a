"""The contract's access directives, read and applied without members."""

from __future__ import annotations

import pytest
from graphql import (
    FieldNode,
    OperationDefinitionNode,
    build_schema,
    parse,
    print_ast,
)
from graphql.execution.values import get_variable_values

from fulfillment_network.identity import Caller
from gateway.composition.contract import Contract
from gateway.errors import ConfigurationError
from gateway.security.authorization import (
    AccessRules,
    null_refused,
    without_fields,
)
from gateway.security.policies import institution_of

DIRECTIVES = """
directive @authenticated on FIELD_DEFINITION | OBJECT
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT
"""


def _caller(**claims: object) -> Caller:
    return Caller.from_claims({"sub": "someone", "iss": "test", **claims})


PATRON = _caller(institution="ASH", patron="Patron:ASH:1")
OPERATOR_ASH = _caller(institution="ASH", roles=["circulation_desk_operator"])
OPERATOR_BRK = _caller(institution="BRK", roles=["circulation_desk_operator"])
CATALOGUER_ASH = _caller(institution="ASH", roles=["cataloguer"])


@pytest.fixture(scope="module")
def rules() -> AccessRules:
    return AccessRules(Contract.load().schema)


def _refusals(
    rules: AccessRules,
    query: str,
    caller: Caller | None,
    variables: dict[str, object] | None = None,
) -> list[tuple[list[str | int], str]]:
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    root = rules.schema.get_root_type(operation.operation)
    assert root is not None
    guards = rules.guards(document, operation, root)
    coerced = get_variable_values(
        rules.schema, operation.variable_definitions or (), variables or {}
    )
    assert not isinstance(coerced, list), coerced
    return [
        (r.error.path or [], (r.error.extensions or {})["code"])
        for r in rules.refusals(guards, caller, coerced)
    ]


def test_public_discovery_asks_nothing_of_the_caller(rules: AccessRules) -> None:
    query = """{
      searchWorks(text: "x") { works { title holdings { institution { code } } } }
    }"""
    assert _refusals(rules, query, None) == []


def test_an_anonymous_caller_is_asked_to_sign_in(rules: AccessRules) -> None:
    query = '{ patron(id: "Patron:ASH:1") { name } }'
    assert _refusals(rules, query, None) == [(["patron"], "UNAUTHENTICATED")]


def test_a_patron_sees_themself_and_nobody_else(rules: AccessRules) -> None:
    query = "query($id: ID!) { patron(id: $id) { name } }"
    assert _refusals(rules, query, PATRON, {"id": "Patron:ASH:1"}) == []
    assert _refusals(rules, query, PATRON, {"id": "Patron:ASH:2"}) == [
        (["patron"], "FORBIDDEN")
    ]


def test_network_activity_only_for_consortial_staff_at_home(
    rules: AccessRules,
) -> None:
    query = '{ networkActivity(patron: "Patron:ASH:7") { blocked } }'
    assert _refusals(rules, query, OPERATOR_ASH) == []
    assert _refusals(rules, query, OPERATOR_BRK) == [(["networkActivity"], "FORBIDDEN")]
    assert _refusals(rules, query, CATALOGUER_ASH) == [
        (["networkActivity"], "FORBIDDEN")
    ]


def test_staff_act_only_at_their_own_institutions_desks(rules: AccessRules) -> None:
    query = """mutation($desk: ID!) {
      returnItem(idempotencyKey: "k", desk: $desk, item: "Item:BRK:4") {
        item { nextStep }
      }
    }"""
    assert _refusals(rules, query, OPERATOR_ASH, {"desk": "Desk:ASH:1"}) == []
    assert _refusals(rules, query, OPERATOR_ASH, {"desk": "Desk:BRK:1"}) == [
        (["returnItem"], "FORBIDDEN")
    ]


def test_owner_only_operations_need_the_items_owner(rules: AccessRules) -> None:
    query = """mutation {
      scanItemForPickSlip(idempotencyKey: "k", desk: "Desk:ASH:1", item: "Item:BRK:4") {
        item { id }
      }
    }"""
    assert _refusals(rules, query, OPERATOR_ASH) == [
        (["scanItemForPickSlip"], "FORBIDDEN")
    ]
    owned = query.replace("Item:BRK:4", "Item:ASH:4")
    assert _refusals(rules, owned, OPERATOR_ASH) == []


def test_an_application_needs_its_scope_as_well_as_the_person(
    rules: AccessRules,
) -> None:
    query = '{ networkActivity(patron: "Patron:ASH:1") { blocked } }'
    for_patron = {"institution": "ASH", "patron": "Patron:ASH:1", "client_id": "app"}
    without = _caller(**for_patron, client="app")
    with_scope = _caller(**for_patron, client="app", scopes=["patron:read"])
    assert _refusals(rules, query, without) == [(["networkActivity"], "FORBIDDEN")]
    assert _refusals(rules, query, with_scope) == []


def test_a_type_level_rule_guards_every_field_that_returns_the_type(
    rules: AccessRules,
) -> None:
    # Loan is @authenticated as a type: a field returning it is guarded too.
    requirement = rules.fields[("LendResult", "loan")]
    assert requirement.authenticated


def test_fields_under_a_refused_field_are_not_reported_again(
    rules: AccessRules,
) -> None:
    query = '{ loan(id: "Loan:ASH:1") { patron { name } item { id } } }'
    assert _refusals(rules, query, None) == [(["loan"], "UNAUTHENTICATED")]


def test_guards_are_found_through_fragments(rules: AccessRules) -> None:
    query = """
    query { ...Reads }
    fragment Reads on Query { mine: patron(id: "Patron:ASH:2") { name } }
    """
    assert _refusals(rules, query, PATRON) == [(["mine"], "FORBIDDEN")]


def test_an_unknown_policy_is_a_configuration_error() -> None:
    schema = build_schema(
        DIRECTIVES + 'type Query { a(id: ID): Int @policy(policies: [["nobody"]]) }'
    )
    with pytest.raises(ConfigurationError, match="no policy named 'nobody'"):
        AccessRules(schema)


def test_a_policy_must_name_an_argument_of_its_field() -> None:
    schema = build_schema(
        DIRECTIVES + 'type Query { a(id: ID): Int @policy(policies: [["self(b)"]]) }'
    )
    with pytest.raises(ConfigurationError, match="names no argument"):
        AccessRules(schema)


def test_cutting_a_field_removes_what_it_leaves_empty() -> None:
    document = parse(
        """
        query { a { b { secret } other } c { ...F } }
        fragment F on C { secret2 }
        """
    )
    secrets = [
        node for node in _fields(document) if node.name.value in {"secret", "secret2"}
    ]
    cut = print_ast(without_fields(document, secrets))
    # a keeps `other`; b and c had nothing else, so they go, with fragment F.
    assert cut == print_ast(parse("query { a { other } }"))


def _fields(document: object) -> list[FieldNode]:
    found: list[FieldNode] = []

    def walk(node: object) -> None:
        if isinstance(node, FieldNode):
            found.append(node)
        for key in getattr(node, "keys", ()):
            value = getattr(node, key, None)
            for child in value if isinstance(value, tuple | list) else [value]:
                if hasattr(child, "kind"):
                    walk(child)

    walk(document)
    return found


@pytest.mark.parametrize(
    ("value", "institution"),
    [("ASH", "ASH"), ("Desk:BRK:3", "BRK"), ("not an id", None), (None, None)],
)
def test_the_institution_an_argument_names(
    value: object, institution: str | None
) -> None:
    assert institution_of(value) == institution


NULLS_SDL = (
    DIRECTIVES
    + """
type Query { me: Me!, open: Me, list: [Me!]!, loose: [Me] }
type Me { name: String, secret: String @authenticated, hard: String! @authenticated }
"""
)


def _nulled(query: str, data: dict[str, object]) -> object:
    rules = AccessRules(build_schema(NULLS_SDL))
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert rules.schema.query_type is not None
    guards = rules.guards(document, operation, rules.schema.query_type)
    refused = rules.refusals(guards, None, None)
    return null_refused(data, refused)


def test_a_refused_nullable_field_is_null_in_every_list_item() -> None:
    data = {"list": [{"name": "a"}, {"name": "b"}]}
    assert _nulled("{ list { name secret } }", data) == {
        "list": [{"name": "a", "secret": None}, {"name": "b", "secret": None}]
    }


def test_a_refused_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    assert _nulled("{ open { name hard } }", {"open": {"name": "a"}}) == {"open": None}
    # [Me]: each item may be null.
    assert _nulled("{ loose { hard } }", {"loose": [{}, None]}) == {
        "loose": [None, None]
    }
    # me: Me! and list: [Me!]! cannot be null: the whole of data is.
    assert _nulled("{ me { hard } }", {}) is None
    assert _nulled("{ list { hard } }", {"list": [{}]}) is None


def test_a_parent_cut_with_its_refused_field_is_null() -> None:
    # `open { secret }` had nothing else: the gateway never asked for `open`.
    assert _nulled("{ open { secret } }", {}) == {"open": None}
