"""Entity levels: the entities at @reference paths, fetched from their owners.

All the entities one level needs are grouped by owning member, and each
owner gets one ``_entities`` operation for the whole level: one aliased
``_entities`` field per path. The answers replace the key-only objects in
place, so the next level finds its references inside them.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fulfillment_network.ids import GlobalId, InvalidGlobalId

from ..config import NetworkConfig
from ..planning.plan import HIDDEN_PREFIX, EntityLevel, Flatten, Plan
from .fetch import call_member, relay_error
from .state import RequestState

__all__ = ["key_only", "run_entity_level"]

_TYPENAME = HIDDEN_PREFIX + "__typename"


def key_only(type_name: str, **key: str) -> dict[str, Any]:
    """An entity as a computed field hands it over: its type and key alone.

    The entity level fills it from the owner with what the client selected.
    """
    reference = {_TYPENAME: type_name}
    reference.update({HIDDEN_PREFIX + name: value for name, value in key.items()})
    return reference


@dataclass(frozen=True, slots=True)
class _Reference:
    """A key-only object in the data, and where it sits."""

    container: Any
    slot: str | int
    path: tuple[str | int, ...]
    representation: dict[str, Any]

    def settle(self, entity: dict[str, Any] | None) -> None:
        if entity is None:
            self.container[self.slot] = None
        else:
            self.container[self.slot].update(entity)


async def run_entity_level(
    state: RequestState,
    plan: Plan,
    level: EntityLevel,
    data: dict[str, Any],
    keys: Mapping[str, tuple[str, ...]],
) -> None:
    by_owner: dict[str, dict[int, list[_Reference]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for index, flatten in enumerate(level.flattens):
        for reference in _references(data, flatten, keys[flatten.type_name]):
            owner = _owner(reference.representation, state.network)
            if flatten.key_only:
                reference.settle(reference.representation)
            elif owner is None:
                reference.settle(None)
            else:
                by_owner[owner][index].append(reference)
    await asyncio.gather(
        *(
            _fetch_from(state, plan, level, owner, grouped)
            for owner, grouped in by_owner.items()
        )
    )


async def _fetch_from(
    state: RequestState,
    plan: Plan,
    level: EntityLevel,
    owner: str,
    grouped: dict[int, list[_Reference]],
) -> None:
    flattens = {index: level.flattens[index] for index in sorted(grouped)}
    document = _entities_document(plan, flattens)
    variables: dict[str, Any] = {
        name: state.raw_variables[name]
        for flatten in flattens.values()
        for name in flatten.variables
        if name in state.raw_variables
    }
    for index, references in grouped.items():
        variables[f"r{index}"] = [r.representation for r in references]
    member = state.network.member(owner)
    assert member is not None, "owners come from the network's members"
    first = next(iter(grouped.values()))[0]
    answer = await call_member(state, member, document, variables, list(first.path))
    results = (answer.data or {}) if answer else {}
    for index, references in grouped.items():
        entities = results.get(f"e{index}") or [None] * len(references)
        for reference, entity in zip(references, entities, strict=False):
            reference.settle(entity)
    for reported in answer.errors if answer else ():
        path = _client_path(reported.get("path"), grouped) or list(first.path)
        state.errors.append(relay_error(owner, reported, path))


def _entities_document(plan: Plan, flattens: dict[int, Flatten]) -> str:
    definitions = [f"$r{index}: [_Any!]!" for index in flattens]
    used = sorted({name for f in flattens.values() for name in f.variables})
    definitions += [plan.variable_definitions[name] for name in used]
    fields = " ".join(
        f"e{index}: _entities(representations: $r{index})"
        f" {{ ... on {flatten.type_name} {flatten.selection} }}"
        for index, flatten in flattens.items()
    )
    return f"query GatewayEntities({', '.join(definitions)}) {{ {fields} }}"


def _client_path(
    reported: list[str | int] | None, grouped: dict[int, list[_Reference]]
) -> list[str | int] | None:
    """A member's error path in the client's terms: e0.3.name -> its place."""
    if not reported or len(reported) < 2:
        return None
    alias, position, *rest = reported
    if not (
        isinstance(alias, str) and alias.startswith("e") and isinstance(position, int)
    ):
        return None
    references = grouped.get(int(alias[1:]), [])
    if not 0 <= position < len(references):
        return None
    return [*references[position].path, *rest]


def _references(
    data: dict[str, Any], flatten: Flatten, key_fields: tuple[str, ...]
) -> Iterator[_Reference]:
    first, *rest = flatten.path
    yield from _walk(data, first, tuple(rest), (first,), key_fields)


def _walk(
    container: Any,
    slot: str | int,
    rest: tuple[str, ...],
    where: tuple[str | int, ...],
    key_fields: tuple[str, ...],
) -> Iterator[_Reference]:
    value = container[slot] if isinstance(slot, int) else container.get(slot)
    if isinstance(value, list):
        for index in range(len(value)):
            yield from _walk(value, index, rest, (*where, index), key_fields)
    elif isinstance(value, dict):
        if rest:
            yield from _walk(value, rest[0], rest[1:], (*where, rest[0]), key_fields)
        elif _TYPENAME in value:
            yield _Reference(container, slot, where, _representation(value, key_fields))


def _representation(
    value: dict[str, Any], key_fields: tuple[str, ...]
) -> dict[str, Any]:
    representation = {"__typename": value[_TYPENAME]}
    for name in key_fields:
        representation[name] = value.get(HIDDEN_PREFIX + name)
    return representation


def _owner(representation: dict[str, Any], network: NetworkConfig) -> str | None:
    """The member that owns an entity, read from its key."""
    for name, value in representation.items():
        if name == "__typename" or not isinstance(value, str):
            continue
        try:
            return GlobalId.parse(value).institution
        except InvalidGlobalId:
            if network.member(value) is not None:
                return value
    return None
