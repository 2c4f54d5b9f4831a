"""How a circulation desk is named across the network."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeskKey"]


@dataclass(frozen=True, slots=True, order=True)
class DeskKey:
    """A desk, own or remote: the member it belongs to and its code there.

    Written ``BIR/MAIN``. The owner keeps a row for every remote desk that
    may pick up, lend or take back its items, under the same key.
    """

    institution: str
    code: str

    def __str__(self) -> str:
        return f"{self.institution}/{self.code}"

    @classmethod
    def parse(cls, text: str) -> DeskKey:
        institution, slash, code = text.partition("/")
        if not (institution and slash and code):
            raise ValueError(f"{text!r} is not a desk key such as 'BIR/MAIN'")
        return cls(institution, code)
