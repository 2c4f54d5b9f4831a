"""Merging members' matches into works, facets over works, cursors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.discovery.cursor import (
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    search_fingerprint,
)
from gateway.discovery.facets import FacetValue, WorkFilters, count_facets
from gateway.discovery.keys import title_key
from gateway.discovery.works import Match, merge_into_works

BASE = Match(
    institution="ASH",
    record_id="BibRecord:ASH:1",
    score=0.5,
    title="The climate of history",
    contributors=("Chakrabarty, Dipesh",),
    isbns=(),
    lccn=None,
    record_format="book",
    language="eng",
    publication_year=2009,
    subjects=("Climatic changes -- History",),
    available=1,
    total=2,
)


def _match(**changes: object) -> Match:
    return replace(BASE, **changes)  # type: ignore[arg-type]


def test_records_sharing_an_isbn_or_lccn_are_one_work() -> None:
    matches = [
        _match(isbns=("9780226", "9780227")),
        _match(institution="BRK", record_id="BibRecord:BRK:9", isbns=("9780227",)),
        _match(
            institution="CED",
            record_id="BibRecord:CED:4",
            lccn="2009012345",
            isbns=("9780226",),
        ),
        _match(institution="DUN", record_id="BibRecord:DUN:2", lccn="2009012345"),
    ]

    [work] = merge_into_works(matches)

    assert work.holders == ["ASH", "BRK", "CED", "DUN"]
    assert work.total == 8
    assert work.available == 4


def test_two_editions_with_different_isbns_stay_two_works() -> None:
    works = merge_into_works(
        [
            _match(isbns=("9780001",)),
            _match(record_id="BibRecord:ASH:2", isbns=("9780002",)),
        ]
    )

    assert len(works) == 2


def test_a_record_without_identifiers_joins_the_work_with_its_title_key() -> None:
    with_isbn = _match(isbns=("9780001",))
    without = _match(
        institution="BRK",
        record_id="BibRecord:BRK:3",
        title="Climate of History!",
        contributors=("Chakrabarty, D.",),
    )

    [work] = merge_into_works([with_isbn, without])

    assert work.holders == ["ASH", "BRK"]


def test_the_title_key_ignores_case_accents_punctuation_and_articles() -> None:
    assert title_key("The Café: a history", ["Émile, Zola"], "BOOK") == title_key(
        "cafe a history", ["emile"], "book"
    )
    assert title_key("Café", ["Zola"], "book") != title_key("Café", ["Zola"], "map")


def test_works_rank_by_best_score_then_by_how_many_members_hold_them() -> None:
    single = _match(record_id="BibRecord:ASH:7", isbns=("1",), score=0.4)
    shared = [
        _match(record_id="BibRecord:ASH:8", isbns=("2",), score=0.4),
        _match(institution="BRK", record_id="BibRecord:BRK:8", isbns=("2",), score=0.3),
    ]
    best = _match(record_id="BibRecord:ASH:9", isbns=("3",), score=0.9)

    works = merge_into_works([single, *shared, best])

    assert [w.key for w in works] == ["isbn:3", "isbn:2", "isbn:1"]
    assert works[1].best.record_id == "BibRecord:ASH:8"


def test_facets_count_works_not_records() -> None:
    works = merge_into_works(
        [
            _match(isbns=("1",), available=0),
            _match(
                institution="BRK",
                record_id="BibRecord:BRK:1",
                isbns=("1",),
                available=0,
            ),
            _match(
                record_id="BibRecord:ASH:2",
                isbns=("2",),
                language="ger",
                publication_year=1955,
                record_format="map",
            ),
        ]
    )

    facets = count_facets(works)

    assert facets.institutions == (FacetValue("ASH", 2), FacetValue("BRK", 1))
    assert facets.availability == (
        FacetValue("AVAILABLE", 1),
        FacetValue("UNAVAILABLE", 1),
    )
    assert facets.formats == (FacetValue("book", 1), FacetValue("map", 1))
    assert facets.languages == (FacetValue("eng", 1), FacetValue("ger", 1))
    assert facets.publication_years == (
        FacetValue("1950-1959", 1),
        FacetValue("2000-2009", 1),
    )
    assert facets.subjects == (FacetValue("Climatic changes", 2),)


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        (WorkFilters(institutions=frozenset({"BRK"})), ["isbn:1"]),
        (WorkFilters(available=True), ["isbn:2"]),
        (WorkFilters(formats=frozenset({"map"})), ["isbn:2"]),
        (WorkFilters(languages=frozenset({"eng"})), ["isbn:1"]),
        (WorkFilters(year_from=1950, year_to=1960), ["isbn:2"]),
        (WorkFilters(subjects=frozenset({"Climatic changes"})), ["isbn:1", "isbn:2"]),
    ],
)
def test_each_filter_keeps_the_works_it_names(
    filters: WorkFilters, kept: list[str]
) -> None:
    works = merge_into_works(
        [
            _match(isbns=("1",), available=0, score=0.9),
            _match(
                institution="BRK",
                record_id="BibRecord:BRK:1",
                isbns=("1",),
                available=0,
            ),
            _match(
                record_id="BibRecord:ASH:2",
                isbns=("2",),
                language="ger",
                publication_year=1955,
                record_format="map",
            ),
        ]
    )

    assert [w.key for w in works if filters.admits(w)] == kept


def test_a_cursor_reads_back_only_for_its_own_search() -> None:
    mine = search_fingerprint("climate", {"available": True})
    other = search_fingerprint("climate", {"available": False})
    cursor = encode_cursor(40, mine)

    assert decode_cursor(cursor, mine) == 40
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, other)
    with pytest.raises(InvalidCursor):
        decode_cursor("not-a-cursor", mine)
