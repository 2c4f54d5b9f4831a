from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import orjson
import pytest

from institution_subgraph.circulation import operations
from institution_subgraph.circulation.codec import decode, encode
from institution_subgraph.circulation.desks import DeskKey
from institution_subgraph.circulation.operations import (
    LinkedAccountResult,
    ReturnResult,
)
from institution_subgraph.circulation.returns import NextStep
from institution_subgraph.circulation.states import (
    FeeKind,
    FeeStatus,
    ItemStatus,
    TransitReason,
)
from institution_subgraph.circulation.views import FeeView, ItemOutcome, TransitView

AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def test_result_survives_a_trip_through_json_text() -> None:
    result = ReturnResult(
        item=ItemOutcome(
            barcode="BIR-1",
            status=ItemStatus.IN_TRANSIT,
            next_step=NextStep.TRANSIT_HOME,
            transit=TransitView(
                7,
                "BIR-1",
                DeskKey("CED", "MAIN"),
                DeskKey("BIR", "MAIN"),
                TransitReason.TO_OWNER,
                None,
                AT,
                AT,
                None,
            ),
        ),
        loan=None,
        fees=(
            FeeView(
                3,
                9,
                FeeKind.OVERDUE,
                FeeStatus.ACTIVE,
                Decimal("1.10"),
                Decimal("1.10"),
                "USD",
                "BIR",
                4,
                "BIR-1",
                AT,
            ),
        ),
    )

    text = orjson.dumps(encode(result))

    assert decode(ReturnResult, orjson.loads(text)) == result


def test_money_is_written_as_exact_text() -> None:
    assert encode(Decimal("0.10")) == "0.10"


def test_dates_and_ids_round_trip() -> None:
    result = LinkedAccountResult(
        patron_id=1,
        network_patron_id=UUID("12345678-1234-5678-1234-567812345678"),
        created=True,
        user_group="network",
        expires_on=date(2026, 1, 31),
        purge_on=date(2026, 7, 30),
    )

    assert decode(LinkedAccountResult, encode(result)) == result


def _dataclasses_within(kind: type) -> set[type]:
    found = {kind}
    for hint in typing.get_type_hints(kind).values():
        for part in (hint, *typing.get_args(hint)):
            if dataclasses.is_dataclass(part) and isinstance(part, type):
                found |= _dataclasses_within(part)
    return found


@pytest.mark.parametrize(
    "result_type",
    [
        getattr(operations, name)
        for name in operations.__all__
        if isinstance(getattr(operations, name), type)
    ],
)
def test_every_operation_result_can_be_rebuilt_from_json(result_type: type) -> None:
    for kind in _dataclasses_within(result_type):
        assert typing.get_type_hints(kind)
