"""bibRecordsByIdentifier: a member's records by ISBN or LCCN, in whatever
form the caller writes them."""

from __future__ import annotations

import pytest

from .conftest import Member

ISBN_13 = "9780306406157"

LOOKUP = """
query ($isbn: String, $lccn: String) {
  bibRecordsByIdentifier(isbn: $isbn, lccn: $lccn) { id title isbns lccn }
}
"""


@pytest.fixture
async def identified(member: Member) -> Member:
    """Two records share an ISBN-13; a third has an LCCN."""
    await member.pool.execute(
        "UPDATE bib_record SET isbns = $1 WHERE title = ANY($2::text[])",
        [ISBN_13],
        ["The last copy", "A shelf of copies"],
    )
    await member.pool.execute(
        "UPDATE bib_record SET lccn = '2016012345' WHERE title = 'Two copies'"
    )
    return member


async def _titles(member: Member, **identifiers: str | None) -> list[str]:
    data = await member.ok(LOOKUP, **identifiers)
    return [record["title"] for record in data["bibRecordsByIdentifier"]]


@pytest.mark.parametrize(
    "isbn", ["0-306-40615-2", "0306406152", "978-0-306-40615-7", ISBN_13]
)
async def test_any_form_of_an_isbn_finds_the_records_with_it(
    identified: Member, isbn: str
) -> None:
    data = await identified.ok(LOOKUP, isbn=isbn)

    records = data["bibRecordsByIdentifier"]
    assert [record["title"] for record in records] == [
        "The last copy",
        "A shelf of copies",
    ]
    assert records[0]["id"] == identified.records["The last copy"]
    assert records[0]["isbns"] == [ISBN_13]


@pytest.mark.parametrize("lccn", ["2016-12345", " 2016012345 ", "2016012345"])
async def test_any_form_of_an_lccn_finds_the_record_with_it(
    identified: Member, lccn: str
) -> None:
    assert await _titles(identified, lccn=lccn) == ["Two copies"]


async def test_both_identifiers_find_the_records_with_either_once_each(
    identified: Member,
) -> None:
    await identified.pool.execute(
        "UPDATE bib_record SET lccn = '2001000001' WHERE title = 'The last copy'"
    )

    both = await _titles(identified, isbn=ISBN_13, lccn="2016-12345")
    overlapping = await _titles(identified, isbn=ISBN_13, lccn="2001000001")

    assert both == ["The last copy", "Two copies", "A shelf of copies"]
    assert overlapping == ["The last copy", "A shelf of copies"]


async def test_an_identifier_no_record_has_finds_nothing(identified: Member) -> None:
    assert await _titles(identified, isbn="0-19-852663-6", lccn="99-1") == []


@pytest.mark.parametrize(
    ("identifiers", "argument"),
    [
        ({}, None),
        ({"isbn": None, "lccn": None}, None),
        ({"isbn": "0-306-40615-3"}, "isbn"),
        ({"isbn": "not an isbn", "lccn": "2016012345"}, "isbn"),
        ({"lccn": "  "}, "lccn"),
        ({"lccn": "2016-12x45"}, "lccn"),
    ],
)
async def test_a_lookup_without_a_usable_identifier_is_refused(
    identified: Member, identifiers: dict[str, str | None], argument: str | None
) -> None:
    answer = await identified.run(LOOKUP, **identifiers)

    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"].get("argument") == argument
