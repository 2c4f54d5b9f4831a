"""Nothing personal reaches the logs: a whole workflow, every log record read."""

from __future__ import annotations

import logging

import pytest

from fulfillment_network.logs import EventFormatter

from ...network import running_network
from ..test_network_workflows import (
    ACTIVITY,
    ALEX,
    DECLARE_LOST,
    OWNER,
    PICKUP,
    REQUEST,
    WALK_IN,
    Story,
    desk,
)


async def test_a_whole_workflow_logs_no_patron_data_and_no_token(
    catalogues: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_network(catalogues) as network:
        story = Story(network)
        patron, alex = story.patron(ALEX), story.as_patron(ALEX)
        owner_staff = story.as_staff(OWNER)
        copies = await story.available_copies(OWNER)
        await story.step(
            REQUEST, by=alex, patron=patron, item=copies[0][1], desk=desk(PICKUP)
        )
        await story.step(
            WALK_IN, by=owner_staff, desk=desk(OWNER), item=copies[1][1], patron=patron
        )
        await story.step(
            DECLARE_LOST, by=owner_staff, desk=desk(OWNER), item=copies[1][1]
        )
        await story.ok(ACTIVITY, by=alex, patron=patron)
        # Refusals too: their messages must not reach the log either.
        await network.query(
            WALK_IN,
            {"key": "k", "desk": desk(OWNER), "item": copies[1][1], "patron": patron},
            token=owner_staff,
        )
        await network.query(ACTIVITY, {"patron": patron}, token=owner_staff)

    formatter = EventFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert caplog.records, "the workflow logs something"
    for secret in ("Alex Archivist", "alex@tsta.example.org", "Bearer ", "eyJ"):
        assert secret not in logged
