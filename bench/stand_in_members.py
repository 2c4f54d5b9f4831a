"""Fast stand-in members for benchmarks: N aiohttp apps on N loopback ports.

Each answers the gateway's schema question with the real contract and any
other operation with the same small search answer, so the benchmark
measures the gateway, not a database. Run as a process of its own:

    python bench/stand_in_members.py --count 100 --first-port 7101
"""

from __future__ import annotations

import argparse
import asyncio

import orjson
from aiohttp import web

from gateway.composition.contract import load_contract

HITS = 5


def _answer_for(code: str) -> bytes:
    hits = [
        {
            "score": 1.0 / (rank + 2),
            "__fn_rank": 1.0 / (rank + 2),
            "bibRecord": {
                "id": f"BibRecord:{code}:{rank}",
                "title": f"A title held by {code}, number {rank}",
                "institution": {"code": code},
                "availability": {"available": 1, "total": 2},
            },
        }
        for rank in range(HITS)
    ]
    return orjson.dumps({"data": {"search": hits}})


def _app(code: str, sdl: bytes) -> web.Application:
    search = _answer_for(code)

    async def graphql(request: web.Request) -> web.Response:
        body = await request.read()
        payload = sdl if b"_service" in body else search
        return web.Response(body=payload, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    return app


async def serve(count: int, first_port: int) -> None:
    sdl = orjson.dumps({"data": {"_service": {"sdl": load_contract()}}})
    runners = []
    for number in range(count):
        runner = web.AppRunner(_app(f"M{number:03d}", sdl), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", first_port + number).start()
        runners.append(runner)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--first-port", type=int, required=True)
    arguments = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(arguments.count, arguments.first_port))


if __name__ == "__main__":
    main()
