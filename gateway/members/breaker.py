"""Members that keep timing out are skipped for a while.

Without this, a member that hangs makes every request that needs it wait
out the member timeout. A member whose calls time out ``failures`` times in
a row is *open*: for ``cool_off`` seconds the gateway does not call it, and
that member's part of each answer fails at once (``MemberSkipped``). The
first call after the cool-off is a probe (*half open*): an answer closes the
breaker; a timeout or a refused connection opens it again for a cool-off.
An answer of any kind, an error the member reported too, shows the member
is there.

A refused connection alone never opens a breaker: it costs milliseconds,
not the member timeout, and a member started again is then used the moment
it listens. Only the full member timeout counts against a member: a call
cut short by its request's own deadline says nothing about the member. A
call abandoned for another reason (the client went away) counts neither way.

The breakers are per gateway process; replicas learn of a member's trouble
each for itself, within ``failures`` calls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import MemberFailed, MemberSkipped, MemberTimeout, MemberUnavailable

__all__ = ["Breakers"]

logger = logging.getLogger("gateway.members")


@dataclass(slots=True)
class _Health:
    failures: int = 0
    # While open: when the next probe may go; None while closed.
    open_until: float | None = None
    probing: bool = False


class Breakers:
    """One breaker per member, by code; ``failures=0`` turns them off."""

    def __init__(
        self,
        failures: int = 5,
        cool_off: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        on_skip: Callable[[str], None] | None = None,
    ) -> None:
        """``on_skip`` hears of each call skipped, by member (for metrics)."""
        self.failures = failures
        self.cool_off = cool_off
        self._clock = clock
        self._on_skip = on_skip
        self._health: dict[str, _Health] = {}

    @contextmanager
    def guard(self, member: str, *, full_timeout: bool = True) -> Iterator[None]:
        """Around one call to ``member``: refuses it at once while the member
        is open, and learns from how it ends. ``full_timeout``: whether the
        call had the whole member timeout, so that a timeout is the
        member's."""
        if not self.failures:
            yield
            return
        health = self._health.setdefault(member, _Health())
        probe = self._admit(member, health)
        try:
            yield
        except MemberTimeout:
            self._ended(member, health, failed=full_timeout, probe=probe)
            raise
        except MemberUnavailable:
            if probe:
                self._ended(member, health, failed=True, probe=probe)
            raise
        except MemberFailed:
            # It answered, if badly: it is there.
            self._ended(member, health, failed=False, probe=probe)
            raise
        except BaseException:
            # Not waited for (cancelled, say): says nothing of the member.
            self._abandoned(health, probe)
            raise
        else:
            self._ended(member, health, failed=False, probe=probe)

    def skipped(self) -> list[str]:
        """The members skipped now, waiting out their cool-off."""
        now = self._clock()
        return sorted(
            code
            for code, health in self._health.items()
            if health.open_until is not None
            and (now < health.open_until or health.probing)
        )

    def _admit(self, member: str, health: _Health) -> bool:
        """Whether the call is the probe; MemberSkipped if it may not go."""
        if health.open_until is None:
            return False
        if self._clock() < health.open_until or health.probing:
            if self._on_skip is not None:
                self._on_skip(member)
            raise MemberSkipped(
                member,
                f"skipped for now: its last {health.failures} calls failed;"
                " it is tried again shortly",
            )
        health.probing = True
        return True

    def _ended(
        self, member: str, health: _Health, *, failed: bool, probe: bool
    ) -> None:
        if probe:
            health.probing = False
        if not failed:
            if health.open_until is not None:
                logger.info("member %s answers again; no longer skipped", member)
            health.failures, health.open_until = 0, None
            return
        health.failures += 1
        if health.failures >= self.failures and (probe or health.open_until is None):
            health.open_until = self._clock() + self.cool_off
            logger.warning(
                "member %s skipped for %gs: its last %d calls failed",
                member,
                self.cool_off,
                health.failures,
            )

    def _abandoned(self, health: _Health, probe: bool) -> None:
        if probe:
            health.probing = False
