from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from institution_subgraph.clock import ManualClock, SystemClock


def test_manual_clock_moves_only_when_told() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    clock = ManualClock(start)

    clock.advance(timedelta(days=2))

    assert clock.now() == start + timedelta(days=2)


def test_manual_clock_reports_utc() -> None:
    paris = timezone(timedelta(hours=1))
    clock = ManualClock(datetime(2025, 1, 1, 13, tzinfo=paris))

    assert clock.now().utcoffset() == timedelta(0)
    assert clock.now().hour == 12


def test_manual_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2025, 1, 1))


def test_system_clock_is_timezone_aware() -> None:
    assert SystemClock().now().tzinfo is not None
