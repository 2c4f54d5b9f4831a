"""Members' search matches merged into works, ranked.

Records join one work when they share an identifier (or, lacking any, the
title key: see :mod:`.keys`). A work ranks by its best record's relevance,
which the members weight towards the title; ties go to the work more
members hold, then to the work key, so the order is the same on every call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .keys import identifier_keys, title_key

__all__ = ["Match", "Work", "merge_into_works"]


@dataclass(frozen=True, slots=True)
class Match:
    """One member's record that matched the search."""

    institution: str
    record_id: str
    score: float
    title: str
    contributors: tuple[str, ...]
    isbns: tuple[str, ...]
    lccn: str | None
    record_format: str
    language: str | None
    publication_year: int | None
    subjects: tuple[str, ...]
    available: int
    total: int

    @property
    def identifiers(self) -> frozenset[str]:
        return identifier_keys(self.isbns, self.lccn)

    @property
    def title_key(self) -> str:
        return title_key(self.title, self.contributors, self.record_format)


@dataclass
class Work:
    key: str
    matches: list[Match] = field(default_factory=list)

    @property
    def best(self) -> Match:
        return self.matches[0]

    @property
    def score(self) -> float:
        return self.best.score

    @property
    def holders(self) -> list[str]:
        return sorted({match.institution for match in self.matches})

    @property
    def available(self) -> int:
        return sum(match.available for match in self.matches)

    @property
    def total(self) -> int:
        return sum(match.total for match in self.matches)


def merge_into_works(matches: Sequence[Match]) -> list[Work]:
    """The works the matches describe, best first."""
    groups = _Groups(len(matches))
    by_identifier: dict[str, int] = {}
    by_title: dict[str, int] = {}
    for index, match in enumerate(matches):
        for key in match.identifiers:
            groups.join(index, by_identifier.setdefault(key, index))
        if match.identifiers:
            by_title.setdefault(match.title_key, index)
    # A record without identifiers joins the first work with its title key;
    # records with identifiers never join each other by title alone (two
    # editions of one title are two works).
    for index, match in enumerate(matches):
        if not match.identifiers:
            groups.join(index, by_title.setdefault(match.title_key, index))
    works: dict[int, Work] = {}
    for index, match in enumerate(matches):
        works.setdefault(groups.find(index), Work(key="")).matches.append(match)
    for work in works.values():
        work.matches.sort(key=lambda m: (-m.score, m.institution, m.record_id))
        identifiers = [key for m in work.matches for key in m.identifiers]
        work.key = min(identifiers) if identifiers else work.best.title_key
    return sorted(works.values(), key=lambda w: (-w.score, -len(w.holders), w.key))


class _Groups:
    """Union-find over match positions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def join(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)
