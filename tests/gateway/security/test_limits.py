"""Operations that are too large are refused before validation and before
any member is asked."""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.composition.contract import Contract
from gateway.security.limits import OperationLimits, check_limits

from ...network import RunningNetwork

SCHEMA = Contract.load().schema
LIMITS = OperationLimits()


def _limits_hit(query: str) -> list[str]:
    return [e.extensions["limit"] for e in check_limits(parse(query), SCHEMA, LIMITS)]


def _aliases(count: int) -> str:
    return "institutions { " + " ".join(f"a{n}: code" for n in range(count)) + " }"


def test_an_ordinary_discovery_query_is_within_every_limit() -> None:
    query = """
    query ($t: String!) {
      searchWorks(text: $t, first: 20) {
        works { title holdings { institution { name } record { holdings {
          location { name } items { status dueAt } } } } }
        facets { institutions { value count } }
      }
    }
    """

    assert _limits_hit(query) == []


def test_too_many_aliases_are_refused() -> None:
    assert _limits_hit(f"{{ {_aliases(LIMITS.max_aliases + 1)} }}") == ["aliases"]


def test_aliases_inside_a_fragment_count_every_time_it_is_spread() -> None:
    per_fragment = LIMITS.max_aliases // 4 + 1
    spreads = " ".join(f's{n}: search(text: "x") {{ ...F }}' for n in range(4))
    fields = " ".join(f"a{n}: score" for n in range(per_fragment))
    query = f"{{ {spreads} }} fragment F on SearchHit {{ {fields} }}"

    assert "aliases" in _limits_hit(query)


def test_a_depth_bomb_is_refused() -> None:
    nested = "bibRecord { holdings { items { bibRecord { holdings { items { " * 3
    query = '{ search(text: "x") { ' + nested + "id" + " } } } } } }" * 3 + " } }"

    unlimited_cost = OperationLimits(max_cost=10**15)
    hit = check_limits(parse(query), SCHEMA, unlimited_cost)

    assert [e.extensions["limit"] for e in hit] == ["depth"]


def test_too_many_root_fields_are_refused() -> None:
    fields = " ".join(
        f"f{n}: institutions {{ code }}" for n in range(LIMITS.max_root_fields + 1)
    )

    assert "root fields" in _limits_hit(f"{{ {fields} }}")


def test_too_many_directives_on_one_field_are_refused() -> None:
    directives = " ".join(
        "@include(if: true)" for _ in range(LIMITS.max_directives_per_field + 1)
    )

    assert _limits_hit(f"{{ institutions {directives} {{ code }} }}") == [
        "directives on one field"
    ]


def test_cost_counts_list_sizes() -> None:
    query = """{ search(text: "x", first: 500) { bibRecord { holdings {
      items { bibRecord { holdings { items { id } } } } } } } }"""

    assert "cost" in _limits_hit(query)


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        (f"{{ {_aliases(500)} }}", "aliases"),
        ("{ " + "institutions { code } " * 3000 + "}", "tokens"),
    ],
)
async def test_the_gateway_refuses_without_asking_any_member(
    network: RunningNetwork, query: str, limit: str
) -> None:
    network.forget_calls()

    body = await network.query(query)

    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert limit in error["message"]
    assert body["extensions"] == {"members": {}}
    assert all(not network.member_calls(code) for code in network.recorders)
