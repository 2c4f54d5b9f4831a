from __future__ import annotations

import gzip
import io
import logging
from importlib import resources
from pathlib import Path

import asyncpg
import pytest
from pymarc import Field, Indicators, Record, Subfield

from institution_subgraph.catalogue.importer import (
    ImportReport,
    import_marc,
    open_marc,
)
from institution_subgraph.catalogue.inventory import copies_for, locations

INSTITUTION = "ASH"
_FIXED = "800108s2001    ilu" + " " * 17 + "eng d"


def _marc(number: int, *, title: str | None = None) -> bytes:
    fields = [
        Field("001", data=f"test{number}"),
        Field("008", data=_FIXED),
        _field("010", ("a", f"  2020{number:06d} ")),
        _field("050", ("a", f"QA{number}"), ("b", ".T47")),
    ]
    if title is not None:
        fields.append(_field("245", ("a", f"{title} /"), ("c", "by someone.")))
    record = Record(leader="00000nam a2200000 a 4500", fields=fields)
    return bytes(record.as_marc())


def _field(tag: str, *subfields: tuple[str, str]) -> Field:
    return Field(
        tag,
        indicators=Indicators(" ", " "),
        subfields=[Subfield(code, value) for code, value in subfields],
    )


def _length_not_a_number(raw: bytes) -> bytes:
    return b"0x7!2" + raw[5:]


def _length_too_long(raw: bytes) -> bytes:
    return f"{len(raw) + 100:05d}".encode() + raw[5:]


def _length_too_short(raw: bytes) -> bytes:
    return f"{len(raw) - 100:05d}".encode() + raw[5:]


# The damaged record at 6 claims to run 100 bytes into the one after it, the
# one at 9 to end 100 bytes early; the file is cut off inside record 11.
_FILE = [
    _marc(1, title="Über Bücher"),
    _marc(2, title="Second book"),
    _length_not_a_number(_marc(3, title="Damaged length")),
    _marc(4, title="Fourth book"),
    _marc(5),
    _length_too_long(_marc(6, title="Too long")),
    _marc(7, title="Seventh book"),
    _marc(8, title="Eighth book"),
    _length_too_short(_marc(9, title="Too short")),
    _marc(10, title="Tenth book"),
    _marc(11, title="Cut off")[:40],
]
_GOOD_POSITIONS = [1, 2, 4, 7, 8, 10]
_BAD_POSITIONS = [3, 5, 6, 9, 11]


def _source_key(position: int) -> str:
    return f"lccn:2020{position:06d}"


def _write(path: Path, content: bytes, *, compress: bool) -> Path:
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


async def _count(connection: asyncpg.Connection, table: str) -> int:
    return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))


async def _copies_by_record(
    connection: asyncpg.Connection,
) -> dict[str, list[tuple[str, int, str]]]:
    rows = await connection.fetch(
        """
        SELECT b.source_key, l.code, i.copy_number, i.barcode
        FROM bib_record b
        JOIN holding h ON h.bib_record_id = b.id
        JOIN location l ON l.id = h.location_id
        JOIN item i ON i.holding_id = h.id
        ORDER BY b.source_key, i.copy_number
        """
    )
    copies: dict[str, list[tuple[str, int, str]]] = {}
    for row in rows:
        copies.setdefault(row["source_key"], []).append(
            (row["code"], row["copy_number"], row["barcode"])
        )
    return copies


def _expected_copies(source_key: str) -> list[tuple[str, int, str]]:
    return [
        (copy.location_code, copy.copy_number, copy.barcode)
        for copy in copies_for(INSTITUTION, source_key)
    ]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
async def test_good_records_land_with_holdings_and_items(
    connection: asyncpg.Connection, tmp_path: Path, compress: bool
) -> None:
    # The file name says nothing about the content: open_marc must look.
    path = _write(tmp_path / "records.mrc", b"".join(_FILE), compress=compress)

    with open_marc(path) as stream:
        report = await import_marc(connection, INSTITUTION, stream, batch_size=2)

    keys = [
        row["source_key"]
        for row in await connection.fetch(
            "SELECT source_key FROM bib_record ORDER BY id"
        )
    ]
    assert keys == [_source_key(p) for p in _GOOD_POSITIONS]
    assert report.records_read == len(_FILE)
    assert report.imported == len(_GOOD_POSITIONS)
    assert report.already_present == 0
    assert await _copies_by_record(connection) == {
        key: _expected_copies(key) for key in keys
    }


async def test_record_fields_are_stored(connection: asyncpg.Connection) -> None:
    await import_marc(connection, INSTITUTION, io.BytesIO(b"".join(_FILE)))

    row = await connection.fetchrow(
        "SELECT * FROM bib_record WHERE source_key = $1", _source_key(1)
    )

    assert row is not None
    assert row["title"] == "Über Bücher"
    assert row["lccn"] == "2020000001"
    assert row["publication_year"] == 2001
    assert row["language"] == "eng"
    assert row["call_number"] == "QA1 .T47"
    assert row["format"] == "book"
    holding_call_numbers = await connection.fetch(
        "SELECT call_number FROM holding WHERE bib_record_id = $1", row["id"]
    )
    assert {h["call_number"] for h in holding_call_numbers} == {"QA1 .T47"}


