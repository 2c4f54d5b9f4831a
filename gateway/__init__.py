"""The network gateway: one GraphQL endpoint over every member institution.

A request passes through these stages, each in its own module:

    app.py                  the HTTP edge: /graphql, /health, /ready
    execution/operation.py  parse and validate against the network schema
    execution/root_fields.py  how each root field reaches the members
    execution/subquery.py   the member operation cut from the client's
    members/client.py       calls to members over pooled aiohttp connections
    composition/            the contract and the members' checked schemas
"""

from .app import create_app
from .config import GatewaySettings, MemberConfig, NetworkConfig, load_network

__all__ = [
    "GatewaySettings",
    "MemberConfig",
    "NetworkConfig",
    "create_app",
    "load_network",
]
