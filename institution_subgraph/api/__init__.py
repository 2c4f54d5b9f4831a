"""The subgraph's GraphQL API: types, root fields and request context."""
