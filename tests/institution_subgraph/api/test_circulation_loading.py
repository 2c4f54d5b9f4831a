"""Nested circulation fields load a level at a time: a patron's card costs
the same number of SQL statements with six loans as with one."""

from __future__ import annotations

import asyncpg

from institution_subgraph.api.context import RequestContext
from institution_subgraph.api.schema import schema

from .conftest import HERE, Member, StatementCounter

CARD = """
query ($id: ID!) {
  patron(id: $id) {
    loans {
      id overdue
      item { barcode bibRecord { title } location { code } }
      patron { name }
      lendingDesk { name institution { code } }
    }
  }
}
"""


async def _statements_for_card(
    pool: asyncpg.Pool, counter: StatementCounter, member: Member, patron: str
) -> int:
    before = counter.statements
    result = await schema.execute(
        CARD,
        variable_values={"id": patron},
        context_value=RequestContext(pool=pool, institution=HERE, clock=member.clock),
    )
    assert result.errors is None
    return counter.statements - before


async def test_a_patrons_loans_cost_a_fixed_number_of_statements(
    member: Member, counted_pool: tuple[asyncpg.Pool, StatementCounter]
) -> None:
    pool, counter = counted_pool
    patron = await member.link("Avid Reader")
    await member.lend("BRK-1001", patron)
    await _statements_for_card(pool, counter, member, patron)
    with_one = await _statements_for_card(pool, counter, member, patron)

    for number in range(2, 7):
        await member.lend(f"BRK-1{number:03}", patron)
    with_six = await _statements_for_card(pool, counter, member, patron)

    assert with_one > 0
    assert with_six == with_one
