"""Read a MARC 21 bibliographic record as a catalogue record.

The mapping is pure: :func:`from_marc` looks at a :class:`pymarc.Record` and
returns a :class:`CatalogueRecord` without touching anything else, so each
rule below can be checked with a record built in memory.

Where a field comes from:

- source key: ``lccn:`` + normalised 010 $a, else ``control:`` + 001
- title: 245 $a $b
- contributors: 100, 110, 111, 700, 710, 711 $a
- ISBNs: 020 $a, as ISBN-13
- publication year: 008/07-10, else the first year in 264 $c or 260 $c
- publisher: 264 $b (second indicator 1), else 260 $b
- language: 008/35-37, else 041 $a
- subjects: 6XX $a with $v $x $y $z subdivisions
- call number: 050 $a $b
- format: leader/06 and leader/07
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import overload

import pymarc

__all__ = [
    "CatalogueRecord",
    "Format",
    "UnusableRecord",
    "from_marc",
    "normalise_isbn",
    "normalise_lccn",
]


class UnusableRecord(Exception):
    """The MARC record lacks something a catalogue record cannot do without."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Format(StrEnum):
    """The kind of material, as the catalogue stores it (lower case)."""

    BOOK = "book"
    SERIAL = "serial"
    MANUSCRIPT = "manuscript"
    MAP = "map"
    SCORE = "score"
    SOUND_RECORDING = "sound_recording"
    MUSIC_RECORDING = "music_recording"
    VIDEO = "video"
    COMPUTER_FILE = "computer_file"
    IMAGE = "image"
    KIT = "kit"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CatalogueRecord:
    """One bibliographic record, in the shape of the ``bib_record`` table."""

    source_key: str
    lccn: str | None
    title: str
    contributors: tuple[str, ...]
    isbns: tuple[str, ...]
    publication_year: int | None
    publisher: str | None
    language: str | None
    subjects: tuple[str, ...]
    call_number: str | None
    format: Format


# Leader/06 (type of record) for everything that is not textual material.
_FORMAT_BY_TYPE = {
    "t": Format.MANUSCRIPT,
    "c": Format.SCORE,
    "d": Format.SCORE,
    "e": Format.MAP,
    "f": Format.MAP,
    "g": Format.VIDEO,
    "i": Format.SOUND_RECORDING,
    "j": Format.MUSIC_RECORDING,
    "k": Format.IMAGE,
    "m": Format.COMPUTER_FILE,
    "o": Format.KIT,
}
# Leader/07 (bibliographic level): serial component part, integrating
# resource, serial.
_SERIAL_LEVELS = frozenset("bis")

_CONTRIBUTOR_TAGS = ("100", "110", "111", "700", "710", "711")
_SUBDIVISION_CODES = frozenset("vxyz")
_ISBD_TRAILING = " /:;,."
_SPACE_BEFORE_MARK = re.compile(r"\s+([:;,])")
_SPACES = re.compile(r"\s+")
# A name that ends in an initial ("Chadman, Charles E.") keeps its full stop.
_ENDS_WITH_INITIAL = re.compile(r"(?:^|[\s.])\w\.$")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_ISBN_CANDIDATE = re.compile(r"[0-9Xx-]+")


def from_marc(record: pymarc.Record) -> CatalogueRecord:
    """Map a MARC record; raise :class:`UnusableRecord` if it has no key or title."""
    source_key, lccn = _source_key(record)
    title = _title(record)
    if not title:
        raise UnusableRecord("no title in 245 $a or $b")

    fixed = _control_data(record, "008")
    return CatalogueRecord(
        source_key=source_key,
        lccn=lccn,
        title=_composed(title),
        contributors=tuple(_composed(name) for name in _contributors(record)),
        isbns=_isbns(record),
        publication_year=_publication_year(record, fixed),
        publisher=_composed(_publisher(record)),
        language=_language(record, fixed),
        subjects=tuple(_composed(heading) for heading in _subjects(record)),
        call_number=_call_number(record),
        format=record_format(str(record.leader)),
    )


