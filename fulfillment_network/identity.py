"""The gateway's identity on every member call.

The gateway signs a short-lived token for each member (audience: that
member's code) with its private key; a member accepts a call only with a
valid one, checked against the gateway's public key. A member is therefore
no use to anyone who reaches it around the gateway. Ed25519 (EdDSA) keys,
PEM files, JWTs by PyJWT.
"""

from __future__ import annotations

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
    "GATEWAY_ISSUER",
    "GatewaySigner",
    "IdentityRefused",
    "MemberGate",
    "write_key_pair",
]

GATEWAY_ISSUER = "fulfillment-network-gateway"
PRIVATE_KEY_FILE = "gateway-signing-key.pem"
PUBLIC_KEY_FILE = "gateway-public-key.pem"


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


@dataclass
class GatewaySigner:
    """Signs the gateway's tokens, reusing each member's for half its life."""

    key: Ed25519PrivateKey
    lifetime: float = 60.0
    _issued: dict[str, tuple[float, str]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> GatewaySigner:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return cls(key)

    def token_for(self, member: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        issued = self._issued.get(member)
        if issued is not None and now - issued[0] < self.lifetime / 2:
            return issued[1]
        claims = {
            "iss": GATEWAY_ISSUER,
            "aud": member,
            "iat": int(now),
            "exp": int(now + self.lifetime),
        }
        token = jwt.encode(claims, self.key, algorithm="EdDSA")
        self._issued[member] = (now, token)
        return token


@dataclass(frozen=True)
class MemberGate:
    """What a member checks on each call: the gateway signed it, for us, now."""

    key: Ed25519PublicKey
    member: str

    @classmethod
    def from_file(cls, path: Path, member: str) -> MemberGate:
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{path} does not hold an Ed25519 public key")
        return cls(key, member)

    def check(self, authorization: str | None) -> Mapping[str, Any]:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise IdentityRefused("the call carries no gateway identity")
        try:
            claims: Mapping[str, Any] = jwt.decode(
                token,
                self.key,
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
