"""Several member calls at once; a single one in place."""

from __future__ import annotations

import asyncio

from gateway.execution.together import together


async def test_several_run_at_once_and_answer_in_order() -> None:
    first_started, second_started = asyncio.Event(), asyncio.Event()

    async def first() -> str:
        first_started.set()
        # Waits on the second: one after the other would never end.
        await second_started.wait()
        return "first"

    async def second() -> str:
        second_started.set()
        await first_started.wait()
        return "second"

    answers = await asyncio.wait_for(together([first(), second()]), timeout=5)
    assert answers == ["first", "second"]


async def test_one_alone_runs_in_the_callers_task() -> None:
    caller = asyncio.current_task()

    async def which_task() -> asyncio.Task[object] | None:
        return asyncio.current_task()

    assert await together([which_task()]) == [caller]


async def test_none_gives_nothing() -> None:
    assert await together([]) == []
