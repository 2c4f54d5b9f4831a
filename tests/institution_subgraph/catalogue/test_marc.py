from __future__ import annotations

import pytest
from pymarc import Field, Indicators, Record, Subfield

from institution_subgraph.catalogue.marc import (
    Format,
    UnusableRecord,
    from_marc,
    normalise_isbn,
    normalise_lccn,
)

_BOOK_LEADER = "00000nam a2200000 a 4500"


def _fixed(date1: str = "1999", language: str = "eng") -> Field:
    # 008 for books: date entered, date type, date 1, date 2, place, then
    # the language at 35-37.
    data = f"800108s{date1}    ilu" + " " * 17 + f"{language} d"
    assert len(data) == 40
    return Field("008", data=data)


def _field(tag: str, *subfields: tuple[str, str], ind2: str = " ") -> Field:
    return Field(
        tag,
        indicators=Indicators(" ", ind2),
        subfields=[Subfield(code, value) for code, value in subfields],
    )


def _record(*fields: Field, leader: str = _BOOK_LEADER) -> Record:
    return Record(leader=leader, fields=list(fields))


def _book(*fields: Field, leader: str = _BOOK_LEADER) -> Record:
    return _record(
        Field("001", data="  123  "),
        _fixed(),
        _field("245", ("a", "A title.")),
        *fields,
        leader=leader,
    )


def test_isbn10_becomes_isbn13() -> None:
    record = _book(
        _field("020", ("a", "0-306-40615-2 (pbk.)")),
        _field("020", ("a", "080442957X")),
    )

    assert from_marc(record).isbns == ("9780306406157", "9780804429573")


def test_invalid_and_repeated_isbns_are_dropped() -> None:
    record = _book(
        _field("020", ("a", "0306406153")),
        _field("020", ("a", "9780306406158 (cloth)")),
        _field("020", ("a", "12345")),
        _field("020", ("a", "(pbk.)")),
        _field("020", ("a", "9780306406157")),
        _field("020", ("a", "0306406152")),
        _field("020", ("a", "979-10-90636-07-1")),
    )

    assert from_marc(record).isbns == ("9780306406157", "9791090636071")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0-306-40615-2", "9780306406157"),
        ("0-8044-2957-x", "9780804429573"),
        ("978030640615", None),
        ("X306406152", None),
        ("", None),
    ],
)
def test_normalise_isbn(value: str, expected: str | None) -> None:
    assert normalise_isbn(value) == expected


@pytest.mark.parametrize(
    ("subfields", "expected"),
    [
        ([("a", "Personal rights /"), ("c", "by C. Chadman.")], "Personal rights"),
        (
            [("a", "The pragmatic programmer :"), ("b", "from journeyman to master /")],
            "The pragmatic programmer: from journeyman to master",
        ),
        (
            [("a", "Botanical materia medica;"), ("b", "drugs.")],
            "Botanical materia medica; drugs",
        ),
        ([("a", "Who?")], "Who?"),
        ([("a", "  Spaced   out ,  ")], "Spaced out"),
    ],
)
def test_title_joins_a_and_b_without_trailing_punctuation(
    subfields: list[tuple[str, str]], expected: str
) -> None:
    record = _record(Field("001", data="1"), _field("245", *subfields))

    assert from_marc(record).title == expected


@pytest.mark.parametrize(
    ("leader", "expected"),
    [
        ("00000nam a2200000 a 4500", Format.BOOK),
        ("00000nas a2200000 a 4500", Format.SERIAL),
        ("00000nai a2200000 a 4500", Format.SERIAL),
        ("00000ntm a2200000 a 4500", Format.MANUSCRIPT),
        ("00000ncm a2200000 a 4500", Format.SCORE),
        ("00000nem a2200000 a 4500", Format.MAP),
        ("00000ngm a2200000 a 4500", Format.VIDEO),
        ("00000nim a2200000 a 4500", Format.SOUND_RECORDING),
        ("00000njm a2200000 a 4500", Format.MUSIC_RECORDING),
        ("00000nkm a2200000 a 4500", Format.IMAGE),
        ("00000nmm a2200000 a 4500", Format.COMPUTER_FILE),
        ("00000nom a2200000 a 4500", Format.KIT),
        ("00000nrm a2200000 a 4500", Format.OTHER),
    ],
)
def test_format_comes_from_leader(leader: str, expected: Format) -> None:
    assert from_marc(_book(leader=leader)).format is expected


def test_format_is_stored_in_lower_case() -> None:
    assert Format.SOUND_RECORDING.value == "sound_recording"
    assert from_marc(_book()).format.value == "book"


def test_record_without_title_is_unusable() -> None:
    record = _record(Field("001", data="1"), _field("246", ("a", "Other title")))

    with pytest.raises(UnusableRecord) as raised:
        from_marc(record)

    assert "245" in raised.value.reason


def test_record_with_empty_title_is_unusable() -> None:
    record = _record(Field("001", data="1"), _field("245", ("a", " / "), ("c", "x")))

    with pytest.raises(UnusableRecord):
        from_marc(record)


def test_record_without_lccn_or_control_number_is_unusable() -> None:
    record = _record(_field("245", ("a", "A title")), Field("001", data="   "))

    with pytest.raises(UnusableRecord) as raised:
        from_marc(record)

    assert "001" in raised.value.reason


