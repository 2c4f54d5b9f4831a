"""Requests per client: a token bucket each, refused with 429 when empty.

A client is named by the caller (its address until clients authenticate).
The buckets live in this process: behind a load balancer each replica
counts on its own.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["RateLimiter"]

# Buckets kept at most; the least recently seen client is forgotten first
# (it comes back with a full bucket, which errs on the side of the client).
_MAX_CLIENTS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``rate`` requests a second per client, in bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def wait_for(self, client: str, now: float | None = None) -> float:
        """0 if the request may go ahead (and is counted), else the seconds
        until it may."""
        now = time.monotonic() if now is None else now
        bucket = self._bucket(client, now)
        bucket.tokens = min(
            self.burst, bucket.tokens + (now - bucket.updated) * self.rate
        )
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))

    def _bucket(self, client: str, now: float) -> _Bucket:
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            if len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
        return bucket
