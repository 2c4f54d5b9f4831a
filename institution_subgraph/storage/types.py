"""Typing aids shared by the storage modules."""

from __future__ import annotations

import asyncpg

# A pool and a connection both run queries; functions accept either.
Executor = asyncpg.Pool | asyncpg.Connection
