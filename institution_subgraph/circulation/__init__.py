"""Circulation at one member: the owner of the items keeps the record.

The pure rules (states, policies, due dates, fines, where a returned item
goes next) live in modules of their own and never touch the database. The
``operations`` package applies them in transactions, and ``queries`` reads
the desk task lists and a patron's activity.
"""
