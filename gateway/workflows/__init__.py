"""Network workflows: one client call, several steps at several members.

Each step is idempotent under a key derived from the client's key, so a
retried call finishes what a failed one started and does nothing twice.
"""
