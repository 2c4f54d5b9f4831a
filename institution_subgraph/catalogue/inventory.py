"""Shelves and copies for catalogue records that arrive without any.

Bibliographic records say what a work is, not where an institution keeps
it. For the demo and the tests each institution gets a main library plus
three branch libraries, and each record one to three copies spread over one
or two of them. Every choice comes from a BLAKE2b hash of the inputs, so the
same institution and record always give the same shelves and barcodes, in
any process and on any machine.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

__all__ = ["CopySpec", "LocationSpec", "copies_for", "locations"]


@dataclass(frozen=True, slots=True)
class LocationSpec:
    """A shelving location: its code, its name, and the library it is in."""

    code: str
    name: str
    library: str


@dataclass(frozen=True, slots=True)
class CopySpec:
    """One copy of a record: where it is shelved, its number and barcode."""

    location_code: str
    copy_number: int
    barcode: str


_MAIN_STACKS = LocationSpec("MAIN-STACKS", "Main Stacks", "Main Library")
_BRANCH_STACKS = (
    LocationSpec("SCI-STACKS", "Science Stacks", "Science Library"),
    LocationSpec("ART-STACKS", "Art and Architecture Stacks", "Fine Arts Library"),
    LocationSpec("LAW-STACKS", "Law Stacks", "Law Library"),
    LocationSpec("MUSIC-STACKS", "Music Stacks", "Music Library"),
    LocationSpec("HEALTH-STACKS", "Health Sciences Stacks", "Health Sciences Library"),
    LocationSpec("EDU-STACKS", "Education Stacks", "Education Library"),
    LocationSpec("ANNEX", "Off-site Shelving", "Library Annex"),
)
_BRANCHES_PER_INSTITUTION = 3
_MAX_COPIES = 3
_BARCODE_DIGITS = 12


def locations(institution_code: str) -> list[LocationSpec]:
    """The institution's shelving locations, main stacks first."""
    return list(_locations(institution_code))


def copies_for(institution_code: str, source_key: str) -> list[CopySpec]:
    """The copies the institution holds of the record with this source key."""
    digest = _digest(institution_code, source_key)
    count = 1 + digest[0] % _MAX_COPIES
    shelves = _shelves(_locations(institution_code), digest, count)
    serial = int.from_bytes(digest[8:], "big") % 10**_BARCODE_DIGITS

    return [
        CopySpec(
            location_code=shelves[(number - 1) % len(shelves)].code,
            copy_number=number,
            barcode=f"{institution_code}{serial:0{_BARCODE_DIGITS}d}{number}",
        )
        for number in range(1, count + 1)
    ]


@functools.cache
def _locations(institution_code: str) -> tuple[LocationSpec, ...]:
    ranked = sorted(
        _BRANCH_STACKS,
        key=lambda branch: _digest(institution_code, branch.code),
    )
    return (_MAIN_STACKS, *ranked[:_BRANCHES_PER_INSTITUTION])


def _shelves(
    places: tuple[LocationSpec, ...], digest: bytes, count: int
) -> list[LocationSpec]:
    # Half of all records start in the main stacks, as in most libraries;
    # the rest start in one of the branches.
    first = 0 if digest[1] < 128 else 1 + digest[1] % (len(places) - 1)
    if count == 1 or digest[2] % 2 == 0:
        return [places[first]]
    second = (first + 1 + digest[3] % (len(places) - 1)) % len(places)
    return [places[first], places[second]]


def _digest(*parts: str) -> bytes:
    # The unit separator keeps ("AB", "C") and ("A", "BC") apart.
    joined = "\x1f".join(parts).encode("utf-8")
    return hashlib.blake2b(joined, digest_size=16).digest()
