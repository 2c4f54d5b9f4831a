"""Network discovery: members' search matches merged into works.

keys.py     which records describe the same work
works.py    clustering, ranking and per-institution holdings
facets.py   facet counts and filters over the merged works
cursor.py   opaque, checked cursors for stable paging
"""
