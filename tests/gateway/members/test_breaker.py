"""A member that keeps failing is skipped for a cool-off, then probed."""

from __future__ import annotations

import asyncio

import pytest

from gateway.errors import (
    MemberFailed,
    MemberSkipped,
    MemberTimeout,
    MemberUnavailable,
)
from gateway.members.breaker import Breakers


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _breakers(clock: Clock, failures: int = 3) -> Breakers:
    return Breakers(failures=failures, cool_off=10.0, clock=clock)


def _fail(breakers: Breakers, error: Exception, *, full_timeout: bool = True) -> None:
    with pytest.raises(type(error)), breakers.guard("SLOW", full_timeout=full_timeout):
        raise error


def _answer(breakers: Breakers) -> None:
    with breakers.guard("SLOW"):
        pass


def _is_skipped(breakers: Breakers) -> bool:
    """Whether a call now is refused as skipped (if not, it answers)."""
    try:
        _answer(breakers)
    except MemberSkipped:
        return True
    return False


TIMEOUT = MemberTimeout("SLOW", "no answer within 2s")
REFUSED = MemberUnavailable("SLOW", "connection refused")


def test_timeouts_in_a_row_open_the_breaker_for_the_cool_off() -> None:
    clock = Clock()
    breakers = _breakers(clock)

    _fail(breakers, TIMEOUT)
    _fail(breakers, TIMEOUT)
    assert breakers.skipped() == []
    _fail(breakers, TIMEOUT)

    assert breakers.skipped() == ["SLOW"]
    assert _is_skipped(breakers)
    clock.now += 9.9
    assert _is_skipped(breakers)


def test_refused_connections_alone_never_skip_a_member() -> None:
    breakers = _breakers(Clock())

    for _ in range(10):
        _fail(breakers, REFUSED)
    assert not _is_skipped(breakers)

    # Nor do they reset the count of timeouts.
    _fail(breakers, TIMEOUT)
    _fail(breakers, TIMEOUT)
    _fail(breakers, REFUSED)
    _fail(breakers, TIMEOUT)
    assert _is_skipped(breakers)


def test_an_answer_between_failures_starts_the_count_again() -> None:
    breakers = _breakers(Clock())

    for _ in range(5):
        _fail(breakers, TIMEOUT)
        _fail(breakers, TIMEOUT)
        _answer(breakers)

    assert not _is_skipped(breakers)


def test_after_the_cool_off_one_probe_goes_and_its_answer_closes_the_breaker() -> None:
    clock = Clock()
    breakers = _breakers(clock)
    for _ in range(3):
        _fail(breakers, TIMEOUT)
    clock.now += 10

    with breakers.guard("SLOW"):
        # While the probe is out, nothing else goes.
        assert _is_skipped(breakers)

    assert breakers.skipped() == []
    assert not _is_skipped(breakers)


def test_a_failed_probe_opens_the_breaker_again() -> None:
    clock = Clock()
    breakers = _breakers(clock)
    for _ in range(3):
        _fail(breakers, TIMEOUT)
    clock.now += 10

    _fail(breakers, REFUSED)

    assert _is_skipped(breakers)
    clock.now += 10
    assert not _is_skipped(breakers)


def test_an_answer_with_errors_shows_the_member_is_there() -> None:
    breakers = _breakers(Clock())

    for _ in range(2):
        _fail(breakers, TIMEOUT)
    _fail(breakers, MemberFailed("SLOW", "HTTP 500"))
    for _ in range(2):
        _fail(breakers, TIMEOUT)

    assert not _is_skipped(breakers)


def test_a_timeout_cut_short_by_the_request_deadline_does_not_count() -> None:
    breakers = _breakers(Clock())

    for _ in range(10):
        _fail(breakers, TIMEOUT, full_timeout=False)

    assert not _is_skipped(breakers)


def test_a_probe_abandoned_by_its_client_frees_the_next_probe() -> None:
    clock = Clock()
    breakers = _breakers(clock)
    for _ in range(3):
        _fail(breakers, TIMEOUT)
    clock.now += 10

    _fail(breakers, asyncio.CancelledError())

    # The next call may probe, and the breaker is still open: its one
    # failure is enough to skip the member again.
    assert breakers.skipped() == []
    _fail(breakers, TIMEOUT)
    assert _is_skipped(breakers)


def test_a_skipped_call_is_told_with_its_reason() -> None:
    heard: list[str] = []
    breakers = Breakers(failures=1, cool_off=10.0, clock=Clock(), on_skip=heard.append)
    _fail(breakers, TIMEOUT)

    with pytest.raises(MemberSkipped) as skipped, breakers.guard("SLOW"):
        pass

    assert skipped.value.code == "MEMBER_UNAVAILABLE"
    assert skipped.value.status == "skipped"
    assert "last 1 calls failed" in skipped.value.reason
    assert heard == ["SLOW"]


def test_members_are_counted_apart() -> None:
    breakers = _breakers(Clock(), failures=1)

    _fail(breakers, TIMEOUT)

    with breakers.guard("OTHER"):
        pass
    assert breakers.skipped() == ["SLOW"]


def test_no_failures_limit_never_skips() -> None:
    breakers = _breakers(Clock(), failures=0)

    for _ in range(20):
        _fail(breakers, TIMEOUT)

    assert breakers.skipped() == []
    assert not _is_skipped(breakers)
