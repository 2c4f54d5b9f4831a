"""What the member client sends: nothing a member set for one call reaches
the next."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.config import MemberConfig
from gateway.members.client import MemberClient


class CookieSetter:
    """A member that sets a session cookie on every answer and remembers the
    Cookie header of each call it gets."""

    def __init__(self) -> None:
        self.cookies: list[str | None] = []

    async def answer(self, request: web.Request) -> web.Response:
        self.cookies.append(request.headers.get("Cookie"))
        response = web.json_response({"data": {"search": []}})
        response.set_cookie("session", "patron-1234", path="/")
        return response


@pytest.fixture
async def member() -> AsyncIterator[tuple[MemberConfig, CookieSetter]]:
    setter = CookieSetter()
    app = web.Application()
    app.router.add_post("/graphql", setter.answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        # By name: aiohttp would keep no cookie for a bare IP address.
        url = f"http://localhost:{server.port}/graphql"
        yield MemberConfig("ASH", "Ashford", url), setter
    finally:
        await server.close()


async def test_a_cookie_a_member_sets_is_never_sent_back(
    member: tuple[MemberConfig, CookieSetter],
) -> None:
    config, setter = member
    client = MemberClient.open()
    try:
        for _ in range(3):
            answer = await client.execute(
                config, "query Probe { search { score } }", time_limit=5.0
            )
            assert answer.data == {"search": []}
    finally:
        await client.close()
    # Calls are made for different callers over shared connections: a
    # cookie kept from one would travel with another's call.
    assert setter.cookies == [None, None, None]
