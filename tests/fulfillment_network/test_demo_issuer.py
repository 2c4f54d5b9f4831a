from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from fulfillment_network.demo_issuer import (
    DEMO_AUDIENCE,
    DEMO_ISSUER,
    write_demo_issuer,
)
from gateway.security.authentication import Authenticator, Caller, IssuerConfig


def _token_from_the_command(data_dir: Path) -> str:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fulfillment_network",
            "token",
            "--institution",
            "ASH",
            "--role",
            "circulation_desk_operator",
            "--scope",
            "discovery",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout.strip()


async def test_a_token_from_the_token_command_is_accepted_by_the_gateway(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "postgres"
    token = await asyncio.to_thread(_token_from_the_command, data_dir)
    jwks = write_demo_issuer(tmp_path / "keys")
    authenticator = Authenticator(
        [IssuerConfig(DEMO_ISSUER, DEMO_AUDIENCE, jwks_file=jwks)], session=None
    )

    caller = await authenticator.authenticate(f"Bearer {token}")

    assert caller == Caller(
        subject="demo-user",
        issuer=DEMO_ISSUER,
        institution="ASH",
        roles=frozenset({"circulation_desk_operator"}),
        scopes=frozenset({"discovery"}),
    )
