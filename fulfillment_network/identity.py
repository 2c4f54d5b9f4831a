"""The gateway's identity on every member call.

The gateway signs a short-lived token for each member (audience: that
member's code) with its private key; a member accepts a call only with a
valid one, checked against the gateway's public key. A member is therefore
no use to anyone who reaches it around the gateway. Ed25519 (EdDSA) keys,
PEM files, JWTs by PyJWT.

Each token names its key (``kid``: the key's RFC 7638 thumbprint), and a
member may trust several keys, all held in its one public-key file. That is
how the key is rotated with no call refused: add the new public key to the
members' file and restart them, then give the gateways the new private key,
then drop the old public key.

The token also says who the gateway is calling for (the ``caller`` claim):
the person or application the gateway authenticated, or nobody for an
anonymous request. Members apply their own checks to that caller again.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "CONSORTIAL_ROLES",
    "GATEWAY_ISSUER",
    "Caller",
    "GatewaySigner",
    "IdentityRefused",
    "MemberGate",
    "key_id",
    "write_key_pair",
]

GATEWAY_ISSUER = "fulfillment-network-gateway"
PRIVATE_KEY_FILE = "gateway-signing-key.pem"
PUBLIC_KEY_FILE = "gateway-public-key.pem"


# The roles that carry the consortial-services privilege: Network Activity
# at the patron's home institution, and the network's desk workflows.
CONSORTIAL_ROLES = frozenset(
    {
        "circulation_desk_manager",
        "circulation_desk_operator",
        "circulation_desk_operator_limited",
        "user_manager",
        "user_administrator",
    }
)

# Bounds the signer's cache of tokens per (member, caller).
_MAX_CACHED_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request is for, as the gateway verified it.

    A patron carries ``patron`` (their global ID at home) and
    ``network_patron`` (the network patron card, the same at every member);
    staff carry ``roles`` at ``institution``; a third-party application
    carries ``client``, alone or acting for a patron or a member of staff.
    """

    subject: str
    issuer: str
    institution: str | None = None
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    patron: str | None = None
    network_patron: str | None = None
    client: str | None = None

    @property
    def is_patron(self) -> bool:
        return self.patron is not None

    @property
    def is_staff(self) -> bool:
        return self.patron is None and bool(self.roles)

    def claims(self) -> dict[str, Any]:
        """The caller as the gateway passes it on to members."""
        return {
            "sub": self.subject,
            "iss": self.issuer,
            "institution": self.institution,
            "roles": sorted(self.roles),
            "scopes": sorted(self.scopes),
            "patron": self.patron,
            "network_patron": self.network_patron,
            "client": self.client,
        }

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Caller:
        return cls(
            subject=str(claims["sub"]),
            issuer=str(claims["iss"]),
            institution=claims.get("institution"),
            roles=frozenset(claims.get("roles") or ()),
            scopes=frozenset(claims.get("scopes") or ()),
            patron=claims.get("patron"),
            network_patron=claims.get("network_patron"),
            client=claims.get("client"),
        )


class IdentityRefused(Exception):
    """A member call without a valid gateway identity."""


def write_key_pair(
    folder: Path, public_folder: Path | None = None
) -> tuple[Path, Path]:
    """A new key pair (kept if one is there): the private key's path and the
    public key's, in ``public_folder`` if given (members need only that)."""
    public_folder = public_folder or folder
    for place in (folder, public_folder):
        place.mkdir(parents=True, exist_ok=True)
    private, public = folder / PRIVATE_KEY_FILE, public_folder / PUBLIC_KEY_FILE
    if not (private.exists() and public.exists()):
        key = Ed25519PrivateKey.generate()
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
        )
    return private, public


def key_id(key: Ed25519PublicKey) -> str:
    """The key's JWK thumbprint (RFC 7638): the same wherever it is worked
    out, so that a token can name the key that checks it."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    # The JWK's required members, in lexical order, with no whitespace.
    jwk = f'{{"crv":"Ed25519","kty":"OKP","x":"{_base64url(raw)}"}}'
    return _base64url(hashlib.sha256(jwk.encode()).digest())


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_PUBLIC_KEY = re.compile(
    rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S
)


def _public_keys(path: Path) -> dict[str, Ed25519PublicKey]:
    """Every public key in a PEM file, by key ID."""
    text = path.read_bytes()
    if b"PRIVATE KEY-----" in text:
        # A member holding the gateway's private key could sign as it.
        raise ValueError(f"{path} holds a private key: give members the public key")
    keys = {}
    for block in _PUBLIC_KEY.findall(text):
        key = serialization.load_pem_public_key(block)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{path} holds a key that is not an Ed25519 public key")
        keys[key_id(key)] = key
    if not keys:
        raise ValueError(f"{path} holds no public key")
    return keys


@dataclass
class GatewaySigner:
    """Signs the gateway's tokens, reusing each (member, caller)'s for half
    its life."""

    key: Ed25519PrivateKey
    lifetime: float = 60.0
    _issued: dict[tuple[str, Caller | None], tuple[float, str]] = field(
        default_factory=dict
    )
    _header: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self._header = {"kid": key_id(self.key.public_key())}

    @classmethod
    def from_file(cls, path: Path) -> GatewaySigner:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return cls(key)

    def token_for(
        self, member: str, caller: Caller | None = None, now: float | None = None
    ) -> str:
        now = time.time() if now is None else now
        issued = self._issued.get((member, caller))
        if issued is not None and now - issued[0] < self.lifetime / 2:
            return issued[1]
        claims: dict[str, Any] = {
            "iss": GATEWAY_ISSUER,
            "aud": member,
            "iat": int(now),
            "exp": int(now + self.lifetime),
        }
        if caller is not None:
            claims["caller"] = caller.claims()
        token = jwt.encode(claims, self.key, algorithm="EdDSA", headers=self._header)
        if len(self._issued) >= _MAX_CACHED_TOKENS:
            self._issued.clear()
        self._issued[(member, caller)] = (now, token)
        return token


@dataclass(frozen=True)
class MemberGate:
    """What a member checks on each call: the gateway signed it, for us, now,
    with a key we trust."""

    keys: Mapping[str, Ed25519PublicKey]
    member: str

    @classmethod
    def from_file(cls, path: Path, member: str) -> MemberGate:
        """The gate trusting every public key in ``path`` (PEM blocks, one
        after another: two while the gateway's key is being rotated)."""
        return cls(_public_keys(path), member)

    def caller(self, authorization: str | None) -> Caller | None:
        """Who the gateway calls for; None for an anonymous request."""
        claims = self.check(authorization).get("caller")
        if not isinstance(claims, Mapping):
            return None
        try:
            return Caller.from_claims(claims)
        except KeyError as error:
            raise IdentityRefused("the gateway identity names no caller") from error

    def check(self, authorization: str | None) -> Mapping[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise IdentityRefused("the call carries no gateway identity")
        try:
            claims: Mapping[str, Any] = jwt.decode(
                token,
                self._key_for(token),
                algorithms=["EdDSA"],
                audience=self.member,
                issuer=GATEWAY_ISSUER,
                options={"require": ["exp", "iat", "aud", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise IdentityRefused(
                f"the gateway identity is not valid: {error}"
            ) from error
        return claims

    def _key_for(self, token: str) -> Ed25519PublicKey:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self.keys) == 1:
            # A token that names no key, with one key trusted: that one.
            return next(iter(self.keys.values()))
        key = self.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise IdentityRefused("the gateway identity is signed by a key not trusted")
        return key
