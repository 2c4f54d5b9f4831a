"""A changed network file: what it changes at once, and what it only names."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from gateway.composition.contract import Contract
from gateway.composition.registry import MemberRegistry
from gateway.composition.watch import watch_network_file
from gateway.config import NetworkConfig, load_network
from gateway.members.client import MemberClient

FILE = """
[gateway]
member_timeout = {timeout}
production = {production}
rate_limit = {rate}

[[members]]
code = "ASH"
name = "Ashford"
url = "http://127.0.0.1:9/graphql"
"""


def _write(path: Path, *, timeout: float, production: str, rate: float) -> None:
    path.write_text(FILE.format(timeout=timeout, production=production, rate=rate))
    # Another modification time, however coarse the file system's clock.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


async def test_timeouts_change_at_once_and_the_rest_is_named_for_a_restart(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "network.toml"
    _write(path, timeout=5.0, production="true", rate=50.0)
    client = MemberClient.open()
    registry = MemberRegistry(load_network(path), Contract.load(), client)
    reloaded = asyncio.Event()
    reload = registry.reload

    async def reload_and_say(network: NetworkConfig) -> None:
        await reload(network)
        reloaded.set()

    monkeypatch.setattr(registry, "reload", reload_and_say)
    watcher = asyncio.create_task(watch_network_file(path, registry, interval=0.01))
    try:
        # The watcher notes the file as it was before it is changed.
        await asyncio.sleep(0.3)
        with caplog.at_level("WARNING", logger="gateway.composition"):
            _write(path, timeout=2.0, production="false", rate=0.0)
            await asyncio.wait_for(reloaded.wait(), timeout=10)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await client.close()

    assert registry.network.settings.member_timeout == 2.0
    # (The member itself is unreachable, and said so too.)
    [warning] = [
        r.getMessage()
        for r in caplog.records
        if r.getMessage().startswith("network file")
    ]
    assert warning == (
        "network file: production, rate_limit take effect at the next restart"
    )
