from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from fulfillment_network.cli import build_parser
from fulfillment_network.demo import demo_patron_id
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


async def _accepted(token: str, data_dir: Path) -> Caller | None:
    """Who the demo gateway takes the token's bearer for."""
    jwks = write_demo_issuer(data_dir.parent / "keys")
    authenticator = Authenticator(
        [IssuerConfig(DEMO_ISSUER, DEMO_AUDIENCE, jwks_file=jwks)], session=None
    )
    return await authenticator.authenticate(f"Bearer {token}")


def _token(data_dir: Path, *options: str) -> int:
    """The token command for ASH, in-process (its token or its complaint
    goes to stdout or stderr); its exit status."""
    arguments = build_parser().parse_args(
        ["token", "--institution", "ASH", *options, "--data-dir", str(data_dir)]
    )
    status: int = arguments.run(arguments)
    return status


async def test_a_token_from_the_token_command_is_accepted_by_the_gateway(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "postgres"
    token = await asyncio.to_thread(_token_from_the_command, data_dir)

    caller = await _accepted(token, data_dir)

    assert caller == Caller(
        subject="demo-user",
        issuer=DEMO_ISSUER,
        institution="ASH",
        roles=frozenset({"circulation_desk_operator"}),
        scopes=frozenset({"discovery"}),
    )


async def test_a_demo_patron_by_number_carries_their_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "postgres"

    status = _token(data_dir, "--patron", "2")

    caller = await _accepted(capsys.readouterr().out.strip(), data_dir)
    assert status == 0
    assert caller is not None
    assert caller.patron == "Patron:ASH:2"
    assert caller.network_patron == str(demo_patron_id("ASH", "Sam Scholar"))
    assert not caller.is_staff


async def test_an_application_acting_for_a_patron_named_by_global_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, card = tmp_path / "postgres", str(uuid.uuid4())
    options = ["--patron", "Patron:ASH:42", "--network-patron", card]
    options += ["--client", "campus-app", "--scope", "patron:read"]

    status = _token(data_dir, *options)

    caller = await _accepted(capsys.readouterr().out.strip(), data_dir)
    assert status == 0
    assert caller is not None
    assert (caller.patron, caller.network_patron) == ("Patron:ASH:42", card)
    assert caller.client == "campus-app"
    assert caller.scopes == frozenset({"patron:read"})


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--patron", "4"], id="no-such-demo-patron"),
        pytest.param(["--patron", "Patron:BRK:1"], id="another-members-patron"),
        pytest.param(["--patron", "Loan:ASH:1"], id="not-a-patron-id"),
        pytest.param(
            ["--patron", "1", "--network-patron", str(uuid.uuid4())],
            id="demo-patron-with-another-card",
        ),
        pytest.param(
            ["--patron", "Patron:ASH:1", "--network-patron", "x"], id="card-not-uuid"
        ),
        pytest.param(["--network-patron", str(uuid.uuid4())], id="card-alone"),
    ],
)
def test_the_token_command_refuses_a_patron_it_cannot_vouch_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    status = _token(tmp_path / "postgres", *options)

    printed = capsys.readouterr()
    assert status == 2
    assert printed.out == ""
    assert printed.err.startswith("fulfillment-network: ")