def test_source_key_prefers_normalised_lccn() -> None:
    record = _book(_field("010", ("a", "   00000002 ")))

    mapped = from_marc(record)

    assert mapped.source_key == "lccn:00000002"
    assert mapped.lccn == "00000002"


def test_source_key_falls_back_to_control_number() -> None:
    mapped = from_marc(_book(_field("010", ("z", "cancelled 99"))))

    assert mapped.source_key == "control:123"
    assert mapped.lccn is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("   85000002 ", "85000002"),
        ("n  79021164 ", "n79021164"),
        ("2001-627", "2001000627"),
        ("85-2 ", "85000002"),
        ("  75425165 //r75", "75425165"),
        ("85-x2", None),
        ("   ", None),
    ],
)
def test_normalise_lccn(value: str, expected: str | None) -> None:
    assert normalise_lccn(value) == expected


def test_subjects_join_subdivisions_and_drop_repeats() -> None:
    record = _book(
        _field("650", ("a", "Persons (Law)"), ("z", "United States."), ind2="0"),
        _field(
            "651",
            ("a", "Ohio"),
            ("x", "History"),
            ("y", "Civil War, 1861-1865"),
            ("v", "Sources."),
            ("2", "lcsh"),
        ),
        _field(
            "600",
            ("a", "Grant, Ulysses S.,"),
            ("d", "1822-1885"),
            ("v", "Juvenile literature."),
        ),
        _field("650", ("a", "Persons (Law)"), ("z", "United States")),
        _field("650", ("x", "No main heading")),
    )

    assert from_marc(record).subjects == (
        "Persons (Law) -- United States",
        "Ohio -- History -- Civil War, 1861-1865 -- Sources",
        "Grant, Ulysses S. -- Juvenile literature",
    )


def test_contributors_are_trimmed_and_unique_in_order() -> None:
    record = _book(
        _field("100", ("a", "Aurand, Samuel Herbert,"), ("d", "1854-")),
        _field("710", ("a", "United States."), ("b", "Congress.")),
        _field("700", ("a", "Chadman, Charles E."), ("q", "(Charles Erehart),")),
        _field("700", ("a", "Aurand, Samuel Herbert.")),
        _field("111", ("a", "Symposium on Things")),
    )

    assert from_marc(record).contributors == (
        "Aurand, Samuel Herbert",
        "United States",
        "Chadman, Charles E.",
        "Symposium on Things",
    )


def test_year_comes_from_008_first() -> None:
    record = _book(_field("260", ("c", "c1850.")))

    assert from_marc(record).publication_year == 1999


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([_field("264", ("c", "[2015]"), ind2="1")], 2015),
        ([_field("260", ("c", "c1899."))], 1899),
        ([_field("264", ("c", "©2012"), ind2="4"), _field("260", ("c", "1987"))], 1987),
        ([_field("260", ("c", "[19--?]"))], None),
        ([], None),
    ],
)
def test_year_falls_back_to_publication_statement(
    statements: list[Field], expected: int | None
) -> None:
    record = _record(
        Field("001", data="1"),
        _fixed(date1="19uu"),
        _field("245", ("a", "A title")),
        *statements,
    )

    assert from_marc(record).publication_year == expected


def test_publisher_prefers_rda_publication_statement() -> None:
    record = _book(
        _field("264", ("b", "Distributor Inc.,"), ind2="2"),
        _field("264", ("a", "Chicago :"), ("b", " P. H. Mallen Company, "), ind2="1"),
        _field("260", ("b", "Older Statement,")),
    )

    assert from_marc(record).publisher == "P. H. Mallen Company"


def test_publisher_falls_back_to_260() -> None:
    record = _book(
        _field("260", ("a", "Conneaut, OH :"), ("b", "Home Study Pub. Co.,"))
    )

    assert from_marc(record).publisher == "Home Study Pub. Co."


def test_language_comes_from_008_then_041() -> None:
    from_fixed = _book(_field("041", ("a", "fre")))
    from_041 = _record(
        Field("001", data="1"),
        _fixed(language="   "),
        _field("245", ("a", "A title")),
        _field("041", ("a", "GERENG")),
    )

    assert from_marc(from_fixed).language == "eng"
    assert from_marc(from_041).language == "ger"


def test_call_number_joins_class_and_item_parts() -> None:
    with_item = _book(_field("050", ("a", "RX671"), ("b", ".A92")))
    class_only = _book(_field("050", ("a", "PZ3 ")))

    assert from_marc(with_item).call_number == "RX671 .A92"
    assert from_marc(class_only).call_number == "PZ3"
    assert from_marc(_book()).call_number is None


def test_text_is_stored_composed_as_one_character_per_letter() -> None:
    record = Record(leader="00000nam a2200000 a 4500")
    record.add_field(Field("001", data="nfc1"))
    record.add_field(
        Field(
            "245",
            indicators=Indicators("0", "0"),
            subfields=[Subfield("a", "El Nin\u0303o & La Nin\u0303a")],
        )
    )

    mapped = from_marc(record)

    assert mapped.title == "El Ni\u00f1o & La Ni\u00f1a"
