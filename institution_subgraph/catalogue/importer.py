"""Load a file of MARC 21 records into an institution's catalogue.

The file is read as a stream, one record at a time, and written in batches.
Each batch is copied into temporary staging tables and merged from there in
a single statement (bibliographic records, then holdings, then items), all
in one transaction, so a batch is either wholly in or wholly out. A record
whose source key is already in the catalogue is left as it is, so running
the same file twice adds nothing the second time.

A damaged record does not stop the import: it is reported with its position
in the file and the reason, and reading carries on at the next record.
"""

from __future__ import annotations

import gzip
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NoReturn, cast

import asyncpg
import pymarc
from tqdm import tqdm

from institution_subgraph.catalogue.inventory import copies_for, locations
from institution_subgraph.catalogue.marc import (
    CatalogueRecord,
    UnusableRecord,
    from_marc,
)

__all__ = ["BadRecord", "ImportReport", "import_marc", "open_marc"]

logger = logging.getLogger("institution_subgraph.catalogue.importer")

_GZIP_MAGIC = b"\x1f\x8b"
_END_OF_RECORD = pymarc.END_OF_RECORD.encode("ascii")

_BIB_COLUMNS = (
    "position",
    "source_key",
    "lccn",
    "title",
    "contributors",
    "isbns",
    "publication_year",
    "publisher",
    "language",
    "subjects",
    "call_number",
    "format",
)
_COPY_COLUMNS = ("source_key", "location_code", "copy_number", "barcode")

_CREATE_STAGING = """
CREATE TEMPORARY TABLE import_bib (
    position integer NOT NULL,
    source_key text NOT NULL,
    lccn text,
    title text NOT NULL,
    contributors text[] NOT NULL,
    isbns text[] NOT NULL,
    publication_year integer,
    publisher text,
    language text,
    subjects text[] NOT NULL,
    call_number text,
    format text NOT NULL
);
CREATE TEMPORARY TABLE import_copy (
    source_key text NOT NULL,
    location_code text NOT NULL,
    copy_number integer NOT NULL,
    barcode text NOT NULL
);
"""

_DROP_STAGING = "DROP TABLE IF EXISTS pg_temp.import_bib, pg_temp.import_copy"

_CLEAR_STAGING = "TRUNCATE pg_temp.import_bib, pg_temp.import_copy"

_UPSERT_LOCATIONS = """
INSERT INTO location (code, name, library)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (code) DO UPDATE
    SET name = excluded.name, library = excluded.library
    WHERE (location.name, location.library)
        IS DISTINCT FROM (excluded.name, excluded.library)
"""

# Holdings and items are made only for the records this batch adds: a record
# that was already in the catalogue keeps the copies it has.
_MERGE_STAGING = """
WITH new_bib AS (
    INSERT INTO bib_record (
        source_key, lccn, title, contributors, isbns, publication_year,
        publisher, language, subjects, call_number, format
    )
    SELECT source_key, lccn, title, contributors, isbns, publication_year,
        publisher, language, subjects, call_number, format
    FROM pg_temp.import_bib
    ORDER BY position
    ON CONFLICT (source_key) DO NOTHING
    RETURNING id, source_key, call_number
), new_copy AS (
    SELECT new_bib.id AS bib_record_id, new_bib.call_number,
        location.id AS location_id, staged.copy_number, staged.barcode
    FROM new_bib
    JOIN pg_temp.import_copy AS staged USING (source_key)
    JOIN location ON location.code = staged.location_code
), new_holding AS (
    INSERT INTO holding (bib_record_id, location_id, call_number)
    SELECT DISTINCT bib_record_id, location_id, call_number FROM new_copy
    ON CONFLICT (bib_record_id, location_id) DO NOTHING
    RETURNING id, bib_record_id, location_id
), new_item AS (
    INSERT INTO item (holding_id, barcode, copy_number)
    SELECT new_holding.id, new_copy.barcode, new_copy.copy_number
    FROM new_copy JOIN new_holding USING (bib_record_id, location_id)
    ORDER BY new_copy.bib_record_id, new_copy.copy_number
    ON CONFLICT (barcode) DO NOTHING
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM new_bib) AS bib_records,
    (SELECT count(*) FROM new_copy) AS copies,
    (SELECT count(*) FROM new_item) AS items
"""


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that was not imported: its 1-based position in the file, and why."""

    position: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What one import did.

    ``records_read`` counts the records considered (those that ``keep``
    accepted), and each of them is exactly one of: imported (a new
    bibliographic record), already present (its source key was in the
    catalogue, or earlier in the same file), or bad.
    """

    records_read: int = 0
    imported: int = 0
    already_present: int = 0
    bad: list[BadRecord] = field(default_factory=list)


