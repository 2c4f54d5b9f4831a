"""Where the circulation rules get the time from.

Due dates, fines, hold-shelf expiry and lost-item declarations all depend on
"now". Passing a clock in, instead of calling ``datetime.now`` deep inside,
lets the tests move time forward by weeks in a line of code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is told to move."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta``; return the new time."""
        if delta < timedelta(0):
            raise ValueError("a ManualClock only moves forward")
        self._now += delta
        return self._now