async def test_bad_records_are_reported_with_position_and_reason(
    connection: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "institution_subgraph.catalogue.importer")

    report = await import_marc(connection, INSTITUTION, io.BytesIO(b"".join(_FILE)))

    assert [bad.position for bad in report.bad] == _BAD_POSITIONS
    assert all(bad.reason for bad in report.bad)
    assert "245" in report.bad[1].reason
    logged = [
        (record.__dict__["position"], record.__dict__["reason"])
        for record in caplog.records
        if record.name == "institution_subgraph.catalogue.importer"
        and record.levelno == logging.WARNING
    ]
    assert logged == [(bad.position, bad.reason) for bad in report.bad]


async def test_second_run_adds_nothing(connection: asyncpg.Connection) -> None:
    content = b"".join(_FILE)
    first = await import_marc(connection, INSTITUTION, io.BytesIO(content))
    counts = [
        await _count(connection, t)
        for t in ("bib_record", "holding", "item", "location")
    ]

    second = await import_marc(connection, INSTITUTION, io.BytesIO(content))

    assert first.imported == len(_GOOD_POSITIONS)
    assert second == ImportReport(
        records_read=len(_FILE),
        imported=0,
        already_present=len(_GOOD_POSITIONS),
        bad=first.bad,
    )
    assert [
        await _count(connection, t)
        for t in ("bib_record", "holding", "item", "location")
    ] == counts


async def test_record_repeated_in_the_file_is_already_present(
    connection: asyncpg.Connection,
) -> None:
    content = _marc(1, title="Once") + _marc(2, title="Two") + _marc(1, title="Twice")

    report = await import_marc(connection, INSTITUTION, io.BytesIO(content))

    assert (report.imported, report.already_present) == (2, 1)
    assert (
        await connection.fetchval(
            "SELECT title FROM bib_record WHERE source_key = $1", _source_key(1)
        )
        == "Once"
    )
    assert await _count(connection, "item") == sum(
        len(copies_for(INSTITUTION, _source_key(p))) for p in (1, 2)
    )


async def test_keep_selects_records_by_position(connection: asyncpg.Connection) -> None:
    report = await import_marc(
        connection,
        INSTITUTION,
        io.BytesIO(b"".join(_FILE)),
        keep=lambda position: position % 2 == 1,
    )

    keys = {
        r["source_key"]
        for r in await connection.fetch("SELECT source_key FROM bib_record")
    }
    assert keys == {_source_key(1), _source_key(7)}
    assert report.records_read == 6
    assert (report.imported, report.already_present) == (2, 0)
    assert [bad.position for bad in report.bad] == [3, 5, 9, 11]


async def test_locations_are_those_of_the_institution(
    connection: asyncpg.Connection,
) -> None:
    await import_marc(connection, INSTITUTION, io.BytesIO(_marc(1, title="One")))

    rows = await connection.fetch(
        "SELECT code, name, library FROM location ORDER BY id"
    )

    assert [(r["code"], r["name"], r["library"]) for r in rows] == [
        (spec.code, spec.name, spec.library) for spec in locations(INSTITUTION)
    ]


async def test_progress_bar_goes_to_stderr_only_when_asked(
    connection: asyncpg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    await import_marc(
        connection, INSTITUTION, io.BytesIO(_marc(1, title="One")), progress=False
    )
    quiet = capsys.readouterr()
    await import_marc(
        connection, INSTITUTION, io.BytesIO(_marc(2, title="Two")), progress=True
    )
    shown = capsys.readouterr()

    assert quiet.err == ""
    assert "records" in shown.err
    assert shown.out == ""


async def test_imports_the_start_of_the_shipped_excerpt(
    connection: asyncpg.Connection,
) -> None:
    excerpt = resources.files("fulfillment_network").joinpath(
        "demo_data", "lc-books-excerpt.mrc.gz"
    )

    with resources.as_file(excerpt) as path, open_marc(path) as stream:
        report = await import_marc(
            connection, INSTITUTION, stream, keep=lambda position: position <= 200
        )

    assert report.records_read == 200
    assert report.bad == []
    assert report.imported + report.already_present == 200
    assert await _count(connection, "bib_record") == report.imported
    copies = await _copies_by_record(connection)
    keys = [
        r["source_key"]
        for r in await connection.fetch("SELECT source_key FROM bib_record")
    ]
    assert len(keys) == report.imported
    assert copies == {key: _expected_copies(key) for key in keys}
    assert await _count(connection, "holding") == sum(
        len({copy.location_code for copy in copies_for(INSTITUTION, key)})
        for key in keys
    )