def open_marc(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a MARC file for reading, uncompressing it if it is gzip.

    The content decides, not the file name: a gzip file is recognised by
    its first two bytes.
    """
    with open(path, "rb") as probe:
        magic = probe.read(len(_GZIP_MAGIC))
    if magic == _GZIP_MAGIC:
        # GzipFile reads like any binary file; typeshed just does not
        # declare it a BinaryIO.
        return cast(BinaryIO, gzip.open(path, "rb"))
    return open(path, "rb")


async def import_marc(
    connection: asyncpg.Connection,
    institution: str,
    stream: BinaryIO,
    *,
    keep: Callable[[int], bool] | None = None,
    batch_size: int = 1000,
    progress: bool | None = None,
) -> ImportReport:
    """Import the MARC records in ``stream`` into the institution's catalogue.

    ``keep`` is called with each record's 1-based position in the file
    (damaged records count) and only the records it accepts are considered,
    that is imported or, if damaged, reported; the demo uses it to share one
    file among several institutions. Each new
    record gets the holdings and items that :mod:`.inventory` gives it at
    ``institution``. A progress bar goes to stderr when ``progress`` is true,
    or when it is ``None`` and stderr is a terminal.
    """
    report = ImportReport()
    started = time.perf_counter()
    await _upsert_locations(connection, institution)
    await connection.execute(_CREATE_STAGING)
    try:
        with _progress_bar(progress) as bar:
            for batch in _batches(stream, keep, batch_size, report):
                added = await _write_batch(connection, institution, batch)
                report.imported += added
                report.already_present += len(batch) - added
                bar.update(report.records_read - bar.n)
            bar.update(report.records_read - bar.n)
    finally:
        await connection.execute(_DROP_STAGING)

    _log_finished(institution, report, time.perf_counter() - started)
    return report


async def _upsert_locations(connection: asyncpg.Connection, institution: str) -> None:
    specs = locations(institution)
    await connection.execute(
        _UPSERT_LOCATIONS,
        [spec.code for spec in specs],
        [spec.name for spec in specs],
        [spec.library for spec in specs],
    )


def _progress_bar(progress: bool | None) -> tqdm[NoReturn]:
    show = sys.stderr.isatty() if progress is None else progress
    return tqdm(desc="MARC import", unit="records", file=sys.stderr, disable=not show)


def _batches(
    stream: BinaryIO,
    keep: Callable[[int], bool] | None,
    batch_size: int,
    report: ImportReport,
) -> Iterator[list[tuple[int, CatalogueRecord]]]:
    # Keyed by source key so that a record repeated within one batch is
    # counted as already present rather than fighting itself in the merge.
    batch: dict[str, tuple[int, CatalogueRecord]] = {}
    for position, entry in enumerate(_read_marc(stream), start=1):
        if keep is not None and not keep(position):
            continue
        report.records_read += 1
        record = _catalogue_record(position, entry, report)
        if record is None:
            continue
        if record.source_key in batch:
            report.already_present += 1
            continue

        batch[record.source_key] = (position, record)
        if len(batch) >= batch_size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def _catalogue_record(
    position: int, entry: pymarc.Record | Exception, report: ImportReport
) -> CatalogueRecord | None:
    if isinstance(entry, Exception):
        reason = str(entry) or type(entry).__name__
    else:
        try:
            return from_marc(entry)
        except UnusableRecord as error:
            reason = error.reason

    report.bad.append(BadRecord(position, reason))
    logger.warning(
        "MARC record skipped", extra={"position": position, "reason": reason}
    )
    return None


async def _write_batch(
    connection: asyncpg.Connection,
    institution: str,
    batch: list[tuple[int, CatalogueRecord]],
) -> int:
    async with connection.transaction():
        await connection.copy_records_to_table(
            "import_bib",
            records=[_bib_row(position, record) for position, record in batch],
            columns=_BIB_COLUMNS,
            schema_name="pg_temp",
        )
        await connection.copy_records_to_table(
            "import_copy",
            records=_copy_rows(institution, batch),
            columns=_COPY_COLUMNS,
            schema_name="pg_temp",
        )
        merged = await connection.fetchrow(_MERGE_STAGING)
        await connection.execute(_CLEAR_STAGING)

    # A SELECT of aggregates always returns exactly one row.
    assert merged is not None
    if merged["items"] != merged["copies"]:
        logger.warning(
            "barcode already in use, copy not added",
            extra={
                "institution": institution,
                "skipped": merged["copies"] - merged["items"],
            },
        )
    return int(merged["bib_records"])


def _bib_row(position: int, record: CatalogueRecord) -> tuple[object, ...]:
    return (
        position,
        record.source_key,
        record.lccn,
        record.title,
        record.contributors,
        record.isbns,
        record.publication_year,
        record.publisher,
        record.language,
        record.subjects,
        record.call_number,
        record.format.value,
    )


def _copy_rows(
    institution: str, batch: list[tuple[int, CatalogueRecord]]
) -> list[tuple[str, str, int, str]]:
    return [
        (record.source_key, copy.location_code, copy.copy_number, copy.barcode)
        for _, record in batch
        for copy in copies_for(institution, record.source_key)
    ]


def _log_finished(institution: str, report: ImportReport, seconds: float) -> None:
    logger.info(
        "MARC import finished",
        extra={
            "institution": institution,
            "records_read": report.records_read,
            "imported": report.imported,
            "already_present": report.already_present,
            "bad": len(report.bad),
            "seconds": round(seconds, 3),
        },
    )


def _read_marc(stream: BinaryIO) -> Iterator[pymarc.Record | Exception]:
    """Every record in the stream, or the error that made it unreadable."""
    source = _RealigningStream(stream)
    while True:
        reader = pymarc.MARCReader(
            cast(BinaryIO, source),
            to_unicode=True,
            force_utf8=True,
            permissive=True,
            utf8_handling="replace",
        )
        for record in reader:
            source.realign(reader.current_chunk)
            if record is not None:
                yield record
                continue
            yield reader.current_exception
            # After a framing error MARCReader refuses to go on; the stream
            # is realigned, so a fresh reader can.
            if isinstance(reader.current_exception, pymarc.FatalReaderError):
                break
        else:
            return


class _RealigningStream:
    """The byte source under MARCReader, able to find the next record.

    MARCReader trusts the length at the start of each record. When that
    length is damaged, the reader is left in the middle of a record, or has
    swallowed the start of the next one. :meth:`realign` puts the stream
    back just after the first record terminator in what was read, so that
    one damaged record costs one position and no more.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""

    def read(self, size: int) -> bytes:
        # A damaged length below five makes MARCReader ask for a negative
        # size, which would otherwise mean the whole rest of the stream.
        size = max(size, 0)
        if not self._pending:
            return self._raw.read(size)
        head, self._pending = self._pending[:size], self._pending[size:]
        if len(head) < size:
            head += self._raw.read(size - len(head))
        return head

    def realign(self, chunk: bytes) -> None:
        """Make the next read start after the first terminator in ``chunk``."""
        end = chunk.find(_END_OF_RECORD)
        if end == -1:
            self._skip_past_terminator()
        elif end < len(chunk) - 1:
            self._pending = chunk[end + 1 :] + self._pending

    def _skip_past_terminator(self) -> None:
        while block := self.read(8192):
            end = block.find(_END_OF_RECORD)
            if end != -1:
                self._pending = block[end + 1 :] + self._pending
                return
