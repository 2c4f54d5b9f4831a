"""Operation results to JSON and back.

A result is stored with its idempotency key and returned again, unchanged,
to a retried call; the GraphQL layer serialises the same shapes. Results are
frozen dataclasses built from a small set of types, and this module knows
exactly those: ``str``, ``int``, ``bool``, ``Decimal`` (as text, so that no
cent is lost to floats), ``datetime`` and ``date`` (ISO 8601), ``UUID``,
string enums, ``X | None``, ``tuple[X, ...]`` and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast
from uuid import UUID

__all__ = ["JsonValue", "decode", "encode"]

T = TypeVar("T")

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def encode(value: object) -> JsonValue:
    """The JSON form of a result, of any value inside one, or of arguments."""
    if value is None or isinstance(value, bool | int | str):
        # An enum of str is a str; keep its plain value.
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Decimal | UUID | Enum):
        return str(value.value if isinstance(value, Enum) else value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        items = sorted(value, key=str) if isinstance(value, frozenset) else value
        return [encode(item) for item in items]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: encode(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def decode(kind: type[T], value: object) -> T:
    """Rebuild a value of type ``kind`` from its JSON form."""
    return cast(T, _decode(kind, value))


def _decode(kind: Any, value: object) -> object:
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        return _decode_optional(kind, value)
    if origin is tuple:
        item_kind = typing.get_args(kind)[0]
        return tuple(_decode(item_kind, item) for item in _as_list(value))
    if dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, value)
    return _decode_scalar(kind, value)


def _decode_optional(kind: Any, value: object) -> object:
    options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    if value is None:
        return None
    if len(options) != 1:
        raise TypeError(f"cannot decode the union {kind}")
    return _decode(options[0], value)


def _decode_dataclass(kind: Any, value: object) -> object:
    if not isinstance(value, dict):
        raise TypeError(f"{kind.__name__} needs an object, not {value!r}")
    hints = _hints(kind)
    arguments = {
        field.name: _decode(hints[field.name], value[field.name])
        for field in dataclasses.fields(kind)
        if field.name in value
    }
    return kind(**arguments)


def _decode_scalar(kind: Any, value: object) -> object:
    if kind in (Decimal, UUID) or (isinstance(kind, type) and issubclass(kind, Enum)):
        return kind(value)
    if kind is datetime:
        return datetime.fromisoformat(str(value))
    if kind is date:
        return date.fromisoformat(str(value))
    if kind in (str, int, bool) and isinstance(value, kind):
        return value
    raise TypeError(f"cannot decode {value!r} as {kind}")


def _as_list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {value!r}")
    return value


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
