"""Fast stand-in members for benchmarks: N aiohttp apps on N loopback ports.

Each answers the gateway's schema question with the real contract and any
other operation with the same small search answer, so the benchmark
measures the gateway, not a database. Run as a process of its own:

    python bench/stand_in_members.py --count 100 --first-port 7101

With ``--execute`` a member serves the institution subgraph's own
federation SDL (what ``serve-member`` answers to ``_service { sdl }``)
and answers each distinct request by running it over canned records with
that schema, once; the answer is kept by request body. Any gateway's
query is then answered right, Apollo Gateway's as well as ours, for the
cost of a dictionary look-up per request.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web
from graphql import GraphQLSchema, graphql_sync

from gateway.composition.contract import build_sdl_schema, load_contract

HITS = 5
# Requests whose answers are kept; past this, answers are worked out anew.
_KEPT_ANSWERS = 1024


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


def _canned_app(code: str, sdl: bytes) -> web.Application:
    search = _answer_for(code)

    async def graphql(request: web.Request) -> web.Response:
        body = await request.read()
        payload = sdl if b"_service" in body else search
        return web.Response(body=payload, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    return app


def member_sdl() -> str:
    """The federation SDL a real member gives the gateway."""
    from institution_subgraph.api.schema import schema

    result = schema.execute_sync("query MemberSchema { _service { sdl } }")
    assert result.data is not None, result.errors
    return str(result.data["_service"]["sdl"])


def _record(code: str, rank: int) -> dict[str, Any]:
    location = {"code": "MAIN", "name": "Main stacks", "library": f"{code} Library"}
    availability = {"available": 1, "total": 2}
    record: dict[str, Any] = {
        "id": f"BibRecord:{code}:{rank}",
        "institution": {"code": code, "name": f"Member {code}"},
        "title": f"A title held by {code}, number {rank}",
        "contributors": [f"Author {rank}", "A. N. Editor"],
        "isbns": [f"978000000{rank:04d}"],
        "lccn": None,
        "publicationYear": 1990 + rank,
        "publisher": "Loopback Press",
        "language": "eng",
        "subjects": ["History", "Benchmarks"],
        "callNumber": f"D{rank}.B4",
        "format": "BOOK",
        "availability": availability,
        "queueLength": 0,
    }
    items = [
        {
            "id": f"Item:{code}:{rank}-{copy}",
            "barcode": f"3900{rank:03d}{copy}",
            "copyNumber": copy,
            "status": "AVAILABLE" if copy == 1 else "CHECKED_OUT",
            "bibRecord": record,
            "location": location,
            "dueAt": None,
        }
        for copy in (1, 2)
    ]
    record["holdings"] = [
        {
            "id": f"Holding:{code}:{rank}",
            "location": location,
            "callNumber": record["callNumber"],
            "items": items,
            "availability": availability,
        }
    ]
    return record


def _root_for(code: str) -> dict[str, Callable[..., Any]]:
    hits = [
        {"score": 1.0 / (rank + 2), "bibRecord": _record(code, rank)}
        for rank in range(HITS)
    ]

    def search(_info: object, text: str, first: int) -> list[dict[str, Any]]:
        return hits[:first]

    return {"search": search}


def _executing_app(code: str, sdl: bytes, schema: GraphQLSchema) -> web.Application:
    root = _root_for(code)
    answers: dict[bytes, bytes] = {}

    def answer(body: bytes) -> bytes:
        request = orjson.loads(body)
        result = graphql_sync(
            schema,
            request["query"],
            root_value=root,
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
        )
        return orjson.dumps(result.formatted)

    async def graphql(request: web.Request) -> web.Response:
        body = await request.read()
        payload = answers.get(body)
        if payload is None:
            payload = sdl if b"_service" in body else answer(body)
            if len(answers) < _KEPT_ANSWERS:
                answers[body] = payload
        return web.Response(body=payload, content_type="application/json")

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    return app


async def serve(count: int, first_port: int, execute: bool = False) -> None:
    source = member_sdl() if execute else load_contract()
    sdl = orjson.dumps({"data": {"_service": {"sdl": source}}})
    schema = build_sdl_schema(source) if execute else None
    runners = []
    for number in range(count):
        code = f"M{number:03d}"
        app = (
            _canned_app(code, sdl)
            if schema is None
            else _executing_app(code, sdl, schema)
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", first_port + number).start()
        runners.append(runner)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--first-port", type=int, required=True)
    parser.add_argument(
        "--execute",
        action="store_true",
        help="serve the real member SDL and answer any operation over canned records",
    )
    arguments = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(arguments.count, arguments.first_port, arguments.execute))


if __name__ == "__main__":
    main()
