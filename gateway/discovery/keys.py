"""Which records describe the same work.

Identifiers decide first: records that share a normalised ISBN or an LCCN
are one work. A record with neither falls back to a key made of its
normalised title, its first contributor's surname and its format, and joins
any work whose records have that key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["identifier_keys", "title_key"]

_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
# Leading articles that catalogues do not file under.
_ARTICLES = ("the ", "a ", "an ", "le ", "la ", "les ", "der ", "die ", "das ", "el ")


def identifier_keys(isbns: Iterable[str], lccn: str | None) -> frozenset[str]:
    keys = {f"isbn:{isbn}" for isbn in isbns if isbn}
    if lccn:
        keys.add(f"lccn:{lccn.strip()}")
    return frozenset(keys)


def title_key(title: str, contributors: Iterable[str], record_format: str) -> str:
    return (
        f"title:{_normalised(title)}|{_surname(contributors)}|{record_format.lower()}"
    )


def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", plain)).strip()
    for article in _ARTICLES:
        if words.startswith(article):
            return words[len(article) :]
    return words


def _surname(contributors: Iterable[str]) -> str:
    first = next(iter(contributors), "")
    # Catalogue headings put the surname first: "Twain, Mark".
    return _normalised(first.split(",")[0])
