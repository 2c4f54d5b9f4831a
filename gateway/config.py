"""The network file: which members the gateway speaks for, and its settings.

A network file is TOML::

    [gateway]
    member_timeout = 5.0             # seconds a member may take to answer
    request_timeout = 10.0           # seconds a whole request may take
    on_contract_mismatch = "exclude" # or "refuse" to stop the start
    contract = "schema"              # folder of *.graphql, relative to this file
    production = true                # no IDE, no introspection, no suggestions
    unauthorized = "filter"          # or "reject": a refused field stops the
                                     # whole operation
    breaker_failures = 5             # member timeouts in a row that make the
    breaker_cool_off = 10.0          # gateway skip a member for this long

    [[members]]
    code = "ASH"
    name = "Ashford University"
    url = "http://127.0.0.1:4001/graphql"

    [[issuers]]                      # whose tokens clients may bring
    issuer = "https://login.ashford.example"
    audience = "fulfillment-network"
    jwks_url = "https://login.ashford.example/jwks.json"   # or jwks_file
    institution = "ASH"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .composition.contract import DEFAULT_CONTRACT_DIR
from .errors import ConfigurationError
from .security.authentication import ALLOWED_ALGORITHMS, IssuerConfig

__all__ = [
    "DEFAULT_MEMBER_TIMEOUT",
    "GatewaySettings",
    "MemberConfig",
    "NetworkConfig",
    "load_network",
    "parse_network",
    "taken_at_restart",
]

DEFAULT_MEMBER_TIMEOUT = 5.0
DEFAULT_REQUEST_TIMEOUT = 10.0

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")

MismatchPolicy = Literal["exclude", "refuse"]
UnauthorizedPolicy = Literal["filter", "reject"]


@dataclass(frozen=True, slots=True)
class MemberConfig:
    code: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    member_timeout: float = DEFAULT_MEMBER_TIMEOUT
    # The whole request's deadline; no member call outlives it.
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    on_contract_mismatch: MismatchPolicy = "exclude"
    contract: Path = DEFAULT_CONTRACT_DIR
    production: bool = True
    # A field the caller may not see: "filter" answers the rest with the
    # field null; "reject" answers nothing.
    unauthorized: UnauthorizedPolicy = "filter"
    # How long to wait before asking an unreachable member for its schema again.
    retry_interval: float = 5.0
    # A member whose calls wait out the whole member timeout this many times
    # in a row is skipped for breaker_cool_off seconds, its part of each
    # answer failing at once; 0 never skips a member.
    breaker_failures: int = 5
    breaker_cool_off: float = 10.0
    # Requests a second each client may make, in bursts up to rate_burst;
    # 0 turns the limit off.
    rate_limit: float = 50.0
    rate_burst: int = 200
    # A JSON file {sha256: document}: when set, only these operations run.
    safelist: Path | None = None
    # The gateway's private key (PEM): every member call carries an identity
    # signed with it, which members check.
    signing_key: Path | None = None

    def __post_init__(self) -> None:
        if self.member_timeout <= 0 or self.request_timeout <= 0:
            raise ConfigurationError("gateway timeouts must be positive")
        if self.on_contract_mismatch not in ("exclude", "refuse"):
            raise ConfigurationError(
                'gateway.on_contract_mismatch must be "exclude" or "refuse"'
            )
        if self.breaker_failures < 0 or self.breaker_cool_off <= 0:
            raise ConfigurationError(
                "gateway.breaker_failures must be 0 or more and"
                " gateway.breaker_cool_off positive"
            )
        if self.unauthorized not in ("filter", "reject"):
            raise ConfigurationError(
                'gateway.unauthorized must be "filter" or "reject"'
            )


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    members: tuple[MemberConfig, ...]
    settings: GatewaySettings = field(default_factory=GatewaySettings)
    # Who may sign the tokens clients bring; none: every client is anonymous.
    issuers: tuple[IssuerConfig, ...] = ()

    def member(self, code: str) -> MemberConfig | None:
        return next((m for m in self.members if m.code == code), None)


# What a changed network file changes at once, besides the members; every
# other setting, and the issuers, are read when the gateway starts.
LIVE_SETTINGS = frozenset({"member_timeout", "request_timeout", "retry_interval"})


def taken_at_restart(running: NetworkConfig, changed: NetworkConfig) -> list[str]:
    """The settings ``changed`` sets otherwise than ``running`` that take
    effect only when the gateway starts again."""
    waiting = [
        setting.name
        for setting in fields(GatewaySettings)
        if setting.name not in LIVE_SETTINGS
        and getattr(running.settings, setting.name)
        != getattr(changed.settings, setting.name)
    ]
    if running.issuers != changed.issuers:
        waiting.append("issuers")
    return waiting


def load_network(path: Path) -> NetworkConfig:
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read network file {path}: {error}") from error
    return parse_network(document, base=path.parent)


def parse_network(document: dict[str, Any], *, base: Path) -> NetworkConfig:
    members = tuple(_parse_member(entry) for entry in document.get("members", []))
    if not members:
        raise ConfigurationError("the network file lists no [[members]]")
    codes = [member.code for member in members]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ConfigurationError(f"member codes listed twice: {', '.join(duplicates)}")
    issuers = tuple(_parse_issuer(entry, base) for entry in document.get("issuers", []))
    settings = _parse_settings(document.get("gateway", {}), base)
    return NetworkConfig(members, settings, issuers)


def _parse_member(entry: dict[str, Any]) -> MemberConfig:
    try:
        member = MemberConfig(str(entry["code"]), str(entry["name"]), str(entry["url"]))
    except KeyError as error:
        raise ConfigurationError(
            f"a [[members]] entry lacks {error.args[0]!r}: {entry}"
        ) from error
    if not _CODE.match(member.code):
        raise ConfigurationError(
            f"member code {member.code!r} must be 2-16 capital letters or digits"
        )
    if not member.url.startswith(("http://", "https://")):
        raise ConfigurationError(f"member {member.code}: url must be http(s)")
    return member


def _parse_issuer(entry: dict[str, Any], base: Path) -> IssuerConfig:
    values = dict(entry)
    if "jwks_file" in values:
        values["jwks_file"] = (base / values["jwks_file"]).resolve()
    if "algorithms" in values:
        values["algorithms"] = tuple(values["algorithms"])
    try:
        issuer = IssuerConfig(**values)
    except TypeError as error:
        raise ConfigurationError(f"[[issuers]]: {error}") from error
    if (issuer.jwks_url is None) == (issuer.jwks_file is None):
        raise ConfigurationError(
            f"issuer {issuer.issuer}: give exactly one of jwks_url and jwks_file"
        )
    unsafe = sorted(set(issuer.algorithms) - set(ALLOWED_ALGORITHMS))
    if unsafe:
        raise ConfigurationError(f"issuer {issuer.issuer}: algorithms {unsafe} refused")
    return issuer


def _parse_settings(table: dict[str, Any], base: Path) -> GatewaySettings:
    known = set(GatewaySettings.__dataclass_fields__)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigurationError(f"unknown [gateway] settings: {', '.join(unknown)}")
    values = dict(table)
    for name in ("contract", "safelist", "signing_key"):
        if name in values:
            values[name] = (base / values[name]).resolve()
    try:
        return GatewaySettings(**values)
    except TypeError as error:
        raise ConfigurationError(f"[gateway]: {error}") from error
