"""Stand-in members that misbehave on purpose, for fault tests.

Each answers the gateway's schema question with the real contract, so that
the gateway loads it, and then fails every other operation in its own way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum

from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.composition.contract import load_contract

__all__ = ["LEAKS", "Fault", "StandIn", "stand_in", "stand_in_member"]

# Errors of a member that does not mask its failures: one without a code,
# one coded as internal. Their text must not reach the client.
LEAKS = [
    {
        "message": "Traceback (most recent call last): asyncpg: SELECT name"
        " FROM patron WHERE email = 'robin.reader@example.org'",
        "path": ["search"],
    },
    {
        "message": 'relation "patron" does not exist',
        "path": ["search"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    },
]


class Fault(Enum):
    DOWN = "down"
    SLOW = "slow"
    HTTP_500 = "http-500"
    INVALID_JSON = "invalid-json"
    RESET = "reset"
    # Answers normally but implements a contract with BibRecord.title nullable.
    WRONG_CONTRACT = "wrong-contract"
    # Answers with errors that quote what must stay inside a member.
    LEAKY = "leaky"


@dataclass
class _Behaviour:
    fault: Fault
    delay: float
    calls: int = 0

    async def answer(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.calls += 1
        if "_service" in body["query"]:
            sdl = load_contract()
            if self.fault is Fault.WRONG_CONTRACT:
                sdl = sdl.replace("title: String!", "title: String", 1)
            return web.json_response({"data": {"_service": {"sdl": sdl}}})
        if self.fault is Fault.SLOW:
            await asyncio.sleep(self.delay)
            return web.json_response({"data": {"search": []}})
        if self.fault is Fault.LEAKY:
            return web.json_response({"data": {"search": None}, "errors": LEAKS})
        if self.fault is Fault.HTTP_500:
            return web.Response(status=500, text="Internal Server Error")
        if self.fault is Fault.INVALID_JSON:
            return web.Response(text="<html>not json</html>", content_type="text/html")
        return await _reset_mid_answer(request)


async def _reset_mid_answer(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Length": "4096"})
    await response.prepare(request)
    await response.write(b'{"data": {"search": [{"sco')
    assert request.transport is not None
    request.transport.close()
    return response


@dataclass(frozen=True)
class StandIn:
    url: str
    _behaviour: _Behaviour

    @property
    def calls(self) -> int:
        """Every call it received, the schema question too."""
        return self._behaviour.calls


@asynccontextmanager
async def stand_in(fault: Fault, *, delay: float = 5.0) -> AsyncIterator[StandIn]:
    """Serve a misbehaving member; yield it, with its GraphQL URL."""
    behaviour = _Behaviour(fault, delay)
    app = web.Application()
    app.router.add_post("/graphql", behaviour.answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield StandIn(str(server.make_url("/graphql")), behaviour)
    finally:
        await server.close()


@asynccontextmanager
async def stand_in_member(fault: Fault, *, delay: float = 5.0) -> AsyncIterator[str]:
    """Serve a misbehaving member; yield its GraphQL URL."""
    async with stand_in(fault, delay=delay) as member:
        yield member.url