@overload
def _composed(text: str) -> str: ...
@overload
def _composed(text: None) -> None: ...
def _composed(text: str | None) -> str | None:
    """NFC text: MARC writes "ñ" as "n" plus a combining tilde."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def record_format(leader: str) -> Format:
    """The format named by leader/06 (type of record) and leader/07 (level)."""
    type_of_record, level = leader[6:7], leader[7:8]
    if type_of_record == "a":
        return Format.SERIAL if level in _SERIAL_LEVELS else Format.BOOK
    return _FORMAT_BY_TYPE.get(type_of_record, Format.OTHER)


def normalise_lccn(value: str) -> str | None:
    """Normalise an LC control number the way the LCCN namespace prescribes.

    Blanks go, so does a slash and everything after it; a hyphen goes and the
    serial number after it is padded to six digits.
    """
    compact = "".join(value.split()).partition("/")[0]
    year, hyphen, serial = compact.partition("-")
    if hyphen:
        if not serial.isdigit():
            return None
        compact = year + serial.zfill(6)
    return compact or None


def normalise_isbn(value: str) -> str | None:
    """The ISBN-13 digits of an 020 $a such as ``0-387-97812-9 (pbk.)``.

    A valid ISBN-10 becomes its ISBN-13; anything with a wrong check digit,
    or of another length, gives ``None``.
    """
    match = _ISBN_CANDIDATE.match(value.strip())
    if match is None:
        return None
    digits = match.group().replace("-", "").upper()
    if len(digits) == 10 and _isbn10_is_valid(digits):
        return _isbn13_from_isbn10(digits)
    if len(digits) == 13 and digits.startswith(("978", "979")):
        return digits if _isbn13_check_digit(digits[:12]) == digits[12] else None
    return None


def _isbn10_is_valid(digits: str) -> bool:
    if not digits[:9].isdigit() or not (digits[9].isdigit() or digits[9] == "X"):
        return False
    values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
    return (
        sum(weight * v for weight, v in zip(range(10, 0, -1), values, strict=True)) % 11
        == 0
    )


def _isbn13_from_isbn10(digits: str) -> str:
    stem = "978" + digits[:9]
    return stem + _isbn13_check_digit(stem)


def _isbn13_check_digit(stem: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem))
    return str(-total % 10)


def _source_key(record: pymarc.Record) -> tuple[str, str | None]:
    for field in record.get_fields("010"):
        for value in field.get_subfields("a"):
            lccn = normalise_lccn(value)
            if lccn:
                return f"lccn:{lccn}", lccn

    control = _control_data(record, "001").strip()
    if control:
        return f"control:{control}", None
    raise UnusableRecord("no LC control number (010 $a) and no 001")


def _title(record: pymarc.Record) -> str:
    field = record.get("245")
    if field is None:
        return ""
    joined = _SPACES.sub(" ", " ".join(field.get_subfields("a", "b"))).strip()
    return _SPACE_BEFORE_MARK.sub(r"\1", joined).rstrip(_ISBD_TRAILING)


def _contributors(record: pymarc.Record) -> tuple[str, ...]:
    names = (
        value
        for field in record.get_fields(*_CONTRIBUTOR_TAGS)
        for value in field.get_subfields("a")
    )
    return _unique(_trim_heading(name) for name in names)


def _isbns(record: pymarc.Record) -> tuple[str, ...]:
    isbns = (
        normalise_isbn(value)
        for field in record.get_fields("020")
        for value in field.get_subfields("a")
    )
    return _unique(isbn for isbn in isbns if isbn)


def _publication_year(record: pymarc.Record, fixed: str) -> int | None:
    date1 = fixed[7:11]
    if len(date1) == 4 and date1.isascii() and date1.isdigit():
        return int(date1)

    for field in _publication_statements(record):
        for value in field.get_subfields("c"):
            match = _YEAR.search(value)
            if match:
                return int(match.group())
    return None


def _publisher(record: pymarc.Record) -> str | None:
    for field in _publication_statements(record):
        for value in field.get_subfields("b"):
            publisher = value.strip().rstrip(" ,:;").strip()
            if publisher:
                return publisher
    return None


def _publication_statements(record: pymarc.Record) -> list[pymarc.Field]:
    # RDA records say who published in 264 with second indicator 1; older
    # (AACR2) records use 260 for the same statement.
    published = [field for field in record.get_fields("264") if field.indicator2 == "1"]
    return published + record.get_fields("260")


def _language(record: pymarc.Record, fixed: str) -> str | None:
    code = fixed[35:38]
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code.lower()

    for field in record.get_fields("041"):
        for value in field.get_subfields("a"):
            # Older records run several codes together ("engfre").
            code = value.strip()[:3]
            if len(code) == 3 and code.isascii() and code.isalpha():
                return code.lower()
    return None


def _subjects(record: pymarc.Record) -> tuple[str, ...]:
    headings = (
        _subject_heading(field)
        for field in record.fields
        if field.tag.startswith("6") and not field.control_field
    )
    return _unique(heading for heading in headings if heading)


def _subject_heading(field: pymarc.Field) -> str | None:
    main = field.get("a")
    if main is None:
        return None
    subdivisions = (
        sub.value for sub in field.subfields if sub.code in _SUBDIVISION_CODES
    )
    parts = (_trim_heading(part) for part in (main, *subdivisions))
    return " -- ".join(part for part in parts if part) or None


def _call_number(record: pymarc.Record) -> str | None:
    field = record.get("050")
    if field is None:
        return None
    class_part = (field.get("a") or "").strip()
    if not class_part:
        return None
    item_part = (field.get("b") or "").strip()
    return f"{class_part} {item_part}" if item_part else class_part


def _control_data(record: pymarc.Record, tag: str) -> str:
    field = record.get(tag)
    if field is None or field.data is None:
        return ""
    return field.data


def _trim_heading(value: str) -> str:
    trimmed = _SPACES.sub(" ", value).strip().rstrip(" ,;:/").rstrip()
    if trimmed.endswith(".") and not _ENDS_WITH_INITIAL.search(trimmed):
        trimmed = trimmed[:-1].rstrip()
    return trimmed


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
