"""The subgraph one member institution runs over its own PostgreSQL.

api/         the GraphQL schema: types, root fields, request context
catalogue/   MARC 21 records in: mapping, generated inventory, the importer
storage/     the database: migrations and one SQL module per aggregate
app.py       the ASGI application
"""
