"""Retried mutations: the same key and arguments act once and answer the
same; the same key with other arguments is refused."""

from __future__ import annotations

from datetime import timedelta

from .conftest import BRK_MAIN, Member, new_key

LEND = """
mutation ($key: String!, $desk: ID!, $item: ID!, $patron: ID!) {
  lendItem(idempotencyKey: $key, desk: $desk, item: $item, patron: $patron) {
    loan {
      id status processState loanedAt dueAt originalDueAt renewalCount
      item { id barcode } patron { id } lendingDesk { id }
    }
    filledRequest { id }
  }
}
"""


async def _loans(member: Member) -> int:
    count: int = await member.pool.fetchval("SELECT count(*) FROM loan")
    return count


async def test_a_retried_mutation_answers_the_first_payload_and_acts_once(
    member: Member,
) -> None:
    patron = await member.link("Ada Ash")
    variables = {
        "key": new_key(),
        "desk": BRK_MAIN,
        "item": member.items["BRK-0002"],
        "patron": patron,
    }
    first = await member.ok(LEND, **variables)

    # A retry arrives later, as after a lost response.
    member.clock.advance(timedelta(minutes=5))
    retried = await member.ok(LEND, **variables)

    assert retried == first
    assert first["lendItem"]["loan"]["item"]["id"] == member.items["BRK-0002"]
    assert await _loans(member) == 1


async def test_the_same_key_with_other_arguments_is_refused(member: Member) -> None:
    patron = await member.link("Ada Ash")
    key = new_key()
    await member.ok(
        LEND, key=key, desk=BRK_MAIN, item=member.items["BRK-0002"], patron=patron
    )

    answer = await member.run(
        LEND, key=key, desk=BRK_MAIN, item=member.items["BRK-0003"], patron=patron
    )

    assert answer.codes == ["IDEMPOTENCY_KEY_REUSED"]
    assert answer.data is None
    assert await _loans(member) == 1
