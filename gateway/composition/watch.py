"""Taking a changed network file without a restart."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..config import load_network, taken_at_restart
from ..errors import ConfigurationError
from .registry import MemberRegistry

__all__ = ["watch_network_file"]

logger = logging.getLogger("gateway.composition")

# How often the file's modification time is looked at, in seconds.
POLL_INTERVAL = 2.0


async def watch_network_file(
    path: Path, registry: MemberRegistry, interval: float = POLL_INTERVAL
) -> None:
    """Reload ``registry`` whenever ``path`` changes; runs until cancelled.

    The members and the timeouts change at once; other changed settings are
    named in a warning, and wait for a restart. A file that cannot be read
    or parsed is reported and skipped: the gateway goes on with the network
    it has.
    """
    seen = await _modified(path)
    while True:
        await asyncio.sleep(interval)
        changed = await _modified(path)
        if changed is None or changed == seen:
            continue
        seen = changed
        try:
            network = await asyncio.to_thread(load_network, path)
        except ConfigurationError as error:
            logger.error("network file not taken", extra={"error": str(error)})
            continue
        waiting = taken_at_restart(registry.network, network)
        if waiting:
            # Said, so that nobody believes a change took effect that did not.
            logger.warning(
                "network file: %s take effect at the next restart",
                ", ".join(waiting),
            )
        await registry.reload(network)


async def _modified(path: Path) -> int | None:
    try:
        stat = await asyncio.to_thread(path.stat)
    except OSError:
        return None
    return stat.st_mtime_ns
