"""Facet counts and filters over merged works.

Counts are of works, not records: a work two members hold counts once for
each institution facet value and once for everything else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from .works import Work

__all__ = ["FacetValue", "Facets", "WorkFilters", "count_facets"]

# Publication years are grouped into ranges of this many years.
YEAR_BUCKET = 10
# How many values of a facet with many (subjects) are listed.
MAX_VALUES = 20


@dataclass(frozen=True, slots=True)
class WorkFilters:
    institutions: frozenset[str] = frozenset()
    available: bool | None = None
    formats: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    year_from: int | None = None
    year_to: int | None = None
    subjects: frozenset[str] = frozenset()

    def canonical(self) -> dict[str, object]:
        """The filters as plain, ordered data (for cursors)."""
        return {
            name: sorted(value) if isinstance(value, frozenset) else value
            for name, value in asdict(self).items()
        }

    def admits(self, work: Work) -> bool:
        checks: list[Callable[[Work], bool]] = [
            lambda w: not self.institutions or bool(self.institutions & set(w.holders)),
            lambda w: self.available is None or (w.available > 0) == self.available,
            lambda w: not self.formats or w.best.record_format in self.formats,
            lambda w: not self.languages or w.best.language in self.languages,
            self._year_admits,
            lambda w: not self.subjects or bool(self.subjects & set(_subjects(w))),
        ]
        return all(check(work) for check in checks)

    def _year_admits(self, work: Work) -> bool:
        year = work.best.publication_year
        if self.year_from is None and self.year_to is None:
            return True
        if year is None:
            return False
        return (self.year_from or year) <= year <= (self.year_to or year)


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    institutions: tuple[FacetValue, ...]
    availability: tuple[FacetValue, ...]
    formats: tuple[FacetValue, ...]
    languages: tuple[FacetValue, ...]
    publication_years: tuple[FacetValue, ...]
    subjects: tuple[FacetValue, ...]


def count_facets(works: Sequence[Work]) -> Facets:
    return Facets(
        institutions=_count(h for w in works for h in w.holders),
        availability=_count(
            "AVAILABLE" if w.available else "UNAVAILABLE" for w in works
        ),
        formats=_count(w.best.record_format for w in works),
        languages=_count(w.best.language for w in works if w.best.language),
        publication_years=_count(
            _decade(w.best.publication_year)
            for w in works
            if w.best.publication_year is not None
        ),
        subjects=_count(s for w in works for s in set(_subjects(w)))[:MAX_VALUES],
    )


def _subjects(work: Work) -> Iterable[str]:
    # A subject's main heading: "Climatic changes -- History" files under
    # "Climatic changes".
    for match in work.matches:
        for subject in match.subjects:
            yield subject.split(" -- ")[0]


def _decade(year: int) -> str:
    start = year - year % YEAR_BUCKET
    return f"{start}-{start + YEAR_BUCKET - 1}"


def _count(values: Iterable[str]) -> tuple[FacetValue, ...]:
    counts = Counter(values)
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return tuple(FacetValue(value, count) for value, count in ordered)
