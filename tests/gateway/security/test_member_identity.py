"""Members answer only calls the gateway signed, for them, recently."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import jwt
import pytest

from fulfillment_network.identity import (
    GatewaySigner,
    IdentityRefused,
    MemberGate,
    key_id,
    write_key_pair,
)

from ...network import RunningNetwork, gateway_keys

QUERY = {"query": "{ institutions { code } }"}


async def _call(url: str, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url + "/graphql", json=QUERY, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


def _signer() -> GatewaySigner:
    return GatewaySigner.from_file(gateway_keys()[0])


async def test_a_member_refuses_calls_around_the_gateway(
    network: RunningNetwork, tmp_path: Path
) -> None:
    member = network.member_urls["TSTA"]
    expired = GatewaySigner(_signer().key, lifetime=-10).token_for("TSTA")
    for_another = _signer().token_for("TSTB")
    other_key, _ = write_key_pair(tmp_path)
    forged = GatewaySigner.from_file(other_key).token_for("TSTA")

    refusals = [
        await _call(member, token) for token in (None, expired, for_another, forged)
    ]
    accepted = await _call(member, _signer().token_for("TSTA"))

    for status, body in refusals:
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert accepted == (200, {"data": {"institutions": [{"code": "TSTA"}]}})


def test_a_token_is_reused_for_half_its_life_then_renewed() -> None:
    signer = _signer()
    start = time.time()

    first = signer.token_for("TSTA", now=start)

    assert signer.token_for("TSTA", now=start + 29) == first
    assert signer.token_for("TSTA", now=start + 31) != first
    assert signer.token_for("TSTB", now=start) != first


def _gate_trusting(tmp_path: Path, *public_keys: Path) -> MemberGate:
    trusted = tmp_path / "trusted.pem"
    trusted.write_bytes(b"".join(path.read_bytes() for path in public_keys))
    return MemberGate.from_file(trusted, "TSTA")


def _bearer(signer: GatewaySigner) -> str:
    return f"Bearer {signer.token_for('TSTA')}"


def test_a_member_trusting_two_keys_accepts_either_while_the_key_rotates(
    tmp_path: Path,
) -> None:
    old_private, old_public = write_key_pair(tmp_path / "old")
    new_private, new_public = write_key_pair(tmp_path / "new")
    _, stranger_public = write_key_pair(tmp_path / "stranger")
    old, new = (
        GatewaySigner.from_file(old_private),
        GatewaySigner.from_file(new_private),
    )

    during = _gate_trusting(tmp_path, old_public, new_public)
    after = _gate_trusting(tmp_path, new_public)
    not_ours = _gate_trusting(tmp_path, stranger_public)

    assert during.check(_bearer(old))["aud"] == "TSTA"
    assert during.check(_bearer(new))["aud"] == "TSTA"
    assert after.check(_bearer(new))["aud"] == "TSTA"
    for gate, signer in ((after, old), (not_ours, new)):
        with pytest.raises(IdentityRefused, match="key not trusted"):
            gate.check(_bearer(signer))


def test_a_token_names_its_key_by_thumbprint(tmp_path: Path) -> None:
    private, public = write_key_pair(tmp_path)
    signer = GatewaySigner.from_file(private)

    header = jwt.get_unverified_header(signer.token_for("TSTA"))

    [trusted] = MemberGate.from_file(public, "TSTA").keys
    assert header["kid"] == trusted == key_id(signer.key.public_key())
    assert len(trusted) == 43  # a SHA-256, base64url without padding


def test_a_token_naming_no_key_is_checked_only_against_a_single_key(
    tmp_path: Path,
) -> None:
    private, public = write_key_pair(tmp_path / "one")
    _, other_public = write_key_pair(tmp_path / "two")
    signer = GatewaySigner.from_file(private)
    claims = jwt.decode(signer.token_for("TSTA"), options={"verify_signature": False})
    unnamed = f"Bearer {jwt.encode(claims, signer.key, algorithm='EdDSA')}"

    assert MemberGate.from_file(public, "TSTA").check(unnamed)["aud"] == "TSTA"
    with pytest.raises(IdentityRefused, match="key not trusted"):
        _gate_trusting(tmp_path, public, other_public).check(unnamed)


def test_a_key_file_without_a_public_key_or_with_a_private_one_is_refused(
    tmp_path: Path,
) -> None:
    private, _ = write_key_pair(tmp_path)
    empty = tmp_path / "empty.pem"
    empty.write_text("")

    with pytest.raises(ValueError, match="no public key"):
        MemberGate.from_file(empty, "TSTA")
    with pytest.raises(ValueError, match="holds a private key"):
        MemberGate.from_file(private, "TSTA")
