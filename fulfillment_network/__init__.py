"""fulfillment-network: the command line, the PostgreSQL setup and global IDs.

The two services live in their own packages: :mod:`gateway` composes the
members into one network API, :mod:`institution_subgraph` is what each member
institution runs over its own database.
"""

__version__ = "0.1.0"
