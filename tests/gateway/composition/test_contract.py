"""The contract check: a member's SDL against schema/."""

from __future__ import annotations

import pytest

from gateway.composition.contract import Contract, load_contract
from institution_subgraph.api.schema import schema as subgraph_schema


def _subgraph_sdl() -> str:
    result = subgraph_schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None
    assert result.data is not None
    sdl: str = result.data["_service"]["sdl"]
    return sdl


def _differences(member_sdl: str) -> list[str]:
    return [str(d) for d in Contract.load().differences(member_sdl)]


def test_the_institution_subgraph_implements_the_contract_exactly() -> None:
    assert _differences(_subgraph_sdl()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("title: String!", "title: String"),
            "BibRecord.title: has type String, the contract says String!",
        ),
        (
            ("  lccn: String\n", ""),
            "BibRecord.lccn: field is missing",
        ),
        (
            ("  lccn: String\n", "  lccn: String\n  shelfMark: String\n"),
            "BibRecord.shelfMark: field is not in the contract",
        ),
        (
            ("first: Int! = 20", "first: Int! = 50"),
            "Query.search(first:): defaults to 50, the contract says 20",
        ),
        (
            ("  WITHDRAWN\n", ""),
            "ItemStatus.WITHDRAWN: value is missing",
        ),
    ],
)
def test_each_difference_is_reported_with_its_coordinate(
    change: tuple[str, str], expected: str
) -> None:
    contract_sdl = load_contract()
    old, new = change
    assert old in contract_sdl

    assert _differences(contract_sdl.replace(old, new, 1)) == [expected]


def test_a_type_of_another_kind_is_reported() -> None:
    changed = load_contract().replace("type Availability {", "input Availability {", 1)

    assert _differences(changed) == [
        "Availability: is declared with 'input', the contract declares it with 'type'"
    ]
