"""``fulfillment-network walkthrough`` against a running network: each step
signed in as whoever takes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fulfillment_network.postgres import PostgresServer
from fulfillment_network.walkthrough import run_walkthrough

from ..network import issuer_folder, load_catalogues, running_network


async def test_the_walkthrough_plays_pick_up_anywhere_to_the_end(
    postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    await load_catalogues(postgres.dsn)
    async with running_network(postgres.dsn) as network:
        status = await asyncio.to_thread(
            run_walkthrough, network.gateway_url + "/graphql", issuer_folder()
        )

    told = capsys.readouterr().out
    assert status == 0, told
    assert "1. The patron requests it: PICK_FROM_SHELF" in told
    assert "7. The owner receives it: AVAILABLE" in told


def test_the_walkthrough_needs_the_demos_issuer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_walkthrough("http://127.0.0.1:9/graphql", tmp_path / "missing")

    assert status == 1
    assert "start the demo first" in capsys.readouterr().out
