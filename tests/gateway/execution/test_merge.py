from __future__ import annotations

from gateway.execution.merge import merge_answers
from gateway.planning.semantics import FanOut, Merge


def test_concat_keeps_member_order_and_drops_missing_parts() -> None:
    merged = merge_answers(FanOut(), [[1, 2], None, [3]], None)

    assert merged == [1, 2, 3]


def test_ranked_sorts_best_first_keeping_member_order_for_ties_then_limits() -> None:
    parts = [
        [{"__fn_rank": 0.5, "n": "a1"}, {"__fn_rank": 0.2, "n": "a2"}],
        [{"__fn_rank": 0.5, "n": "b1"}, {"__fn_rank": 0.9, "n": "b2"}],
    ]

    merged = merge_answers(FanOut(Merge.RANKED, rank_by="score"), parts, 3)

    assert [entry["n"] for entry in merged] == ["b2", "a1", "b1"]


def test_sum_adds_what_answered_and_is_null_when_nothing_did() -> None:
    assert merge_answers(FanOut(Merge.SUM), [3, None, 4], None) == 7
    assert merge_answers(FanOut(Merge.SUM), [None, None], None) is None


def test_concat_of_objects_joins_their_lists() -> None:
    parts = [
        {"desk": {"id": "D"}, "holdShelf": [1], "pickFromShelf": []},
        {"desk": {"id": "D"}, "holdShelf": [2, 3], "pickFromShelf": [4]},
    ]

    merged = merge_answers(FanOut(), parts, None)

    assert merged == {"desk": {"id": "D"}, "holdShelf": [1, 2, 3], "pickFromShelf": [4]}
