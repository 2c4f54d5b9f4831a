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


def _fragment_aliases() -> str:
    per_fragment = LIMITS.max_aliases // 4 + 1
    spreads = " ".join(f's{n}: search(text: "x") {{ ...F }}' for n in range(4))
    fields = " ".join(f"a{n}: score" for n in range(per_fragment))
    return f"{{ {spreads} }} fragment F on SearchHit {{ {fields} }}"


def _depth_bomb() -> str:
    nested = "bibRecord { holdings { items { bibRecord { holdings { items { " * 3
    return '{ search(text: "x") { ' + nested + "id" + " } } } } } }" * 3 + " } }"


def _root_fields() -> str:
    count = LIMITS.max_root_fields + 1
    fields = " ".join(f"f{n}: institutions {{ code }}" for n in range(count))
    return f"{{ {fields} }}"


def _directives() -> str:
    count = LIMITS.max_directives_per_field + 1
    directives = " ".join("@include(if: true)" for _ in range(count))
    return f"{{ institutions {directives} {{ code }} }}"


COSTLY = """{ search(text: "x", first: 500) { bibRecord { holdings {
  items { bibRecord { holdings { items { id } } } } } } } }"""


def test_too_many_aliases_are_refused() -> None:
    assert _limits_hit(f"{{ {_aliases(LIMITS.max_aliases + 1)} }}") == ["aliases"]


def test_aliases_inside_a_fragment_count_every_time_it_is_spread() -> None:
    assert "aliases" in _limits_hit(_fragment_aliases())


def test_a_depth_bomb_is_refused() -> None:
    unlimited_cost = OperationLimits(max_cost=10**15)
    hit = check_limits(parse(_depth_bomb()), SCHEMA, unlimited_cost)

    assert [e.extensions["limit"] for e in hit] == ["depth"]


def test_too_many_root_fields_are_refused() -> None:
    assert "root fields" in _limits_hit(_root_fields())


def test_too_many_directives_on_one_field_are_refused() -> None:
    assert _limits_hit(_directives()) == ["directives on one field"]


def test_cost_counts_list_sizes() -> None:
    assert "cost" in _limits_hit(COSTLY)


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        pytest.param(f"{{ {_aliases(500)} }}", "aliases", id="aliases"),
        pytest.param(_fragment_aliases(), "aliases", id="aliases-in-fragments"),
        # With lists of the default size, a bomb this deep also costs too
        # much, and whichever limit the walk passes first stops it; the
        # depth limit alone is shown by test_a_depth_bomb_is_refused.
        pytest.param(_depth_bomb(), ("depth", "cost"), id="depth-bomb"),
        pytest.param(
            "{ " + "institutions { code } " * 3000 + "}", "tokens", id="token-flood"
        ),
        pytest.param(_root_fields(), "root fields", id="root-fields"),
        pytest.param(_directives(), "directives", id="directive-overload"),
        pytest.param(COSTLY, "cost", id="cost"),
    ],
)
async def test_the_gateway_refuses_without_asking_any_member(
    network: RunningNetwork, query: str, limit: str | tuple[str, ...]
) -> None:
    limits = (limit,) if isinstance(limit, str) else limit
    network.forget_calls()

    body = await network.query(query)

    assert body["data"] is None
    assert body["errors"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"LIMIT_EXCEEDED"}
    messages = " ".join(error["message"] for error in body["errors"])
    assert any(name in messages for name in limits), messages
    assert body["extensions"] == {"members": {}}
    assert network.nobody_called()
