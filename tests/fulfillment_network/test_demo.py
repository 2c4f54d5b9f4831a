from __future__ import annotations

import pytest

from fulfillment_network.demo import demo_members, holds_record


@pytest.mark.parametrize("members", [1, 2, 3, 10])
def test_every_record_has_a_holder_and_about_a_third_have_two(members: int) -> None:
    positions = range(1, 3001)

    holders = [
        sum(holds_record(p, m, members) for m in range(members)) for p in positions
    ]

    assert min(holders) == 1
    assert max(holders) == (1 if members == 1 else 2)
    if members > 1:
        shared = holders.count(2) / len(holders)
        assert 0.30 < shared < 0.37


def test_members_share_the_records_evenly() -> None:
    shares = [sum(holds_record(p, m, 3) for p in range(1, 3001)) for m in range(3)]

    assert max(shares) - min(shares) <= 0.02 * max(shares)


def test_demo_members_have_unique_codes_beyond_the_named_ones() -> None:
    members = demo_members(25)

    assert len({code for code, _ in members}) == 25
    assert members[0] == ("ASH", "Ashford University")


def test_a_network_needs_at_least_one_member() -> None:
    with pytest.raises(ValueError, match="1 to 99"):
        demo_members(0)
