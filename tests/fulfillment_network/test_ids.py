from __future__ import annotations

import pytest

from fulfillment_network.ids import GlobalId, InvalidGlobalId


def test_an_id_names_its_type_owner_and_key_and_reads_back() -> None:
    global_id = GlobalId("BibRecord", "ASH", "1042")

    assert str(global_id) == "BibRecord:ASH:1042"
    assert GlobalId.parse(str(global_id)) == global_id


@pytest.mark.parametrize(
    "text", ["", "BibRecord:ash:1", "BibRecord:ASH:", "BibRecord:ASH:1:2", "1042"]
)
def test_text_that_is_not_an_id_is_refused(text: str) -> None:
    with pytest.raises(InvalidGlobalId):
        GlobalId.parse(text)


def test_an_id_of_another_type_is_refused_when_a_type_is_expected() -> None:
    with pytest.raises(InvalidGlobalId, match="not the ID of a BibRecord"):
        GlobalId.parse("Item:ASH:7", expect_type="BibRecord")
