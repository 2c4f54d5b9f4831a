"""The network contract, and how a member's SDL is checked against it.

``schema/*.graphql`` is what every member implements. ``schema/network/``
is the gateway's own layer on top: the directives that say how each field
is served, and the fields only the network answers (works merged from every
member's records, say). A member implements the contract when its SDL has
exactly the members' types, fields, arguments, enum values and union
members, with the same types. Descriptions and directives do not take part
in the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    parse,
    print_ast,
)

from ..errors import ConfigurationError

__all__ = [
    "DEFAULT_CONTRACT_DIR",
    "NETWORK_LAYER",
    "Contract",
    "ContractDifference",
    "build_sdl_schema",
    "compare_with_contract",
    "load_contract",
]

DEFAULT_CONTRACT_DIR = Path(__file__).resolve().parents[2] / "schema"
NETWORK_LAYER = "network"

# Types that federation adds to every subgraph; they are not the contract's.
_FEDERATION_TYPES = frozenset(
    {"_Service", "_Entity", "_Any", "FieldSet", "link__Import"}
)
_FEDERATION_FIELDS = frozenset({"_service", "_entities"})


@dataclass(frozen=True, slots=True)
class ContractDifference:
    """One way in which a member's schema departs from the contract."""

    coordinate: str
    problem: str

    def __str__(self) -> str:
        return f"{self.coordinate}: {self.problem}"


@dataclass(frozen=True)
class Contract:
    """The contract, loaded once: the network's schema and the members' part."""

    schema: GraphQLSchema
    member_schema: GraphQLSchema

    @classmethod
    def load(cls, directory: Path = DEFAULT_CONTRACT_DIR) -> Contract:
        members = load_contract(directory)
        network = _read_sdl(directory / NETWORK_LAYER)
        return cls(
            build_sdl_schema(members + "\n" + network), build_sdl_schema(members)
        )

    def differences(self, member_sdl: str) -> list[ContractDifference]:
        """How a member's SDL departs from the contract; empty if it does not."""
        return compare_with_contract(self.member_schema, build_sdl_schema(member_sdl))


def load_contract(directory: Path = DEFAULT_CONTRACT_DIR) -> str:
    """What every member implements: the ``*.graphql`` files of ``directory``."""
    sdl = _read_sdl(directory)
    if not sdl:
        raise ConfigurationError(
            f"no *.graphql files in {directory}; set [gateway] contract"
            " in the network file to the folder of the network contract"
        )
    return sdl


def _read_sdl(directory: Path) -> str:
    files = sorted(directory.glob("*.graphql"))
    return "\n".join(path.read_text("utf-8") for path in files)


def build_sdl_schema(sdl: str | DocumentNode) -> GraphQLSchema:
    """A schema from federation SDL, whose directives need no definitions."""
    document = parse(sdl) if isinstance(sdl, str) else sdl
    return build_ast_schema(document, assume_valid_sdl=True)


def compare_with_contract(
    contract: GraphQLSchema, member: GraphQLSchema
) -> list[ContractDifference]:
    """Every difference between a member's schema and the contract."""
    differences: list[ContractDifference] = []
    wanted, offered = _own_types(contract), _own_types(member)
    for name in sorted(wanted.keys() - offered.keys()):
        differences.append(ContractDifference(name, "type is missing"))
    for name in sorted(offered.keys() - wanted.keys()):
        differences.append(ContractDifference(name, "type is not in the contract"))
    for name in sorted(wanted.keys() & offered.keys()):
        differences += _compare_types(wanted[name], offered[name])
    return differences


def _own_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {
        name: named
        for name, named in schema.type_map.items()
        if not name.startswith("__") and name not in _FEDERATION_TYPES
    }


def _compare_types(
    wanted: GraphQLNamedType, offered: GraphQLNamedType
) -> list[ContractDifference]:
    if type(wanted) is not type(offered):
        return [
            ContractDifference(
                wanted.name,
                f"is declared with {_kind(offered)!r},"
                f" the contract declares it with {_kind(wanted)!r}",
            )
        ]
    if isinstance(wanted, GraphQLEnumType):
        assert isinstance(offered, GraphQLEnumType)
        return _compare_names(wanted.name, "value", wanted.values, offered.values)
    if isinstance(wanted, GraphQLUnionType):
        assert isinstance(offered, GraphQLUnionType)
        return _compare_names(
            wanted.name,
            "member type",
            {t.name: t for t in wanted.types},
            {t.name: t for t in offered.types},
        )
    if isinstance(
        wanted, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
    ):
        assert isinstance(
            offered, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        )
        return _compare_fields(wanted.name, wanted.fields, offered.fields)
    return []


def _without_federation(
    fields: Mapping[str, GraphQLField | GraphQLInputField],
) -> dict[str, GraphQLField | GraphQLInputField]:
    return {name: f for name, f in fields.items() if name not in _FEDERATION_FIELDS}


def _compare_names(
    owner: str, what: str, wanted: Mapping[str, object], offered: Mapping[str, object]
) -> list[ContractDifference]:
    missing = [
        ContractDifference(f"{owner}.{name}", f"{what} is missing")
        for name in sorted(wanted.keys() - offered.keys())
    ]
    extra = [
        ContractDifference(f"{owner}.{name}", f"{what} is not in the contract")
        for name in sorted(offered.keys() - wanted.keys())
    ]
    return missing + extra


Slot = GraphQLField | GraphQLInputField | GraphQLArgument


def _compare_fields(
    owner: str,
    wanted_fields: Mapping[str, GraphQLField | GraphQLInputField],
    offered_fields: Mapping[str, GraphQLField | GraphQLInputField],
) -> list[ContractDifference]:
    wanted = _without_federation(wanted_fields)
    offered = _without_federation(offered_fields)
    differences = _compare_names(owner, "field", wanted, offered)
    for name in sorted(wanted.keys() & offered.keys()):
        coordinate = f"{owner}.{name}"
        differences += _compare_slot(coordinate, wanted[name], offered[name])
        wanted_args = getattr(wanted[name], "args", {})
        offered_args = getattr(offered[name], "args", {})
        differences += _compare_names(coordinate, "argument", wanted_args, offered_args)
        for arg in sorted(wanted_args.keys() & offered_args.keys()):
            differences += _compare_slot(
                f"{coordinate}({arg}:)", wanted_args[arg], offered_args[arg]
            )
    return differences


def _compare_slot(
    coordinate: str, wanted: Slot, offered: Slot
) -> list[ContractDifference]:
    differences = []
    if str(wanted.type) != str(offered.type):
        differences.append(
            ContractDifference(
                coordinate, f"has type {offered.type}, the contract says {wanted.type}"
            )
        )
    wanted_default, offered_default = _default_of(wanted), _default_of(offered)
    if wanted_default != offered_default:
        differences.append(
            ContractDifference(
                coordinate,
                f"defaults to {offered_default}, the contract says {wanted_default}",
            )
        )
    return differences


def _default_of(slot: Slot) -> str | None:
    """The default as written in the SDL; both schemas come from SDL."""
    node = slot.ast_node
    default = getattr(node, "default_value", None)
    return print_ast(default) if default is not None else None


_KINDS = {
    GraphQLObjectType: "type",
    GraphQLInterfaceType: "interface",
    GraphQLUnionType: "union",
    GraphQLEnumType: "enum",
    GraphQLInputObjectType: "input",
}


def _kind(named: GraphQLNamedType) -> str:
    """The SDL keyword that declares a type of this kind."""
    return _KINDS.get(type(named), "scalar")
