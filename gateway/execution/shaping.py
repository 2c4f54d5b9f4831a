"""The response, shaped from the members' JSON as the client asked for it.

Walks the normalised selection (:mod:`..planning.shape`) over the merged
data: fields whose type conditions or ``@skip``/``@include`` do not hold are
left out, fields that several fragments select are merged, keys the gateway
added for itself are dropped, and a null where the schema forbids one makes
the nearest nullable parent null, as GraphQL requires.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..planning.shape import ShapeField

__all__ = ["NullViolation", "shape_response"]

# A null in a non-null position, on its way up to the nearest nullable field.
_PROPAGATE: object = object()

# Whether an object whose runtime type is the first name is of the second
# (the same type, or an implementation or member of it).
IsOfType = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class NullViolation:
    """A null where the schema forbids one: the field, and where it is."""

    coordinate: str
    path: tuple[str | int, ...]


def shape_response(
    fields: Sequence[ShapeField],
    data: dict[str, Any],
    root_type: str,
    variables: dict[str, object],
    is_of_type: IsOfType,
) -> tuple[dict[str, Any] | None, list[NullViolation]]:
    """The shaped answer, and each null that made a parent null."""
    shaper = _Shaper(variables, is_of_type)
    shaped = shaper.shape_object(fields, data, root_type)
    if shaped is _PROPAGATE:
        shaper.settle()
        return None, shaper.violations
    return shaped, shaper.violations


# A response key, the first field that selects it, and the sub-selections of
# every field that does, merged.
_Group = tuple[str, ShapeField, tuple[ShapeField, ...]]


class _Shaper:
    def __init__(self, variables: dict[str, object], is_of_type: IsOfType) -> None:
        self.variables = variables
        self.is_of_type = is_of_type
        # The objects of a list share one selection: collect its fields once
        # per request, not once per object.
        self._groups: dict[tuple[int, str], list[_Group]] = {}
        # Where the walk is, and the null on its way up to a nullable field.
        self._path: list[str | int] = []
        self._pending: NullViolation | None = None
        self.violations: list[NullViolation] = []

    def settle(self) -> None:
        """The pending null has reached a field that may be null."""
        if self._pending is not None:
            self.violations.append(self._pending)
            self._pending = None

    def shape_object(
        self, fields: Sequence[ShapeField], value: dict[str, Any], static_type: str
    ) -> Any:
        """The shaped object, or the propagation marker if a non-null field is null."""
        runtime_type: str = (
            value.get("__typename") or value.get("__fn___typename") or static_type
        )
        shaped: dict[str, Any] = {}
        for key, first, children in self._grouped(fields, runtime_type):
            if first.name == "__typename":
                shaped[key] = runtime_type
                continue
            # Members answer by response key; objects the gateway computes
            # are keyed by field name.
            found = value[key] if key in value else value.get(first.name)
            self._path.append(key)
            result = self.value(first, first.wrappers, found, children)
            self._path.pop()
            if result is _PROPAGATE or result is None:
                self._name(f"{runtime_type}.{first.name}", key, result)
                if result is _PROPAGATE:
                    return _PROPAGATE
                self.settle()
            shaped[key] = result
        return shaped

    def _name(self, coordinate: str, key: str, result: Any) -> None:
        """A null of this field is on its way up: where it started, and in
        which field (a list item knows its path but not its field)."""
        if self._pending is None:
            if result is _PROPAGATE:
                self._pending = NullViolation(coordinate, (*self._path, key))
        elif not self._pending.coordinate:
            self._pending = NullViolation(coordinate, self._pending.path)

    def value(
        self,
        field: ShapeField,
        wrappers: tuple[str, ...],
        value: Any,
        children: tuple[ShapeField, ...],
    ) -> Any:
        if wrappers and wrappers[0] == "non_null":
            result = self.value(field, wrappers[1:], value, children)
            return _PROPAGATE if result is None or result is _PROPAGATE else result
        if value is None:
            return None
        if wrappers and wrappers[0] == "list":
            items = []
            for index, item in enumerate(value):
                self._path.append(index)
                shaped = self.value(field, wrappers[1:], item, children)
                self._path.pop()
                if shaped is _PROPAGATE:
                    if self._pending is None:
                        self._pending = NullViolation("", (*self._path, index))
                    return None
                if shaped is None:
                    self.settle()
                items.append(shaped)
            return items
        if field.children is None or field.passthrough:
            return value
        result = self.shape_object(children, value, field.type_name)
        return None if result is _PROPAGATE else result

    def _grouped(self, fields: Sequence[ShapeField], runtime_type: str) -> list[_Group]:
        memo_key = (id(fields), runtime_type)
        groups = self._groups.get(memo_key)
        if groups is None:
            groups = [
                (key, group[0], tuple(c for f in group for c in (f.children or ())))
                for key, group in self._collect(fields, runtime_type).items()
            ]
            self._groups[memo_key] = groups
        return groups

    def _collect(
        self, fields: Sequence[ShapeField], runtime_type: str
    ) -> dict[str, list[ShapeField]]:
        collected: dict[str, list[ShapeField]] = {}
        for field in fields:
            if not all(c.holds(self.variables) for c in field.conditions):
                continue
            if not all(self.is_of_type(runtime_type, t) for t in field.type_conditions):
                continue
            collected.setdefault(field.key, []).append(field)
        return collected
