"""Versioned schema changes, applied in order by :mod:`..migrate`."""
