"""``fulfillment-network import-marc`` as a user runs it."""

from __future__ import annotations

import gzip
import subprocess
import sys
from itertools import islice
from pathlib import Path

import asyncpg
import pymarc

from fulfillment_network.demo import excerpt_path
from fulfillment_network.postgres import PostgresServer, database_dsn, database_name

INSTITUTION = "TSTM"


def _excerpt_records(count: int) -> list[bytes]:
    marc = gzip.decompress(excerpt_path().read_bytes())
    reader = pymarc.MARCReader(marc, to_unicode=True, force_utf8=True)
    return [bytes(record.as_marc()) for record in islice(reader, count)]


def _broken_file(folder: Path) -> tuple[Path, int, list[int]]:
    """Twelve real records with the 4th and 9th damaged; return the bad positions."""
    records = _excerpt_records(12)
    records[3] = b"12x45" + records[3][5:]
    without_title = pymarc.Record(data=records[8], force_utf8=True)
    without_title.remove_fields("245")
    records[8] = bytes(without_title.as_marc())
    path = folder / "broken.mrc.gz"
    path.write_bytes(gzip.compress(b"".join(records)))
    return path, len(records) - 2, [4, 9]


def _import(path: Path, server: PostgresServer) -> str:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fulfillment_network",
            "import-marc",
            "--institution",
            INSTITUTION,
            "--dsn",
            server.dsn,
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return completed.stdout


async def _count(server: PostgresServer) -> int:
    dsn = database_dsn(server.dsn, database_name(INSTITUTION))
    connection = await asyncpg.connect(dsn)
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM bib_record")
        return count
    finally:
        await connection.close()


async def test_imports_every_good_record_reports_each_bad_one_and_adds_nothing_twice(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    path, good, bad_positions = _broken_file(tmp_path)

    first = _import(path, postgres)
    after_first = await _count(postgres)
    second = _import(path, postgres)
    after_second = await _count(postgres)

    assert f"imported {good}," in first
    assert f"bad {len(bad_positions)}" in first
    for position in bad_positions:
        assert f"record {position}:" in first
    assert after_first == good
    assert "imported 0," in second
    assert f"already present {good}" in second
    assert after_second == good
