"""The network file: settings read as written, and bad ones refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.config import parse_network, taken_at_restart
from gateway.errors import ConfigurationError

MEMBERS = [{"code": "ASH", "name": "Ashford", "url": "http://127.0.0.1:4001/graphql"}]


def _parse(gateway: dict[str, Any]) -> Any:
    return parse_network({"gateway": gateway, "members": MEMBERS}, base=Path("/n"))


def test_breaker_settings_are_read_with_safe_defaults() -> None:
    assert _parse({}).settings.breaker_failures == 5
    assert _parse({}).settings.breaker_cool_off == 10.0

    settings = _parse({"breaker_failures": 0, "breaker_cool_off": 2.5}).settings

    assert (settings.breaker_failures, settings.breaker_cool_off) == (0, 2.5)


@pytest.mark.parametrize(
    ("gateway", "named"),
    [
        ({"breaker_failures": -1}, "breaker_failures"),
        ({"breaker_cool_off": 0}, "breaker_cool_off"),
        ({"member_timeout": 0}, "timeouts"),
        ({"unauthorized": "maybe"}, "unauthorized"),
        ({"breaker": 3}, "unknown [gateway] settings: breaker"),
    ],
)
def test_bad_settings_are_refused_by_name(gateway: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named.replace("[", r"\[")):
        _parse(gateway)


def test_a_network_without_members_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no \\[\\[members\\]\\]"):
        parse_network({"gateway": {}}, base=Path("/n"))


def test_a_changed_file_names_what_waits_for_a_restart() -> None:
    running = _parse({"member_timeout": 5.0, "production": True})
    issuer = {
        "issuer": "https://login.ashford.example",
        "audience": "fulfillment-network",
        "jwks_url": "https://login.ashford.example/jwks.json",
    }
    changed = parse_network(
        {
            "gateway": {"member_timeout": 2.0, "request_timeout": 4.0},
            "members": [*MEMBERS, {**MEMBERS[0], "code": "BRK"}],
            "issuers": [issuer],
        },
        base=Path("/n"),
    )
    production_off = _parse({"member_timeout": 5.0, "production": False})

    assert taken_at_restart(running, changed) == ["issuers"]
    assert taken_at_restart(running, production_off) == ["production"]
    assert taken_at_restart(running, running) == []
