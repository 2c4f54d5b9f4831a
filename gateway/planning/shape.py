"""The client's selection, normalised for shaping the response.

Fragments are inlined; each field remembers the type conditions and
``@skip``/``@include`` conditions that lead to it, whether it may be null,
and its own sub-selection. The executor walks this tree over the members'
JSON to build exactly the response the client asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Condition", "ShapeField"]


@dataclass(frozen=True, slots=True)
class Condition:
    """``@include(if: ...)`` (``include`` true) or ``@skip(if: ...)``.

    ``value`` is the literal, or None when the variable ``variable`` decides.
    """

    include: bool
    value: bool | None
    variable: str | None

    def holds(self, variables: dict[str, object]) -> bool:
        if self.variable is None:
            decided = bool(self.value)
        else:
            decided = bool(variables.get(self.variable))
        return decided if self.include else not decided


@dataclass(frozen=True, slots=True)
class ShapeField:
    key: str
    name: str
    # Type names an object must be (or implement) for this field to apply.
    type_conditions: tuple[str, ...]
    conditions: tuple[Condition, ...]
    # The field's type, as wrappers around a named type: e.g. ("non_null",
    # "list", "non_null") for [X!]!.
    wrappers: tuple[str, ...]
    type_name: str
    children: tuple[ShapeField, ...] | None
    # The member's JSON for this field is already the response: no
    # @reference below it and nothing the gateway added. Members answer the
    # same selection against the same contract, so it can be passed on as is.
    passthrough: bool = False
