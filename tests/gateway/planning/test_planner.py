"""Plans are plain data: what each member is asked, level by level."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse

from gateway.composition.contract import DEFAULT_CONTRACT_DIR, build_sdl_schema
from gateway.execution.shaping import shape_response
from gateway.planning.plan import EntityLevel, Parallel, Plan, Sequence
from gateway.planning.planner import Planner
from gateway.planning.semantics import FanOut, Merge, Route, RouteBy, Semantics

NETWORK_SDL = (Path(DEFAULT_CONTRACT_DIR) / "network" / "directives.graphql").read_text(
    "utf-8"
)

# A small contract of its own: requests at one member whose pickup desk and
# patron may belong to others.
SDL = (
    NETWORK_SDL
    + """
type Desk @key(fields: "id") { id: ID! name: String! library: Library! @reference }
type Library @key(fields: "id") { id: ID! name: String! }
type Patron @key(fields: "id") { id: ID! name: String! }
type Request { id: ID! pickupDesk: Desk! @reference patron: Patron @reference }
type Query {
  requests(institutions: [String!]): [Request!]! @fanOut(members: "institutions")
  request(id: ID!): Request @route(argument: "id")
  count: Int! @fanOut(merge: SUM)
}
input CancelInput { requestId: ID! }
type Mutation {
  cancel(input: CancelInput!): Request @route(argument: "input.requestId")
  open(institution: String!): Int @route(argument: "institution", by: INSTITUTION)
}
"""
)


KEY_ONLY = "{ __fn___typename: __typename __fn_id: id }"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _plan(query: str, operation_name: str | None = None) -> Plan:
    schema = build_sdl_schema(SDL)
    return Planner(schema, Semantics.read(schema)).plan(parse(query), operation_name)


def test_the_directives_are_read_into_serving_rules() -> None:
    semantics = Semantics.read(build_sdl_schema(SDL))

    assert semantics.root("query", "requests") == FanOut(members="institutions")
    assert semantics.root("query", "count") == FanOut(merge=Merge.SUM)
    assert semantics.root("mutation", "cancel") == Route(("input", "requestId"))
    assert semantics.root("mutation", "open") == Route(
        ("institution",), RouteBy.INSTITUTION
    )
    assert semantics.references == {
        ("Request", "pickupDesk"),
        ("Request", "patron"),
        ("Desk", "library"),
    }
    assert semantics.entity_keys["Desk"] == ("id",)


def test_references_become_key_only_for_the_parent_and_a_level_each() -> None:
    plan = _plan(
        """
        query {
          requests { id pickupDesk { name library { name } } patron { name } }
          count
        }
        """
    )

    assert isinstance(plan.roots, Parallel)
    requests, count = plan.roots.fetches
    assert f"pickupDesk {KEY_ONLY}" in _flat(requests.document)
    assert f"patron {KEY_ONLY}" in _flat(requests.document)
    assert " name " not in _flat(requests.document)
    assert count.document == "query GatewayFetch { count }"
    first, second = plan.entity_levels
    assert isinstance(first, EntityLevel)
    assert [(f.path, f.type_name) for f in first.flattens] == [
        (("requests", "pickupDesk"), "Desk"),
        (("requests", "patron"), "Patron"),
    ]
    assert f"library {KEY_ONLY}" in _flat(first.flattens[0].selection)
    assert [(f.path, f.type_name) for f in second.flattens] == [
        (("requests", "pickupDesk", "library"), "Library")
    ]


def test_mutations_run_in_order_and_carry_only_the_variables_they_use() -> None:
    plan = _plan(
        """
        mutation Both($a: ID!, $b: String!, $unused: Int) {
          cancel(input: {requestId: $a}) { id }
          open(institution: $b)
        }
        """
    )

    assert isinstance(plan.roots, Sequence)
    cancel, open_ = plan.roots.fetches
    assert cancel.variables == {"a"}
    assert cancel.document.startswith("mutation GatewayFetch($a: ID!)")
    assert open_.variables == {"b"}


def test_fragments_are_inlined_for_members() -> None:
    plan = _plan(
        """
        query { requests { ...R } }
        fragment R on Request { id patron { ...P } }
        fragment P on Patron { name }
        """
    )

    [fetch] = plan.roots.fetches
    assert "..." in fetch.document
    assert "fragment" not in fetch.document
    [level] = plan.entity_levels
    assert "name" in level.flattens[0].selection


def test_an_unnamed_choice_among_several_operations_is_refused() -> None:
    from graphql import GraphQLError

    with pytest.raises(GraphQLError, match="name one"):
        _plan("query A { count } query B { count }")


def _shape(query: str, data: dict[str, object], variables: dict[str, object]) -> object:
    return _shaped_with_nulls(query, data, variables)[0]


def _shaped_with_nulls(
    query: str, data: dict[str, object], variables: dict[str, object]
) -> tuple[object, list[tuple[str, tuple[str | int, ...]]]]:
    plan = _plan(query)
    shaped, violations = shape_response(
        plan.shape, data, plan.root_type, variables, lambda a, b: a == b
    )
    return shaped, [(v.coordinate, v.path) for v in violations]


def test_shaping_drops_hidden_keys_and_honours_skip_and_include() -> None:
    data = {
        "requests": [
            {
                "id": "Request:ASH:1",
                "__fn_rank": 3,
                "pickupDesk": {"__fn___typename": "Desk", "__fn_id": "Desk:BRK:2"},
            }
        ]
    }

    shaped = _shape(
        "query ($no: Boolean!) {"
        " requests { id pickupDesk @include(if: $no) { name } } }",
        data,
        {"no": False},
    )

    assert shaped == {"requests": [{"id": "Request:ASH:1"}]}


def test_a_null_in_a_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    data = {"request": {"id": "Request:ASH:1", "pickupDesk": None}}

    shaped, nulls = _shaped_with_nulls(
        '{ request(id: "x") { id pickupDesk { name } } }', data, {}
    )

    assert shaped == {"request": None}
    # Reported where the null was, for the error that says why.
    assert nulls == [("Request.pickupDesk", ("request", "pickupDesk"))]


def test_a_null_that_reaches_the_root_nulls_all_data() -> None:
    shaped, nulls = _shaped_with_nulls("{ count }", {"count": None}, {})

    assert shaped is None
    assert nulls == [("Query.count", ("count",))]


def test_a_null_item_of_a_non_null_list_is_reported_with_its_index() -> None:
    data = {"requests": [{"id": "R1"}, None, {"id": "R3"}]}

    shaped, nulls = _shaped_with_nulls("{ requests { id } }", data, {})

    # [Request!]! up to the root: all of data is null, one null reported.
    assert shaped is None
    assert nulls == [("Query.requests", ("requests", 1))]


def test_nulls_that_stop_at_a_nullable_field_are_each_reported() -> None:
    data = {
        "a": {"id": "R1", "pickupDesk": None},
        "b": {"id": "R2", "pickupDesk": {"name": "Main"}},
        "c": {"id": None, "pickupDesk": {"name": "Main"}},
    }

    shaped, nulls = _shaped_with_nulls(
        '{ a: request(id: "1") { id pickupDesk { name } }'
        ' b: request(id: "2") { id pickupDesk { name } }'
        ' c: request(id: "3") { id pickupDesk { name } } }',
        data,
        {},
    )

    assert shaped == {"a": None, "b": data["b"], "c": None}
    assert nulls == [
        ("Request.pickupDesk", ("a", "pickupDesk")),
        ("Request.id", ("c", "id")),
    ]


def test_typename_and_merged_fields_are_shaped_as_asked() -> None:
    data = {"request": {"id": "R", "patron": {"name": "N", "id": "P"}}}

    shaped = _shape(
        '{ request(id: "x") { __typename patron { name }'
        " ... on Request { patron { id } } } }",
        data,
        {},
    )

    assert shaped == {
        "request": {"__typename": "Request", "patron": {"name": "N", "id": "P"}}
    }


def test_a_reference_asked_only_for_its_key_needs_no_owner() -> None:
    plan = _plan("{ requests { pickupDesk { id } patron { id name } } }")

    [level] = plan.entity_levels
    flags = {f.path[-1]: f.key_only for f in level.flattens}
    assert flags == {"pickupDesk": True, "patron": False}
