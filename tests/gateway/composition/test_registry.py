"""Members whose SDL differs from the contract: left out, or the start refused."""

from __future__ import annotations

import aiohttp
import pytest

from gateway.composition.contract import Contract
from gateway.composition.registry import MemberRegistry
from gateway.config import GatewaySettings, MemberConfig, NetworkConfig
from gateway.errors import ConfigurationError
from gateway.members.client import MemberClient

from ...network import running_network
from ...stand_ins import Fault, stand_in_member

SEARCH = '{ search(text: "war") { bibRecord { institution { code } } } }'


async def test_a_member_that_differs_is_left_out_and_named(catalogues: str) -> None:
    async with (
        stand_in_member(Fault.WRONG_CONTRACT) as url,
        running_network(
            catalogues, stand_ins=[MemberConfig("ODD", "Odd Member", url)]
        ) as network,
    ):
        body = await network.query(SEARCH)
        async with (
            aiohttp.ClientSession() as session,
            session.get(network.gateway_url + "/ready") as response,
        ):
            ready = await response.json()

    assert ready["members"]["ODD"] == {
        "status": "excluded",
        "problem": "differs from the contract",
    }
    assert ready["ready"] is True
    assert body["data"]["search"]
    [error] = body["errors"]
    assert error["extensions"] == {"code": "MEMBER_UNAVAILABLE", "member": "ODD"}
    assert "differs from the contract" in error["message"]


async def test_the_start_is_refused_when_the_network_file_says_so() -> None:
    settings = GatewaySettings(on_contract_mismatch="refuse")
    async with stand_in_member(Fault.WRONG_CONTRACT) as url:
        network = NetworkConfig((MemberConfig("ODD", "Odd Member", url),), settings)
        client = MemberClient.open()
        registry = MemberRegistry(network, Contract.load(), client)
        try:
            with pytest.raises(ConfigurationError) as refused:
                await registry.start()
        finally:
            await registry.stop()
            await client.close()

    assert "ODD" in str(refused.value)
    assert "BibRecord.title: has type String, the contract says String!" in str(
        refused.value
    )
