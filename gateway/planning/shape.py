"""The client's selection, normalised for shaping the response.

Fragments are inlined; each field remembers the type conditions and
``@skip``/``@include`` conditions that lead to it, whether it may be null,
and its own sub-selection. The executor walks this tree over the members'
JSON to build exactly the response the client asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Condition", "ShapeField", "in_selection_order"]


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


def in_selection_order(
    data: dict[str, Any], fields: tuple[ShapeField, ...]
) -> dict[str, Any]:
    """``data`` with its keys, at every depth, in the order the client
    selected them (for an answer the gateway changed after shaping it)."""
    ordered: dict[str, Any] = {}
    for field in fields:
        if field.key in data and field.key not in ordered:
            value = data[field.key]
            if field.children is not None:
                value = _ordered(value, field.children)
            ordered[field.key] = value
    for key, value in data.items():
        ordered.setdefault(key, value)
    return ordered


def _ordered(value: Any, fields: tuple[ShapeField, ...]) -> Any:
    if isinstance(value, list):
        return [_ordered(item, fields) for item in value]
    if isinstance(value, dict):
        return in_selection_order(value, fields)
    return value
