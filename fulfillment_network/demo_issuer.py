"""The demo's own token issuer, so that users can try signed-in requests.

``fulfillment-network token --institution ASH --role circulation_desk_operator``
prints a token this issuer signed for a member of ASH's staff, and
``--patron 1`` one for ASH's first demo patron; the demo's gateway trusts
the issuer through a JWKS file beside the key. Not for production: a real network
trusts its members' own identity providers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import jwt
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["DEMO_AUDIENCE", "DEMO_ISSUER", "demo_token", "write_demo_issuer"]

DEMO_ISSUER = "https://demo-issuer.fulfillment-network.invalid"
DEMO_AUDIENCE = "fulfillment-network"
_KEY_ID = "demo-1"
_KEY_FILE = "demo-issuer-key.pem"
_JWKS_FILE = "demo-issuer-jwks.json"


def write_demo_issuer(folder: Path) -> Path:
    """The issuer's key and JWKS in ``folder`` (kept if there); the JWKS path."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file, jwks_file = folder / _KEY_FILE, folder / _JWKS_FILE
    if not (key_file.exists() and jwks_file.exists()):
        key = Ed25519PrivateKey.generate()
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_file.chmod(0o600)
        jwk = orjson.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
        jwks_file.write_bytes(orjson.dumps({"keys": [{**jwk, "kid": _KEY_ID}]}))
    return jwks_file


def demo_token(
    folder: Path,
    *,
    institution: str,
    subject: str,
    roles: Sequence[str] = (),
    scopes: Sequence[str] = (),
    patron: str | None = None,
    network_patron: str | None = None,
    client: str | None = None,
    lifetime: float = 8 * 3600,
) -> str:
    """A token signed by the issuer in ``folder`` (made there if missing).

    Staff carry ``roles`` at ``institution``; a patron carries ``patron``
    (their global ID at home) and ``network_patron`` (their network patron
    id); ``client`` makes it an application's token, whose ``scopes`` then
    count.
    """
    write_demo_issuer(folder)
    key = serialization.load_pem_private_key((folder / _KEY_FILE).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{folder / _KEY_FILE} is not the demo issuer's key")
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": DEMO_ISSUER,
        "aud": DEMO_AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + int(lifetime),
        "institution": institution,
        "roles": list(roles),
        "scope": " ".join(scopes),
    }
    optional = {"patron": patron, "network_patron": network_patron, "client_id": client}
    claims.update({name: value for name, value in optional.items() if value})
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": _KEY_ID})
