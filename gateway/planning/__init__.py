"""Planning: from a validated operation to a plan of member fetches.

The plan is plain data (:mod:`.plan`), built once per document and
operation name and cached (:mod:`.cache`); the executor runs it.
"""
